"""The match-score model: monthly training with a promotion gate, then scores for the app."""

import base64
import datetime as dt

import dagster as dg

from assets.activity import app_activity
from assets.ingestion import ingest_job, job_postings
from pipelines.partitions import monthly_partitions
from pipelines.resources import WRITER_RETRY_POLICY, PostgresResource
from pipelines.scoring.service import (
    recommendation_violations,
    score_and_recommend,
    train_and_register,
)

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


@dg.asset(
    retry_policy=WRITER_RETRY_POLICY,
    group_name=MODEL_GROUP,
    deps=[match_model],
    description="With the champion: match score, confidence and factors on swipes (all of them for a new champion, else those not yet scored); posting quality and counters; each active user's top unseen postings.",
    check_specs=[
        dg.AssetCheckSpec(
            "recommendations_are_unseen_and_open", asset="match_scores", blocking=True
        )
    ],
)
def match_scores(
    context: dg.AssetExecutionContext, config: ScoringConfig, postgres: PostgresResource
):
    target = postgres.target()
    report = score_and_recommend(target, full=True if config.full_rescore else None)
    context.log.info("%s", report)
    yield dg.MaterializeResult(
        metadata={
            "model_version": report.model_version,
            "full_rescore": report.full_rescore,
            "swipes_scored": report.swipes_scored,
            "swipes_changed": report.swipes_updated,
            "postings_changed": report.postings_updated,
            "recommendations": report.recommendations,
            "users_with_recommendations": report.users_recommended,
        }
    )
    violations = recommendation_violations(target)
    yield dg.AssetCheckResult(
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
)
scoring_job = dg.define_asset_job("score_matches", selection=dg.AssetSelection.assets(match_scores))


@dg.schedule(
    job=training_job,
    cron_schedule="0 4 2 * *",
    execution_timezone="UTC",
    description="Retrain monthly, validating on the month just ended.",
)
def monthly_retraining_schedule(context: dg.ScheduleEvaluationContext):
    first_of_month = context.scheduled_execution_time.date().replace(day=1)
    previous = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    return dg.RunRequest(run_key=previous.isoformat(), partition_key=previous.isoformat())


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job, training_job],
    request_job=scoring_job,
    description="Rescore after every successful ingest and every training run.",
)
def rescore_after_ingest_or_training(context: dg.RunStatusSensorContext):
    return dg.RunRequest(run_key=f"after-{context.dagster_run.run_id}")
