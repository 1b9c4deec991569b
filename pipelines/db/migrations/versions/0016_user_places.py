"""Each user's app events counted per place by triggers, for the snapshot's users' places.

Revision ID: 0016_user_places
Revises: 0015_recommendations_fillfactor
Create Date: 2026-12-04
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0016_user_places"
down_revision = "0015_recommendations_fillfactor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file(f"{revision}.up.sql")


def downgrade() -> None:
    run_sql_file(f"{revision}.down.sql")
