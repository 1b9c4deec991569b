"""Operations: real time partitions at migrate time, user shards, run-failure records.

Revision ID: 0009_operations
Revises: 0008_least_privilege_roles
Create Date: 2026-11-25
"""

import datetime as dt

from alembic import op

from pipelines.db.maintenance import PARTITIONED_TABLES, maintenance_window, partition_window_start
from pipelines.db.migrations.sql_files import run_sql_file
from pipelines.settings import get_settings

revision = "0009_operations"
down_revision = "0008_least_privilege_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file(f"{revision}.up.sql")
    # As the seed's DDL does, a migrated database has real partitions, here for the configured
    # window (first data month to `partitions_months_ahead` ahead); the default partitions stay
    # as the safety net and the daily maintenance asset keeps the window moving.
    settings = get_settings()
    start, end = maintenance_window(
        dt.date.today(), settings.partitions_months_ahead, partition_window_start(settings)
    )
    for table, step in PARTITIONED_TABLES.items():
        op.execute(
            f"SELECT ensure_time_partitions('{table}'::regclass, '{step}', '{start}', '{end}')"
        )


def downgrade() -> None:
    # The time partitions hold data and stay (0001's downgrade drops their parents).
    run_sql_file(f"{revision}.down.sql")
