"""Model registry remembers when its version last scored every swipe (incremental rescoring).

Revision ID: 0006_scoring_state
Revises: 0005_swipe_touch_trigger
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import sql_revision

revision = "0006_scoring_state"
down_revision = "0005_swipe_touch_trigger"
branch_labels = None
depends_on = None

upgrade, downgrade = sql_revision(revision)
