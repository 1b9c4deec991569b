"""Every command of the README's `jobswipe` table, run as a user runs it: the virtualenv's own
executable, a real database, one process per command. A README row without a run here fails."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from pipelines.db.connection import DatabaseTarget
from tests.integration.test_ingestion import FEEDS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
JOBSWIPE = Path(sys.executable).with_name("jobswipe")
# Commands run elsewhere, as a user would: the demo (make demo, test_demo_command.py) and the
# webserver with its daemon (test_dagster_webserver.py).
TESTED_ELSEWHERE = {"demo", "dagster"}


def readme_commands() -> set[str]:
    """The first word(s) after `jobswipe` in each row of the README's command table."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## The `jobswipe` command", 1)[1].split("\n## ", 1)[0]
    commands = set()
    for cell in re.findall(r"^\| (.+?) \|", table, flags=re.MULTILINE):
        for invocation in re.findall(r"`jobswipe ([^`]+)`", cell):
            words = invocation.split()
            commands.add(" ".join(words[:2]) if words[0] in {"model", "gdpr"} else words[0])
    return commands


class Cli:
    def __init__(self, target: DatabaseTarget, state: Path) -> None:
        url = f"postgresql://{target.user}@{target.host}:{target.port}/{target.database}"
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "JOBSWIPE_STATE_DIR": str(state),
            "COLUMNS": "200",
        }
        self.ran: set[str] = set()

    def __call__(self, *arguments: str, expect: tuple[int, ...] = (0,)) -> str:
        completed = subprocess.run(
            [str(JOBSWIPE), *arguments], env=self.env, capture_output=True, text=True,
            check=False, timeout=900, cwd=PROJECT_ROOT,
        )  # fmt: skip
        output = completed.stdout + completed.stderr
        assert completed.returncode in expect, f"jobswipe {' '.join(arguments)}: {output}"
        assert "Traceback" not in output
        self.ran.add(" ".join(arguments[:2]) if arguments[0] in {"model", "gdpr"} else arguments[0])
        return completed.stdout


@pytest.fixture(scope="module")
def cli(databases, tmp_path_factory: pytest.TempPathFactory) -> Cli:  # type: ignore[no-untyped-def]
    target = databases.empty("readme_commands")
    return Cli(target, tmp_path_factory.mktemp("state"))


def test_every_readme_command_runs_as_a_user_runs_it(cli: Cli, tmp_path: Path) -> None:
    cli("migrate")
    cli("ingest", str(FEEDS))
    listing = tmp_path / "rejects.csv"
    cli("rejects", "--csv", str(listing))
    assert listing.read_text(encoding="utf-8").count("\n") >= 2  # a header and the bad rows
    assert "postings" in cli("repair-companies").lower()
    cli("simulate", "--scale", "small", "--months", "4", "--seed", "5", "--start", "2025-01")
    cli("model", "train")
    assert "CHAMPION" in cli("model", "list")
    cli("model", "score")
    cli("model", "rollback", "--to", "1")
    cli("partitions")
    cli("retention", "--dry-run")
    cli("rotate-keys")
    with psycopg.connect(cli.env["DATABASE_URL"]) as conn:
        row = conn.execute("SELECT id FROM users ORDER BY id LIMIT 1").fetchone()
    assert row is not None
    exported = json.loads(cli("gdpr", "export", str(row[0])))
    assert exported
    cli("gdpr", "anonymize", str(row[0]), "--dry-run")
    assert "job_postings" in cli("summary")
    status = json.loads(cli("status", "--json", expect=(0, 1)))
    assert "assets" in status or status
    report = tmp_path / "kpi.html"
    cli("report", "--out", str(report))
    assert report.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert "mau" in cli("mf", "list", "metrics")
    cli("dbt-docs")
    site = PROJECT_ROOT / "dbt_project" / "target" / "static_index.html"
    page = site.read_text(encoding="utf-8")
    assert "mart_engagement_monthly" in page and "fct_swipes" in page
    cli("downgrade", "base")
    with psycopg.connect(cli.env["DATABASE_URL"]) as conn:
        assert conn.execute("SELECT to_regclass('public.job_postings')").fetchone() == (None,)
    missing = readme_commands() - cli.ran - TESTED_ELSEWHERE
    assert missing == set(), f"README commands never run by this test: {missing}"
    assert readme_commands() >= {"model train", "gdpr export", "dbt-docs", "status"}
