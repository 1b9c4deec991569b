"""Synthetic app activity written into the transactional schema, as the app would."""

import dagster as dg

from assets.ingestion import job_postings
from assets.schema import partition_maintenance, transactional_schema
from pipelines.db.crypto import PiiCipher
from pipelines.months import parse_month
from pipelines.resources import BULK_WRITE_POOL, WRITER_RETRY_POLICY, PostgresResource
from pipelines.simulate.world import SCALES
from pipelines.simulate.writer import write_simulation


class SimulationConfig(dg.Config):
    scale: str = "small"
    months: int = 6
    seed: int = 42
    start_month: str | None = None  # YYYY-MM; default: `months` complete months ending last month
    taste_model: str = "additive"  # how users decide: additive | screening


@dg.asset(
    retry_policy=WRITER_RETRY_POLICY,
    pool=BULK_WRITE_POOL,
    group_name="app_activity",
    deps=[transactional_schema, partition_maintenance, job_postings],
    description="Users, swipes, applications, automation, subscriptions and events, month by month.",
)
def app_activity(
    context: dg.AssetExecutionContext, config: SimulationConfig, postgres: PostgresResource
) -> dg.MaterializeResult:
    import datetime as dt

    from pipelines.simulate.preferences import TASTE_MODELS

    if config.taste_model not in TASTE_MODELS:
        raise dg.Failure(
            f"unknown taste model {config.taste_model!r}; use one of {', '.join(TASTE_MODELS)}",
            allow_retries=False,
        )
    if config.scale not in SCALES:
        raise dg.Failure(
            f"unknown scale {config.scale!r}; use one of {', '.join(SCALES)}", allow_retries=False
        )
    try:
        start = parse_month(config.start_month) if config.start_month else None
    except ValueError as exc:
        raise dg.Failure(description=f"start_month: {exc}", allow_retries=False) from exc

    def on_progress(index: int, total: int, month: dt.date, phase: str) -> None:
        context.log.info("month %d/%d (%s): %s", index + 1, total, month.isoformat(), phase)

    report = write_simulation(
        postgres.target(),
        config.seed,
        config.scale,
        config.months,
        PiiCipher.from_settings(postgres.settings()),
        start=start,
        on_progress=on_progress,
        taste_model=config.taste_model,
    )
    return dg.MaterializeResult(
        metadata={
            "world": report.world_key,
            "months_written": len(report.months_written),
            "months_already_stored": len(report.months_skipped),
            "rows_written": report.rows_written,
            "rows_per_second": round(report.rows_per_second),
            "row_counts": dg.MetadataValue.json(report.row_counts),
        }
    )
