"""The ingestion asset in Dagster: metadata, blocking checks, and the landing-directory sensor."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from assets.activity import app_activity
from assets.ingestion import REJECT_RATE_CHECK, job_postings, landing_directory_sensor
from assets.schema import partition_maintenance, transactional_schema
from pipelines.db.connection import DatabaseTarget
from pipelines.ingest.load import ingest_file
from pipelines.resources import PostgresResource
from pipelines.settings import get_settings

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"


def run(
    target: DatabaseTarget, paths: list[str], with_downstream: bool = False
) -> dg.ExecuteInProcessResult:
    assets = [transactional_schema, job_postings] + (
        [partition_maintenance, app_activity] if with_downstream else []
    )
    return dg.materialize(
        assets,
        resources={"postgres": PostgresResource(database_url=target.sqlalchemy_url)},
        run_config={
            "ops": {
                "job_postings": {"config": {"paths": paths}},
                **(
                    {"app_activity": {"config": {"months": 1, "start_month": "2026-09"}}}
                    if with_downstream
                    else {}
                ),
            }
        },
        raise_on_error=False,
    )


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def test_asset_loads_files_and_reports_per_file(migrated_db: DatabaseTarget) -> None:
    result = run(
        migrated_db, [str(FEEDS / "greenhouse_acme.json"), f"file://{FEEDS / 'lever_globex.json'}"]
    )
    assert result.success
    metadata = result.asset_materializations_for_node("job_postings")[0].metadata
    assert metadata["files_loaded"].value == 2 and metadata["postings_inserted"].value == 6
    assert "greenhouse_acme.json" in metadata["files"].value
    assert check_results(result) == {"batch_expectations": True, "reject_rate": True}


def test_a_failing_blocking_check_stops_downstream_assets(migrated_db: DatabaseTarget) -> None:
    result = run(
        migrated_db, [str(FEEDS / "jobspy_indeed.csv")], with_downstream=True
    )  # 5 of 9 rows rejected
    assert check_results(result)[REJECT_RATE_CHECK] is False
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "job_postings" in materialized and "app_activity" not in materialized


def test_a_non_feed_fails_the_run_naming_the_file(migrated_db: DatabaseTarget) -> None:
    result = run(migrated_db, [str(FEEDS / "rejects" / "not_a_feed.txt")])
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "not_a_feed.txt" in str(failure.event_specific_data.error)


def test_sensor_requests_each_new_file_once(
    migrated_db: DatabaseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in ("lever_globex.json", "postings.json"):
        shutil.copy(FEEDS / name, landing / name)
    monkeypatch.setenv("JOBSWIPE_LANDING_DIR", str(landing))
    get_settings.cache_clear()
    try:
        resource = PostgresResource(database_url=migrated_db.sqlalchemy_url)
        with dg.build_sensor_context(resources={"postgres": resource}) as context:
            requests = landing_directory_sensor(context)
        assert sorted(r.tags["jobswipe/file"] for r in requests) == [
            "lever_globex.json",
            "postings.json",
        ]
        ingest_file(migrated_db, landing / "lever_globex.json")
        with dg.build_sensor_context(resources={"postgres": resource}) as context:
            requests = landing_directory_sensor(context)
        assert [r.tags["jobswipe/file"] for r in requests] == ["postings.json"]
        assert requests[0].run_config["ops"]["job_postings"]["config"]["paths"] == [
            str(landing / "postings.json")
        ]
    finally:
        get_settings.cache_clear()
