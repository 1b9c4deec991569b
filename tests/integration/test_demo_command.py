"""The README's main command, run as a newcomer would: `make demo` with DATABASE_URL unset.

It starts the embedded server (under a temporary state dir, so the first-run path is what is
tested), runs every asset and prints the summary.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from pipelines.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_make_demo_runs_end_to_end_on_the_embedded_server(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JOBSWIPE_DATABASE_URL")
    }
    env["JOBSWIPE_STATE_DIR"] = str(tmp_path / "state")
    # The leak search below reads everything a DEBUG run logs and every event of its runs.
    env["JOBSWIPE_LOG_LEVEL"] = "DEBUG"
    env["JOBSWIPE_EVENT_LOG"] = str(tmp_path / "events.log")
    completed = subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-5000:]
    assert "embedded server" in output
    assert "PostgreSQL 18" in output
    assert "38 enum types" in output
    assert "marts built for months" in output
    assert re.search(r"asset checks: [1-9]\d* passed, 0 failed", output), output[-3000:]
    assert "placed 11 sample feeds" in output
    assert (tmp_path / "state" / "pgdata" / "PG_VERSION").exists()
    # The match model was trained, promoted and its metrics table printed; the funnel drawn.
    assert re.search(r"model v\d+ \(CHAMPION\)", output), output[-3000:]
    assert "ROC AUC" in output and "popularity" in output
    assert (tmp_path / "state" / "artifacts" / "application_funnel.png").read_bytes()[
        :4
    ] == b"\x89PNG"
    # The KPI report asset was materialised after the marts, every section drawn.
    page = (tmp_path / "state" / "reports" / "kpi.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 6 and 'class="empty"' not in page

    # The demo's runs are recorded in the state dir's Dagster instance: `jobswipe status` (the
    # virtualenv's own executable, as the README lists it) sees every served asset fresh.
    status = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "jobswipe"), "status", "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(status.stdout)
    assert status.returncode == 0 and report["healthy"], report["problems"]
    fresh = {a["asset"] for a in report["assets"] if a["max_age_hours"] and not a["stale"]}
    assert {"job_postings", "posting_quality", "match_scores", "recommendations"} <= fresh
    assert "marts/mart_application_funnel_monthly" in fresh
    assert report["champion"]["metrics"]["roc_auc"] > 0.5
    output += status.stdout + status.stderr

    assert_no_pii_leaks(
        tmp_path / "state",
        [("demo output", output), ("Dagster events", (tmp_path / "events.log").read_text())],
    )


def assert_no_pii_leaks(state: Path, texts: list[tuple[str, str]]) -> None:
    """Zero hits: the simulated users' emails, names and phones and the PII key appear in no
    log line, run event, mart, staging view, reject, registry text or artifact (plots too)."""
    from tests.hostile.leaks import scan_state

    report = scan_state(state, texts)
    assert report.secrets > 300 and report.planted_found  # the search can find a leak
    assert {where: found[:3] for where, found in report.found.items()} == {}
    assert report.haystacks > 20
