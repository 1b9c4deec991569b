"""Every CLI option and Dagster config value that reaches SQL or the filesystem, tried with
injection and traversal strings: none executes, none escapes, none ends in a traceback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from assets.ingestion import IngestConfig, _paths_to_ingest
from pipelines.cli import app
from pipelines.db.connection import DatabaseTarget
from pipelines.ingest.load import IngestError
from pipelines.months import parse_month
from pipelines.resources import PostgresResource
from pipelines.settings import get_settings

HOSTILE = [
    "'; DROP TABLE canary; --",
    "1 OR 1=1",
    "../../../../etc/passwd",
    "$(touch PWNED)",
    "`touch PWNED`",
    "2026-01'; DROP TABLE canary;--",
    "%s%s%s%n",
    "file:///etc/passwd",
    "http://127.0.0.1:9/feed.csv",
    "-1",
    "99999999999999999999999",
]
# Commands whose arguments reach SQL or the filesystem; {} is the hostile value.
COMMANDS = [
    ["ingest", "{}"],
    ["ingest", "--mapping-file", "{}", "SAMPLE"],
    ["simulate", "--scale", "{}", "--months", "1"],
    ["simulate", "--start", "{}", "--months", "1"],
    ["simulate", "--months", "{}"],
    ["model", "train", "--validation-month", "{}"],
    ["model", "rollback", "--to", "{}"],
    ["model", "score", "--top-n", "{}"],
    ["model", "list", "--limit", "{}"],
    ["gdpr", "export", "{}"],
    ["gdpr", "anonymize", "{}"],
    ["gdpr", "export", "00000000-0000-4000-8000-000000000000", "--out", "{}"],
    ["migrate", "{}"],
    ["downgrade", "{}"],
    ["partitions", "--months-ahead", "{}"],
    ["rejects", "--limit", "{}"],
]
SAMPLE = str(Path(__file__).resolve().parent.parent / "fixtures" / "feeds" / "postings.json")


@pytest.fixture
def cli_database(migrated_db: DatabaseTarget, tmp_path: Path) -> Iterator[DatabaseTarget]:
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        conn.execute("CREATE TABLE canary (alive boolean)")
        conn.execute("INSERT INTO canary VALUES (true)")
    saved = dict(os.environ)
    os.environ["DATABASE_URL"] = migrated_db.sqlalchemy_url
    get_settings.cache_clear()
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield migrated_db
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


def test_no_option_executes_or_escapes(cli_database: DatabaseTarget, tmp_path: Path) -> None:
    runner = CliRunner()
    tried = 0
    failures: list[str] = []
    for command in COMMANDS:
        for value in HOSTILE:
            args = [
                value if part == "{}" else SAMPLE if part == "SAMPLE" else part for part in command
            ]
            result = runner.invoke(app, args)
            tried += 1
            unexpected = result.exception if not isinstance(result.exception, SystemExit) else None
            if unexpected is not None or "Traceback" in result.output:
                failures.append(f"{args}: {type(unexpected).__name__}: {unexpected}")
    assert failures == [], "\n".join(failures)
    with psycopg.connect(**cli_database.libpq_kwargs) as conn:  # type: ignore[arg-type]
        assert conn.execute("SELECT alive FROM canary").fetchall() == [(True,)]
        assert conn.execute("SELECT to_regclass('users') IS NOT NULL").fetchone() == (True,)
    assert not list(tmp_path.rglob("PWNED")) and not Path("/PWNED").exists()
    # Files the user names are written where named, literally: no shell, no expansion.
    outside = {p.name for p in tmp_path.iterdir()}
    assert outside <= {"$(touch PWNED)", "`touch PWNED`", "%s%s%s%n", "-1", "1 OR 1=1",
                       "'; DROP TABLE canary; --", "2026-01'; DROP TABLE canary;--",
                       "99999999999999999999999", "file:", "http:"}  # fmt: skip
    assert tried == len(COMMANDS) * len(HOSTILE)


@pytest.mark.parametrize("value", HOSTILE)
def test_months_are_checked_before_they_reach_anything(value: str) -> None:
    with pytest.raises(ValueError, match="not a month"):
        parse_month(value)


def test_dagster_run_config_cannot_read_outside_the_allowed_roots(
    migrated_db: DatabaseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "ok.csv").write_text("title,company\nChef,Acme\n", encoding="utf-8")
    (landing / "escape.csv").symlink_to("/etc/passwd")
    monkeypatch.setenv("JOBSWIPE_LANDING_DIR", str(landing))
    get_settings.cache_clear()
    postgres = PostgresResource(database_url=migrated_db.sqlalchemy_url)
    try:
        assert _paths_to_ingest(IngestConfig(paths=[str(landing / "ok.csv")]), postgres) == [
            (landing / "ok.csv").resolve()
        ]
        for hostile in (
            str(landing / ".." / ".." / ".." / "etc" / "passwd"),
            "/etc/passwd",
            f"file://{landing}/../../../etc/passwd",
            str(landing / "escape.csv"),
            "http://127.0.0.1:9/feed.csv",
        ):
            with pytest.raises(IngestError):
                _paths_to_ingest(IngestConfig(paths=[hostile]), postgres)
    finally:
        get_settings.cache_clear()
