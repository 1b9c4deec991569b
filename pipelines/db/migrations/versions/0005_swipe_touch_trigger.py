"""Swipe touch trigger skips rows whose writer sets updated_at (cheaper bulk score write-back).

Revision ID: 0005_swipe_touch_trigger
Revises: 0004_match_model
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import sql_revision

revision = "0005_swipe_touch_trigger"
down_revision = "0004_match_model"
branch_labels = None
depends_on = None

upgrade, downgrade = sql_revision(revision)
