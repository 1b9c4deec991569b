"""The transactional schema and its upkeep: migrations, partitions ahead of time, retention."""

import datetime as dt

import dagster as dg

from pipelines.db import gdpr, maintenance
from pipelines.db.migrate import current_revision, head_revision, upgrade
from pipelines.resources import BULK_WRITE_POOL, WRITER_RETRY_POLICY, PostgresResource

SCHEMA_GROUP = "transactional_schema"


@dg.asset(
    retry_policy=WRITER_RETRY_POLICY,
    group_name=SCHEMA_GROUP,
    description="The seed schema, migrated to the latest Alembic revision.",
)
def transactional_schema(
    context: dg.AssetExecutionContext, postgres: PostgresResource
) -> dg.MaterializeResult:
    target = postgres.target()
    before = current_revision(target)
    upgrade(target)
    after = current_revision(target)
    context.log.info("schema at %s (was %s) on %s", after, before, target.describe())
    return dg.MaterializeResult(
        metadata={
            "revision": after or "",
            "previous_revision": before or "",
            "head": head_revision(),
            "database": target.describe(),
        }
    )


@dg.asset(
    retry_policy=WRITER_RETRY_POLICY,
    group_name=SCHEMA_GROUP,
    deps=[transactional_schema],
    description="Monthly analytics_events and quarterly audit_logs partitions, created months ahead.",
)
def partition_maintenance(
    context: dg.AssetExecutionContext, postgres: PostgresResource
) -> dg.MaterializeResult:
    months_ahead = postgres.settings().partitions_months_ahead
    with postgres.connect() as conn:
        start, end = maintenance.window_for(conn, dt.date.today(), months_ahead)
        created = maintenance.ensure_partitions(conn, start, end)
        strays = maintenance.stray_rows_in_default_partitions(conn)
    context.log.info("created %d partitions for [%s, %s)", len(created), start, end)
    return dg.MaterializeResult(
        metadata={
            "partitions_created": dg.MetadataValue.json(created),
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "rows_in_default_partitions": dg.MetadataValue.json(strays),
        }
    )


@dg.asset_check(asset=partition_maintenance, description="Nothing waits in a default partition.")
def default_partitions_empty(postgres: PostgresResource) -> dg.AssetCheckResult:
    with postgres.connect() as conn:
        strays = maintenance.stray_rows_in_default_partitions(conn)
    return dg.AssetCheckResult(
        passed=not any(strays.values()),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows_in_default_partitions": dg.MetadataValue.json(strays)},
    )


@dg.asset(
    retry_policy=WRITER_RETRY_POLICY,
    group_name=SCHEMA_GROUP,
    pool=BULK_WRITE_POOL,
    deps=[transactional_schema],
    description="GDPR retention (the seed's pg_cron job, run by Dagster): expired analytics and audit partitions dropped whole, then expired rows and accounts deleted; audited.",
)
def data_retention(
    context: dg.AssetExecutionContext, postgres: PostgresResource
) -> dg.MaterializeResult:
    with postgres.connect() as conn:
        report = gdpr.run_retention(conn)
    context.log.info("retention deleted %s, dropped %s", report.deleted, report.partitions_dropped)
    return dg.MaterializeResult(
        metadata={
            **{f"deleted_{table}": count for table, count in report.deleted.items()},
            "partitions_dropped": dg.MetadataValue.json(report.partitions_dropped),
        }
    )
