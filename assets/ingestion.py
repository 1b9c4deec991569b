"""Job postings from feed files into companies and job_postings, with data-quality checks."""

from functools import partial
from pathlib import Path

import dagster as dg
from pydantic import Field

from assets.schema import transactional_schema
from pipelines.db.retry import with_retries
from pipelines.ingest.load import (
    BATCH_ROWS,
    FileResult,
    IngestError,
    feed_files,
    ingest_file,
    inside_roots,
)
from pipelines.ingest.quality import QualityReport, validate_postings
from pipelines.resources import BULK_WRITE_POOL, WRITER_RETRY_POLICY, PostgresResource

INGESTION_GROUP = "ingestion"
QUALITY_CHECK = "batch_expectations"
REJECT_RATE_CHECK = "reject_rate"


class IngestConfig(dg.Config):
    """What to ingest: explicit paths (files, directories or file:// URLs) or the landing dir."""

    paths: list[str] = Field(default_factory=list)
    mapping_file: str | None = None
    force: bool = False
    max_reject_rate: float = 0.25
    batch_rows: int = BATCH_ROWS


@dg.asset(
    retry_policy=WRITER_RETRY_POLICY,
    pool=BULK_WRITE_POOL,
    group_name=INGESTION_GROUP,
    deps=[transactional_schema],
    description="Companies and job postings from feed files: normalised, deduplicated, upserted.",
    check_specs=[
        dg.AssetCheckSpec(
            QUALITY_CHECK,
            asset="job_postings",
            blocking=True,
            description="The Great Expectations suite on every loaded batch.",
        ),
        dg.AssetCheckSpec(
            REJECT_RATE_CHECK,
            asset="job_postings",
            blocking=True,
            description="Rows quarantined stay below max_reject_rate.",
        ),
    ],
)
def job_postings(
    context: dg.AssetExecutionContext, config: IngestConfig, postgres: PostgresResource
):
    target = postgres.target()
    try:
        mapping_file = (
            inside_roots(Path(config.mapping_file), postgres.settings().allowed_ingest_roots)
            if config.mapping_file
            else None
        )
        paths = _paths_to_ingest(config, postgres)
    except IngestError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    results: list[FileResult] = []
    failures: list[str] = []
    quality = QualityReport()
    for path in paths:
        try:
            result = with_retries(
                partial(
                    ingest_file,
                    target,
                    path,
                    mapping_file=mapping_file,
                    force=config.force,
                    batch_rows=config.batch_rows,
                    validate=validate_postings,
                    on_batch=partial(_log_progress, context, path.name),
                ),
                what=f"ingest {path.name}",
            )
        except IngestError as exc:
            context.log.error(str(exc))
            failures.append(str(exc))
            continue
        context.log.info(
            "%s (%s): %s, %d loaded, %d rejected, %d new, %d updated, %d linked",
            result.file_name, result.format, result.status, result.rows_loaded, result.rows_rejected,
            result.postings_inserted, result.postings_updated, result.postings_linked,
        )  # fmt: skip
        results.append(result)
        quality = quality.merge(result.quality)
    if failures:
        # Each file was already retried for transient errors; what is left is in the files.
        raise dg.Failure(
            description="Some files could not be ingested:\n" + "\n".join(failures),
            allow_retries=False,
        )
    loaded = [r for r in results if r.status == "LOADED"]
    rows_read = sum(r.rows_read for r in loaded)
    rows_rejected = sum(r.rows_rejected for r in loaded)
    reject_rate = rows_rejected / rows_read if rows_read else 0.0
    yield dg.MaterializeResult(
        metadata={
            "files_loaded": len(loaded),
            "files_skipped_already_loaded": sum(r.status == "SKIPPED" for r in results),
            "rows_read": rows_read,
            "rows_loaded": sum(r.rows_loaded for r in loaded),
            "rows_rejected": rows_rejected,
            "postings_inserted": sum(r.postings_inserted for r in loaded),
            "postings_updated": sum(r.postings_updated for r in loaded),
            "postings_linked_as_duplicates": sum(r.postings_linked for r in loaded),
            "companies_inserted": sum(r.companies_inserted for r in loaded),
            "files": dg.MetadataValue.md(_files_table(results)),
        }
    )
    yield dg.AssetCheckResult(
        check_name=QUALITY_CHECK,
        passed=quality.success,
        metadata={
            "expectations_evaluated": len(quality.outcomes),
            "failing_expectations": dg.MetadataValue.json(
                {
                    o.name: {
                        "unexpected": o.unexpected_count,
                        "of": o.element_count,
                        "examples": list(o.examples),
                    }
                    for o in quality.failures
                }
            ),
        },
        description="failing: " + ", ".join(o.name for o in quality.failures)
        if quality.failures
        else "all expectations met",
    )
    yield dg.AssetCheckResult(
        check_name=REJECT_RATE_CHECK,
        passed=reject_rate <= config.max_reject_rate,
        metadata={
            "reject_rate": round(reject_rate, 4),
            "max_reject_rate": config.max_reject_rate,
            "rows_rejected": rows_rejected,
        },
    )


def _log_progress(context: dg.AssetExecutionContext, name: str, read: int, loaded: int) -> None:
    context.log.info("%s: %d rows read, %d loaded", name, read, loaded)


def _paths_to_ingest(config: IngestConfig, postgres: PostgresResource) -> list[Path]:
    """Configured paths must exist inside the allowed roots (the landing directory, the sample
    feeds, JOBSWIPE_INGEST_ROOTS): run config typed into the UI never reads elsewhere."""
    roots = postgres.settings().allowed_ingest_roots
    if config.paths:
        paths = [path for location in config.paths for path in feed_files(location)]
        return [inside_roots(path, roots) for path in paths]
    landing = postgres.settings().resolved_landing_dir
    return feed_files(landing) if landing.exists() else []


def _files_table(results: list[FileResult]) -> str:
    lines = [
        "| file | format | status | loaded | rejected | new | updated | linked |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.file_name} | {r.format or ''} | {r.status} | {r.rows_loaded} | {r.rows_rejected} | {r.postings_inserted} | {r.postings_updated} | {r.postings_linked} |"
        for r in results
    ]
    return "\n".join(lines)


ingest_job = dg.define_asset_job(
    "ingest_job_postings",
    selection=dg.AssetSelection.assets(job_postings),
    description="Loads the feed files named in its run config (one file per sensor run).",
)


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New files in the landing directory, once each (by content hash).",
)
def landing_directory_sensor(context: dg.SensorEvaluationContext, postgres: PostgresResource):
    from pipelines.db.connection import connect
    from pipelines.ingest.load import already_loaded, file_fingerprint

    landing = postgres.settings().resolved_landing_dir
    if not landing.exists():
        return dg.SkipReason(f"landing directory {landing} does not exist yet")
    requests = []
    with connect(postgres.target()) as conn:
        for path in feed_files(landing):
            digest = file_fingerprint(path)
            if not already_loaded(conn, digest):
                requests.append(
                    dg.RunRequest(
                        run_key=digest,
                        run_config={"ops": {"job_postings": {"config": {"paths": [str(path)]}}}},
                        tags={"jobswipe/file": path.name},
                    )
                )
    return requests or dg.SkipReason(f"no new files in {landing}")
