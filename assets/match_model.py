"""The match-score model: monthly training with a promotion gate, then scores for the app."""

import base64
import datetime as dt

import dagster as dg

from assets.activity import app_activity
from assets.ingestion import ingest_job, job_postings
from pipelines.partitions import monthly_partitions
from pipelines.resources import BULK_WRITE_POOL, WRITER_RETRY_POLICY, PostgresResource
from pipelines.scoring.service import (
    recommendation_violations,
    refresh_posting_quality,
    score_and_recommend,
    train_and_register,
)
from pipelines.scoring.shards import SHARD_COUNT, parse_shard_keys, shard_keys, split_into_ranges
from pipelines.settings import get_settings

MODEL_GROUP = "match_model"


@dg.asset(
    retry_policy=WRITER_RETRY_POLICY,
    group_name=MODEL_GROUP,
    deps=[job_postings, app_activity],
    partitions_def=monthly_partitions(),
    description="Trains on every swipe before the partition's month and validates on that month; registers the model and gates its promotion.",
    check_specs=[
        dg.AssetCheckSpec(
            "beats_baselines",
            asset="match_model",
            blocking=True,
            description="ROC AUC above popularity and content-only baselines.",
        ),
        dg.AssetCheckSpec(
            "promotion_gate",
            asset="match_model",
            description="Promoted only if it beats the champion on the same month.",
        ),
    ],
)
def match_model(context: dg.AssetExecutionContext, postgres: PostgresResource):
    month = dt.date.fromisoformat(context.partition_key)
    report = train_and_register(
        postgres.target(), validation_month=month, plots_dir=postgres.settings().artifacts_dir
    )
    result = report.result
    table = result.metrics_table()
    context.log.info(
        "model v%d on %s: %s; %s", report.version, month, table["model"], report.decision.reason
    )
    yield dg.MaterializeResult(
        metadata={
            "model_version": report.version,
            "validation_month": month.isoformat(),
            "training_rows": result.train_rows,
            "validation_rows": result.validation_rows,
            "metrics": dg.MetadataValue.md(_metrics_markdown(table)),
            "promoted": report.decision.promote,
            "decision": report.decision.reason,
            **{
                f"plot_{name}": dg.MetadataValue.md(_inline_png(path.read_bytes(), name))
                for name, path in report.plots.items()
            },
        }
    )
    best_baseline = max(m.roc_auc for m in result.baselines.values())
    yield dg.AssetCheckResult(
        check_name="beats_baselines",
        passed=result.metrics.roc_auc > best_baseline,
        metadata={
            "model_roc_auc": round(result.metrics.roc_auc, 4),
            "best_baseline_roc_auc": round(best_baseline, 4),
        },
    )
    yield dg.AssetCheckResult(
        check_name="promotion_gate",
        passed=report.decision.promote,
        severity=dg.AssetCheckSeverity.WARN,
        description=report.decision.reason,
        metadata={"champion_roc_auc_same_month": report.champion_auc or 0.0},
    )


class ScoringConfig(dg.Config):
    """By default a new or restored champion rescores every swipe, and later runs score only
    swipes without a score; ``full_rescore`` rescores every swipe regardless."""

    full_rescore: bool = False


USER_SHARDS = dg.StaticPartitionsDefinition(shard_keys())


@dg.asset(
    retry_policy=WRITER_RETRY_POLICY,
    pool=BULK_WRITE_POOL,
    group_name=MODEL_GROUP,
    deps=[job_postings, app_activity],
    description="Every posting's view, application and swipe counters, and its 0-100 quality score (completeness, salary transparency, description, engagement).",
)
def posting_quality(
    context: dg.AssetExecutionContext, postgres: PostgresResource
) -> dg.MaterializeResult:
    changed = refresh_posting_quality(postgres.target())
    context.log.info("%d postings changed", changed)
    return dg.MaterializeResult(metadata={"postings_changed": changed})


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "match_scores",
            deps=[dg.AssetDep(match_model, partition_mapping=dg.AllPartitionMapping())],
            group_name=MODEL_GROUP,
            description="The champion's match score, confidence and factors on the swipes of a user shard (all of them for a new champion, else those not yet scored).",
        ),
        dg.AssetSpec(
            "recommendations",
            deps=[
                dg.AssetDep(match_model, partition_mapping=dg.AllPartitionMapping()),
                dg.AssetDep(posting_quality, partition_mapping=dg.AllPartitionMapping()),
            ],
            group_name=MODEL_GROUP,
            description="Each active user's top unseen open postings, ranked by the champion, for the users of a shard: the app's feed.",
        ),
    ],
    partitions_def=USER_SHARDS,
    # A run over a range of shards loads the shared snapshot once; parallel runs split the range.
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=WRITER_RETRY_POLICY,
    op_tags={"jobswipe/workload": "scoring_shards"},
    check_specs=[
        dg.AssetCheckSpec(
            "recommendations_are_unseen_and_open",
            asset="recommendations",
            blocking=True,
            description="No recommendation is a posting the user already swiped or one no longer open.",
        )
    ],
)
def match_scores(
    context: dg.AssetExecutionContext, config: ScoringConfig, postgres: PostgresResource
):
    target = postgres.target()
    shards = parse_shard_keys(context.partition_keys)
    report = score_and_recommend(target, full=True if config.full_rescore else None, shards=shards)
    context.log.info("%s", report)
    yield dg.MaterializeResult(
        asset_key="match_scores",
        metadata={
            "model_version": report.model_version,
            "shards": dg.MetadataValue.json(report.shards),
            "full_rescore": report.full_rescore,
            "swipes_scored": report.swipes_scored,
            "swipes_changed": report.swipes_updated,
        },
    )
    yield dg.MaterializeResult(
        asset_key="recommendations",
        metadata={
            "model_version": report.model_version,
            "shards": dg.MetadataValue.json(report.shards),
            "recommendations": report.recommendations,
            "users_with_recommendations": report.users_recommended,
        },
    )
    violations = recommendation_violations(target)
    yield dg.AssetCheckResult(
        asset_key="recommendations",
        check_name="recommendations_are_unseen_and_open",
        passed=violations == 0,
        metadata={"violations": violations},
    )


