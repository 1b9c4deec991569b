"""Time-ordered UUIDs (version 7) for the ids the ingest gives new postings.

Revision ID: 0012_time_ordered_ids
Revises: 0011_recommendations_in_place
Create Date: 2026-12-02
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0012_time_ordered_ids"
down_revision = "0011_recommendations_in_place"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file(f"{revision}.up.sql")


def downgrade() -> None:
    run_sql_file(f"{revision}.down.sql")
