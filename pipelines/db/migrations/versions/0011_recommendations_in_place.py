"""Recommendations refreshed in place: the (user, rank) uniqueness checked at commit.

Revision ID: 0011_recommendations_in_place
Revises: 0010_recommendation_history
Create Date: 2026-12-02
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0011_recommendations_in_place"
down_revision = "0010_recommendation_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file(f"{revision}.up.sql")


def downgrade() -> None:
    run_sql_file(f"{revision}.down.sql")
