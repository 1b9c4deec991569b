"""The one Definitions object loads, with every schedule, sensor and job the platform runs."""

from __future__ import annotations

import dagster as dg


def test_definitions_load_with_schedules_sensors_and_jobs() -> None:
    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    repository = defs.get_repository_def()
    assert {s.name for s in repository.schedule_defs} == {
        "daily_partition_maintenance", "daily_data_retention", "marts_daily_schedule", "monthly_retraining_schedule",
    }  # fmt: skip
    assert {s.name for s in repository.sensor_defs} == {
        "landing_directory_sensor",
        "rescore_after_ingest_or_training",
    }
    assert {"ingest_job_postings", "build_marts", "train_match_model", "score_matches"} <= set(
        repository.job_names
    )
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "job_postings",
        "app_activity",
        "match_model",
        "match_scores",
        "marts/mart_application_funnel_monthly",
    } <= keys
