"""The match-score model: registry of trained versions, and recommendations for the feed.

Revision ID: 0004_match_model
Revises: 0003_ingestion
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0004_match_model"
down_revision = "0003_ingestion"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0004_match_model.up.sql")


def downgrade() -> None:
    run_sql_file("0004_match_model.down.sql")
