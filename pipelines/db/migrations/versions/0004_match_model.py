"""The match-score model: registry of trained versions, and recommendations for the feed.

Revision ID: 0004_match_model
Revises: 0003_ingestion
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import sql_revision

revision = "0004_match_model"
down_revision = "0003_ingestion"
branch_labels = None
depends_on = None

upgrade, downgrade = sql_revision(revision)
