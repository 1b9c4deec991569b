"""The swipes still without a score, indexed: a refresh learns it has none to score at once.

Revision ID: 0014_unscored_swipes
Revises: 0013_posting_engagement
Create Date: 2026-12-03
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0014_unscored_swipes"
down_revision = "0013_posting_engagement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file(f"{revision}.up.sql")


def downgrade() -> None:
    run_sql_file(f"{revision}.down.sql")