def _metrics_markdown(table: dict[str, dict[str, float]]) -> str:
    columns = ["roc_auc", "pr_auc", "log_loss", "calibration_error", "ndcg_at_10"]
    lines = ["| | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    lines += [
        f"| {name} | " + " | ".join(str(values[c]) for c in columns) + " |"
        for name, values in table.items()
    ]
    return "\n".join(lines)


def _inline_png(png: bytes, name: str) -> str:
    return f"![{name}](data:image/png;base64,{base64.b64encode(png).decode()})"


training_job = dg.define_asset_job(
    "train_match_model",
    selection=dg.AssetSelection.assets(match_model),
    partitions_def=monthly_partitions(),
    description="Trains the match-score model for one validation month and gates its promotion.",
)
scoring_job = dg.define_asset_job(
    "score_matches",
    selection=dg.AssetSelection.assets(match_scores),
    partitions_def=USER_SHARDS,
    tags={"jobswipe/workload": "scoring_shards"},
    description="Match scores and recommendations for a range of user shards.",
)
posting_quality_job = dg.define_asset_job(
    "refresh_posting_quality",
    selection=dg.AssetSelection.assets(posting_quality),
    description="Posting counters and quality scores from the facts.",
)


def scoring_run_requests(run_key: str, parallel_runs: int | None = None) -> list[dg.RunRequest]:
    """Every shard, in ``parallel_runs`` runs of contiguous shard ranges (JOBSWIPE_SCORING_RUNS,
    default 1: one process loads the snapshot once)."""
    runs = parallel_runs or get_settings().scoring_runs
    return [
        dg.RunRequest(
            run_key=f"{run_key}:{first}-{last}",
            job_name=scoring_job.name,
            tags={
                "dagster/asset_partition_range_start": first,
                "dagster/asset_partition_range_end": last,
                "jobswipe/workload": "scoring_shards",
            },
        )
        for first, last in split_into_ranges(SHARD_COUNT, runs)
    ]


@dg.schedule(
    job=training_job,
    cron_schedule="0 4 2 * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Retrain monthly, validating on the month just ended.",
)
def monthly_retraining_schedule(context: dg.ScheduleEvaluationContext):
    first_of_month = context.scheduled_execution_time.date().replace(day=1)
    previous = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    return dg.RunRequest(run_key=previous.isoformat(), partition_key=previous.isoformat())


@dg.schedule(
    job=scoring_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily rescoring of every user shard, so recommendations age out closed and seen postings even on a day without feeds.",
)
def daily_rescoring_schedule(context: dg.ScheduleEvaluationContext):
    return scoring_run_requests(f"daily-{context.scheduled_execution_time:%Y-%m-%d}")


@dg.schedule(
    job=posting_quality_job,
    cron_schedule="30 4 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily posting counters and quality scores, before the daily rescoring.",
)
def daily_posting_quality_schedule(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=f"daily-{context.scheduled_execution_time:%Y-%m-%d}")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job, training_job],
    request_jobs=[posting_quality_job, scoring_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After every successful ingest and every training run: posting quality, then every user shard rescored.",
)
def rescore_after_ingest_or_training(context: dg.RunStatusSensorContext):
    run_id = context.dagster_run.run_id
    return [
        dg.RunRequest(run_key=f"after-{run_id}", job_name=posting_quality_job.name),
        *scoring_run_requests(f"after-{run_id}"),
    ]
