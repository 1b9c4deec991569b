"""The one Definitions object loads, with every schedule, sensor and job the platform runs, and
the operational policies a production deployment relies on."""

from __future__ import annotations

import dagster as dg

# What starts ticking when a deployment first opens, and what an operator switches on.
RUNNING_SCHEDULES = {
    "daily_partition_maintenance", "daily_data_retention", "marts_daily_schedule",
    "monthly_retraining_schedule", "daily_posting_quality_schedule", "daily_rescoring_schedule",
    "daily_kpi_report",
}  # fmt: skip
STOPPED_SCHEDULES = {"monthly_simulated_activity"}
RUNNING_SENSORS = {
    "landing_directory_sensor", "rescore_after_ingest_or_training",
    "record_and_alert_run_failures", "freshness_checks_sensor",
}  # fmt: skip
WRITING_ASSETS = {
    "transactional_schema", "partition_maintenance", "data_retention", "job_postings",
    "app_activity", "match_model", "posting_quality", "match_scores", "recommendations",
}  # fmt: skip
POOLS = {
    "job_postings": "transactional_bulk_writes", "app_activity": "transactional_bulk_writes",
    "posting_quality": "transactional_bulk_writes", "data_retention": "transactional_bulk_writes",
    "marts/mart_application_funnel_monthly": "dbt_marts",
}  # fmt: skip


def test_definitions_load_with_schedules_sensors_and_jobs() -> None:
    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    repository = defs.get_repository_def()
    assert {s.name for s in repository.schedule_defs} == RUNNING_SCHEDULES | STOPPED_SCHEDULES
    assert {s.name for s in repository.sensor_defs} == RUNNING_SENSORS
    assert {
        "ingest_job_postings", "build_marts", "train_match_model", "score_matches",
        "refresh_posting_quality", "schema_upkeep", "gdpr_retention", "simulate_app_activity",
        "build_kpi_report",
    } <= set(repository.job_names)  # fmt: skip
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "job_postings",
        "app_activity",
        "match_model",
        "match_scores",
        "recommendations",
        "posting_quality",
        "marts/mart_application_funnel_monthly",
        "kpi_report",
    } <= keys


def test_production_schedules_and_sensors_start_running() -> None:
    from pipelines.definitions import defs

    repository = defs.get_repository_def()
    for schedule in repository.schedule_defs:
        expected = (
            dg.DefaultScheduleStatus.RUNNING
            if schedule.name in RUNNING_SCHEDULES
            else dg.DefaultScheduleStatus.STOPPED
        )
        assert schedule.default_status == expected, schedule.name
    for sensor in repository.sensor_defs:
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING, sensor.name


def test_writing_assets_retry_with_backoff_and_bulk_writers_share_pools() -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    for name in WRITING_ASSETS:
        key = dg.AssetKey.from_user_string(name)
        policy = graph.get(key).assets_def.op.retry_policy
        assert policy is not None and policy.max_retries >= 3, name
        assert policy.backoff == dg.Backoff.EXPONENTIAL, name
    for name, pool in POOLS.items():
        assets_def = graph.get(dg.AssetKey.from_user_string(name)).assets_def
        assert assets_def.op.pool == pool, name
    # Scoring shards are not in a pool (their runs go side by side) but carry the run tag the
    # run queue limits.
    scoring = graph.get(dg.AssetKey("match_scores")).assets_def
    assert scoring.op.tags["jobswipe/workload"] == "scoring_shards"
