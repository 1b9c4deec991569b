"""The one Dagster Definitions object: every asset, check, job, schedule, sensor and resource."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from assets import activity, ingestion, marts, match_model, operations, report, schema
from pipelines.dbt import dbt_executable, dbt_project
from pipelines.resources import PostgresResource
from pipelines.schedules import JOBS, SCHEDULES

defs = dg.Definitions(
    assets=[
        *dg.load_assets_from_modules([schema, ingestion, activity, match_model, marts, report]),
        *marts.transactional_tables(),
    ],
    asset_checks=[
        *dg.load_asset_checks_from_modules([schema, ingestion, activity, match_model, marts]),
        *operations.FRESHNESS_CHECKS,
    ],
    jobs=[
        *JOBS,
        ingestion.ingest_job,
        marts.marts_job,
        report.kpi_report_job,
        match_model.training_job,
        match_model.scoring_job,
        match_model.posting_quality_job,
        operations.simulation_job,
    ],
    sensors=[
        ingestion.landing_directory_sensor,
        match_model.rescore_after_ingest_or_training,
        operations.record_and_alert_run_failures,
        operations.freshness_sensor,
    ],
    schedules=[
        *SCHEDULES,
        marts.marts_daily_schedule,
        report.kpi_report_schedule,
        match_model.monthly_retraining_schedule,
        match_model.daily_posting_quality_schedule,
        match_model.daily_rescoring_schedule,
        operations.monthly_simulated_activity,
    ],
    # Steps of a run in their own processes; the pools and the run queue limit what runs at once.
    executor=dg.multiprocess_executor.configured({"max_concurrent": 2}),
    resources={
        "postgres": PostgresResource(),
        "dbt": DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable()),
    },
)
