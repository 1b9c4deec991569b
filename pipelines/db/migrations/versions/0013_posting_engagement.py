"""Each posting's engagement counts kept by triggers as swipes, applications and views change.

Revision ID: 0013_posting_engagement
Revises: 0012_time_ordered_ids
Create Date: 2026-12-02
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0013_posting_engagement"
down_revision = "0012_time_ordered_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file(f"{revision}.up.sql")


def downgrade() -> None:
    run_sql_file(f"{revision}.down.sql")
