"""Recommendation history: which postings each user was recommended, and when first.

Revision ID: 0010_recommendation_history
Revises: 0009_operations
Create Date: 2026-12-01
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0010_recommendation_history"
down_revision = "0009_operations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file(f"{revision}.up.sql")


def downgrade() -> None:
    run_sql_file(f"{revision}.down.sql")
