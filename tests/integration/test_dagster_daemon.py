"""The daemon, started for real against PostgreSQL-backed storage (deploy/dagster.yaml):
a sensor tick and a schedule tick each launch their run, the runs succeed, and two runs whose
steps share a concurrency pool do not overlap."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType

from pipelines.settings import PROJECT_ROOT

FEEDS = PROJECT_ROOT / "tests" / "fixtures" / "feeds"
# Generous: on a starved machine (30% CPU steal, seen 2026-12-01) each run's subprocess took a
# minute to start its step, and two ingests with their checks passed four minutes.
DEADLINE_SECONDS = 600


def _wait_for(condition, what: str, daemon: subprocess.Popen, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        assert daemon.poll() is None, f"the daemon exited: {log.read_text()[-3000:]}"
        time.sleep(2)
    pytest.fail(f"timed out waiting for {what}: {log.read_text()[-3000:]}")


def _step_window(instance: dg.DagsterInstance, run_id: str) -> tuple[float, float]:
    start = instance.all_logs(run_id, of_type=DagsterEventType.STEP_START)
    end = instance.all_logs(run_id, of_type=DagsterEventType.STEP_SUCCESS)
    return start[0].timestamp, end[0].timestamp


def test_daemon_ticks_sensor_and_schedule_and_serialises_a_pool(
    databases, migrated_db, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    storage = databases.empty("daemon_storage")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in ("greenhouse_acme.json", "lever_globex.json"):
        shutil.copyfile(FEEDS / name, landing / name)
    (tmp_path / "workspace.yaml").write_text(
        "load_from:\n  - python_file:\n"
        f"      relative_path: {PROJECT_ROOT / 'tests' / 'fixtures' / 'daemon_definitions.py'}\n"
        f"      working_directory: {PROJECT_ROOT}\n"
        "      attribute: definitions\n"
        "      location_name: jobswipe\n"
    )
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": storage.host,
        "DAGSTER_PG_PORT": str(storage.port),
        "DAGSTER_PG_USERNAME": storage.user,
        "DAGSTER_PG_PASSWORD": storage.password or "",
        "DAGSTER_PG_DB": storage.database,
        "DATABASE_URL": migrated_db.sqlalchemy_url,
        "JOBSWIPE_LANDING_DIR": str(landing),
    }
    log = tmp_path / "daemon.log"
    with log.open("w") as out:
        daemon = subprocess.Popen(
            [
                str(PROJECT_ROOT / ".venv" / "bin" / "dagster-daemon"),
                "run",
                "-w",
                str(tmp_path / "workspace.yaml"),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    for name, value in env.items():
        if name.startswith("DAGSTER_"):
            os.environ[name] = value
    try:
        instance = dg.DagsterInstance.from_config(str(home))

        def runs(tag: str, value: str) -> list[dg.DagsterRun]:
            return list(instance.get_runs(filters=dg.RunsFilter(tags={tag: value})))

        def finished(found: list[dg.DagsterRun], count: int) -> bool:
            return len(found) >= count and all(r.is_finished for r in found)

        _wait_for(
            lambda: finished(runs("dagster/sensor_name", "landing_directory_sensor"), 2),
            "the landing sensor's two ingest runs",
            daemon,
            log,
        )
        _wait_for(
            lambda: finished(
                runs("dagster/schedule_name", "partition_maintenance_every_minute"), 1
            ),
            "the schedule's run",
            daemon,
            log,
        )
        ingests = runs("dagster/sensor_name", "landing_directory_sensor")
        assert {r.job_name for r in ingests} == {"ingest_job_postings"}
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in ingests), [
            r.status for r in ingests
        ]
        (scheduled,) = runs("dagster/schedule_name", "partition_maintenance_every_minute")
        assert (
            scheduled.job_name == "schema_upkeep"
            and scheduled.status == dg.DagsterRunStatus.SUCCESS
        )
        # The two ingest runs ran at the same time, but their job_postings steps (pool
        # transactional_bulk_writes, limit 1) one after the other.
        first, second = sorted(_step_window(instance, r.run_id) for r in ingests)
        assert first[1] <= second[0], "two steps of one pool overlapped"
        instance.dispose()
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
        for name in env:
            if name.startswith("DAGSTER_"):
                os.environ.pop(name, None)
