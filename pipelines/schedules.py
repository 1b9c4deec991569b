"""Schedules: upkeep of the transactional schema (more join as marts and the model arrive)."""

from __future__ import annotations

import dagster as dg

schema_upkeep_job = dg.define_asset_job(
    "schema_upkeep",
    selection=dg.AssetSelection.assets("transactional_schema", "partition_maintenance"),
    description="Migrations to head, then analytics and audit partitions created ahead.",
)
retention_job = dg.define_asset_job(
    "gdpr_retention",
    selection=dg.AssetSelection.assets("data_retention"),
    description="GDPR retention: expired partitions dropped, expired rows deleted, audited.",
)

partition_maintenance_schedule = dg.ScheduleDefinition(
    name="daily_partition_maintenance",
    job=schema_upkeep_job,
    cron_schedule="0 1 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Migrations to head and time partitions three months ahead, daily.",
)
# The seed's pg_cron entry ('0 2 * * *'), run by Dagster because pg_cron is not available.
retention_schedule = dg.ScheduleDefinition(
    name="daily_data_retention",
    job=retention_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="GDPR retention, daily.",
)

SCHEDULES = [partition_maintenance_schedule, retention_schedule]
JOBS = [schema_upkeep_job, retention_job]
