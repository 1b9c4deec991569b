"""Knowing when something is wrong: failed runs recorded and alerted, freshness checked."""

from __future__ import annotations

import datetime as dt
import os
import warnings

import dagster as dg

from assets.activity import app_activity
from assets.ingestion import job_postings
from assets.marts import jobswipe_dbt
from assets.match_model import posting_quality
from pipelines.alerts import (
    AlertError,
    RunFailure,
    mark_alert,
    post_alert,
    record_failure,
    summarize_error,
)
from pipelines.freshness import EXPECTATIONS
from pipelines.resources import PostgresResource

OPERATIONS_GROUP = "operations"


def _freshness_checks() -> list[dg.AssetChecksDefinition]:
    marts = [spec.key for spec in jobswipe_dbt.specs if spec.group_name == "marts"]
    targets: dict[str, list] = {
        "job_postings": [job_postings],
        "posting_quality": [posting_quality],
        "match_scores": [dg.AssetKey("match_scores")],
        "recommendations": [dg.AssetKey("recommendations")],
        "marts": marts,
    }
    checks: list[dg.AssetChecksDefinition] = []
    for expectation in EXPECTATIONS:
        checks.extend(
            dg.build_last_update_freshness_checks(
                assets=targets[expectation.group],
                lower_bound_delta=expectation.max_age,
                severity=dg.AssetCheckSeverity.ERROR,
            )
        )
    return checks


# Freshness as asset checks evaluated by a sensor (Dagster marks these builders superseded by
# FreshnessPolicy, which needs the separate freshness daemon and yields no check results): the
# results sit beside every other check, in the UI and in `jobswipe status`.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    FRESHNESS_CHECKS = _freshness_checks()
    freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=FRESHNESS_CHECKS,
        minimum_interval_seconds=600,
        name="freshness_checks_sensor",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )


@dg.run_failure_sensor(
    name="record_and_alert_run_failures",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Every failed run: recorded in pipeline_run_failures (job, partition, step, error) and POSTed to JOBSWIPE_ALERT_WEBHOOK when set.",
)
def record_and_alert_run_failures(context: dg.RunFailureSensorContext, postgres: PostgresResource):
    failure = failure_of(context)
    with postgres.connect() as conn:
        if not record_failure(conn, failure):
            return  # already recorded (a sensor tick retried)
    webhook = postgres.settings().alert_webhook
    if not webhook:
        return
    error: str | None = None
    try:
        post_alert(webhook, failure.payload(ui_url=_ui_url()))
    except AlertError as exc:
        error = str(exc)
        context.log.warning("alert for run %s not delivered: %s", failure.run_id, error)
    with postgres.connect() as conn:
        mark_alert(conn, failure.run_id, error)


def failure_of(context: dg.RunFailureSensorContext) -> RunFailure:
    run = context.dagster_run
    steps = context.get_step_failure_events()
    first_step = steps[0] if steps else None
    error = None
    if first_step is not None and first_step.step_failure_data.error is not None:
        error = first_step.step_failure_data.error.message
    elif context.failure_event.message:
        error = context.failure_event.message
    tags = run.tags
    partition = tags.get("dagster/partition") or (
        f"{tags['dagster/asset_partition_range_start']}..{tags['dagster/asset_partition_range_end']}"
        if "dagster/asset_partition_range_start" in tags
        else None
    )
    return RunFailure(
        run_id=run.run_id,
        job_name=run.job_name,
        partition_key=partition,
        step_key=first_step.step_key if first_step else None,
        error_summary=summarize_error(error),
        failed_at=_ended_at(context),
    )


def _ended_at(context: dg.RunFailureSensorContext) -> dt.datetime:
    ended = context.instance.get_run_stats(context.dagster_run.run_id).end_time
    moment = dt.datetime.fromtimestamp(ended, dt.UTC) if ended else dt.datetime.now(dt.UTC)
    return moment.replace(tzinfo=None)


def _ui_url() -> str | None:
    return os.environ.get("JOBSWIPE_DAGSTER_URL")


simulation_job = dg.define_asset_job(
    "simulate_app_activity",
    selection=dg.AssetSelection.assets(app_activity),
    description="Synthetic app activity (staging and demo environments only).",
)


@dg.schedule(
    job=simulation_job,
    cron_schedule="0 0 1 * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Staging only: simulated activity for the month just ended. Off by default; production data comes from the app.",
)
def monthly_simulated_activity(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=f"{context.scheduled_execution_time:%Y-%m}")
