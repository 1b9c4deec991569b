"""The seed schema: 19 tables, 36 enums, indexes, partitions, RLS, GDPR functions, views.

Revision ID: 0001_seed_schema
Revises:
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0001_seed_schema"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0001_seed_schema.up.sql")


def downgrade() -> None:
    run_sql_file("0001_seed_schema.down.sql")
