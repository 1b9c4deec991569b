"""The README's pictures of the running `jobswipe dagster` UI, taken by headless Chromium.

`make screenshots`: runs the demo into a state dir of its own (so the instance holds real runs),
starts `jobswipe dagster` on a free loopback port, waits for its GraphQL API, then has Debian's
`chromium` render the asset graph and the run timeline into docs/images/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IMAGES = PROJECT_ROOT / "docs" / "images"
VENV_BIN = Path(sys.executable).parent
PAGES = {
    "dagster-asset-graph.png": "/asset-groups",
    "dagster-match-model-group.png": "/locations/pipelines.definitions/asset-groups/match_model",
    "dagster-run-timeline.png": "/overview/activity/timeline",
    "dagster-automation.png": "/automation",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_ui(url: str, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    query = json.dumps({"query": "{ repositoriesOrError { __typename } }"}).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("jobswipe dagster exited before its UI came up")
        try:
            request = urllib.request.Request(
                f"{url}/graphql", data=query, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                if b"RepositoryConnection" in response.read():
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"the UI at {url} did not come up in {timeout:.0f} s")


def graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


# What a day's schedules launch, as the daemon runs them: upkeep, posting quality, the scoring
# shards in two runs side by side, the marts of the last two months.
DAY_OF_RUNS: list[tuple[str, dict[str, str]]] = [
    ("schema_upkeep", {}),
    ("refresh_posting_quality", {}),
    ("score_matches", {"dagster/asset_partition_range_start": "00", "dagster/asset_partition_range_end": "07"}),
    ("score_matches", {"dagster/asset_partition_range_start": "08", "dagster/asset_partition_range_end": "15"}),
]  # fmt: skip


def launch_a_day(url: str, env: dict[str, str], months: list[str]) -> None:
    dagster = str(VENV_BIN / "dagster")
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    runs = DAY_OF_RUNS + [("build_marts", {"dagster/partition": month}) for month in months]
    for job, tags in runs:
        subprocess.run(
            [dagster, "job", "launch", "-w", workspace, "--job", job, "--tags", json.dumps(tags)],
            env=env,
            check=True,
            capture_output=True,
            cwd=PROJECT_ROOT,
        )
    unfinished = "{ runsOrError(filter: {statuses: [QUEUED, NOT_STARTED, STARTING, STARTED]}) { ... on Runs { results { runId } } } }"
    deadline = time.monotonic() + 900
    while graphql(url, unfinished)["runsOrError"]["results"]:
        if time.monotonic() > deadline:
            raise SystemExit("the launched runs did not finish in 15 minutes")
        time.sleep(3)


# The KPI report's page is tall: the whole of it in one picture.
KPI_WINDOW = "1400,2000"


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("Debian's chromium is needed: apt-get install chromium")


def screenshot(browser: str, url: str, destination: Path, window: str = "1600,1000") -> None:
    """Headless Chromium's picture of ``url``; no network beyond the page (this machine has none)."""
    with tempfile.TemporaryDirectory(prefix="jobswipe-chromium-") as profile:
        subprocess.run(
            [
                browser,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                f"--window-size={window}",
                "--virtual-time-budget=25000",
                f"--screenshot={destination}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    shown = (
        destination.relative_to(PROJECT_ROOT)
        if destination.is_relative_to(PROJECT_ROOT)
        else destination
    )
    print(f"{shown} <- {url}")


def main() -> None:
    browser = chromium()
    state = Path(tempfile.mkdtemp(prefix="jobswipe-screenshots-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DAGSTER_HOME")}
    env["JOBSWIPE_STATE_DIR"] = str(state)
    jobswipe = str(VENV_BIN / "jobswipe")
    subprocess.run([jobswipe, "demo"], env=env, check=True, capture_output=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    screenshot(
        browser, (state / "reports" / "kpi.html").as_uri(), IMAGES / "kpi-report.png", KPI_WINDOW
    )
    port = free_port()
    ui = subprocess.Popen(
        [jobswipe, "dagster", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_ui(url, ui)
        today = dt.date.today().replace(day=1)
        previous = (today - dt.timedelta(days=1)).replace(day=1)
        launch_a_day(
            url,
            {**env, "DAGSTER_HOME": str(state / "dagster")},
            [previous.isoformat(), today.isoformat()],
        )
        IMAGES.mkdir(parents=True, exist_ok=True)
        for name, path in PAGES.items():
            screenshot(browser, url + path, IMAGES / name)
    finally:
        os.killpg(ui.pid, signal.SIGTERM)
        ui.wait(timeout=60)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
