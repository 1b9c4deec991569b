"""The seed schema: 19 tables, 36 enums, indexes, partitions, RLS, GDPR functions, views.

Revision ID: 0001_seed_schema
Revises:
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import sql_revision

revision = "0001_seed_schema"
down_revision = None
branch_labels = None
depends_on = None

upgrade, downgrade = sql_revision(revision)
