"""Recommendations pages kept half empty, so a refresh updates a row on its own page.

Revision ID: 0015_recommendations_fillfactor
Revises: 0014_unscored_swipes
Create Date: 2026-12-03
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0015_recommendations_fillfactor"
down_revision = "0014_unscored_swipes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file(f"{revision}.up.sql")


def downgrade() -> None:
    run_sql_file(f"{revision}.down.sql")
