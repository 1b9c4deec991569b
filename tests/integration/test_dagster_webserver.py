"""`jobswipe dagster`, run as the README lists it (the virtualenv's own executable, no activated
virtualenv): the webserver and the daemon come up on a loopback port, and the GraphQL API lists
every asset, check, schedule, sensor and job, each with a description and a group."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest

from pipelines.settings import PROJECT_ROOT
from tools.screenshots import free_port, graphql

QUERY = """
{
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes {
        name
        location { name }
        assetNodes {
          assetKey { path }
          description
          groupName
          assetChecksOrError { ... on AssetChecks { checks { name description } } }
        }
        schedules { name description }
        sensors { name description }
        jobs { name description }
      }
    }
  }
}
"""


@pytest.fixture(scope="module")
def webserver(
    tmp_path_factory: pytest.TempPathFactory, databases, migrated_template
) -> Iterator[str]:  # type: ignore[no-untyped-def]
    state = tmp_path_factory.mktemp("state")
    target = databases.clone(migrated_template, "webserver")
    port = free_port()
    log = state / "dagster.log"
    # No PATH to the virtualenv: `jobswipe dagster` must find its own executables.
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "VIRTUAL_ENV")}
    env.update(
        PATH="/usr/bin:/bin",
        JOBSWIPE_STATE_DIR=str(state),
        JOBSWIPE_LANDING_DIR=str(state / "landing"),
        DATABASE_URL=target.sqlalchemy_url,
    )
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(PROJECT_ROOT / ".venv" / "bin" / "jobswipe"), "dagster", "--port", str(port)],
            cwd=state,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                data = graphql(url, QUERY)
                if (
                    data["repositoriesOrError"]["__typename"] == "RepositoryConnection"
                    and (data["repositoriesOrError"]["nodes"])
                ):
                    break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def test_graphql_lists_every_definition_with_a_description_and_group(webserver: str) -> None:
    (repository,) = graphql(webserver, QUERY)["repositoriesOrError"]["nodes"]
    assets = repository["assetNodes"]
    keys = {"/".join(a["assetKey"]["path"]) for a in assets}
    assert {
        "job_postings", "app_activity", "match_model", "match_scores", "recommendations",
        "posting_quality", "transactional_schema", "partition_maintenance", "data_retention",
        "marts/mart_application_funnel_monthly", "tables/user_job_swipes",
    } <= keys  # fmt: skip
    undocumented = [
        "/".join(a["assetKey"]["path"])
        for a in assets
        if not (a["description"] or "").strip() or not a["groupName"]
    ]
    assert undocumented == []
    checks = [
        (("/".join(a["assetKey"]["path"])), c)
        for a in assets
        for c in (a["assetChecksOrError"] or {}).get("checks", [])
    ]
    assert len(checks) > 40
    assert {name for _, c in checks for name in [c["name"]]} >= {
        "beats_baselines",
        "recommendations_are_unseen_and_open",
        "freshness_check",
    }
    assert [f"{key}:{c['name']}" for key, c in checks if not (c["description"] or "").strip()] == []
    for kind in ("schedules", "sensors", "jobs"):
        entries = [e for e in repository[kind] if not e["name"].startswith("__")]
        assert entries, kind
        assert [e["name"] for e in entries if not (e["description"] or "").strip()] == [], kind
    assert {s["name"] for s in repository["sensors"]} >= {
        "record_and_alert_run_failures",
        "freshness_checks_sensor",
    }


def test_jobswipe_dagster_keeps_its_instance_in_the_state_dir(webserver: str) -> None:
    data = graphql(
        webserver, "{ instance { daemonHealth { allDaemonStatuses { daemonType required } } } }"
    )
    daemons = {d["daemonType"] for d in data["instance"]["daemonHealth"]["allDaemonStatuses"]}
    assert {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"} <= daemons


def test_webserver_serves_the_ui(webserver: str) -> None:
    with urllib.request.urlopen(f"{webserver}/", timeout=30) as response:
        page = response.read().decode()
    assert response.status == 200 and '<div id="root"' in page.replace("'", '"')
