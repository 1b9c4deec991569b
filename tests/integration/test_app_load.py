"""The app's workload (16 connections as application_user, RLS applied) idle and while an ingest
runs: the small CI version of `python -m benchmarks.app_load`. No timing assertions: only that
nothing but the expected unique violations fails, nothing deadlocks, and counters and scores are
consistent afterwards."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from benchmarks.app_load import app_login, consistency, load_world, run_load
from benchmarks.ingest_throughput import generate_feed
from pipelines.db.connection import DatabaseTarget
from pipelines.ingest.load import ingest_file


def test_app_workload_idle_and_beside_an_ingest(databases, scored_template, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target: DatabaseTarget = databases.clone(scored_template, "load")
    app = app_login(target)
    world = load_world(target)
    idle = asyncio.run(run_load(app, target, world, phase="idle", rate=60, seconds=3))
    feed = tmp_path / "pipeline.csv"
    generate_feed(feed, 5_000)
    ingest = threading.Thread(target=lambda: ingest_file(target, feed))
    ingest.start()
    busy = asyncio.run(
        run_load(app, target, world, phase="busy", rate=60, seconds=30, seed=2,
                 until=lambda: not ingest.is_alive(), min_seconds=3)
    )  # fmt: skip
    ingest.join(timeout=300)
    for result in (idle, busy):
        assert result.requests > 50
        assert sum(result.errors.values()) == 0, result.errors
        assert result.deadlocks == 0
        assert result.latencies["recommendations"], "the feed was read under RLS"
    assert consistency(target) == {"postings with wrong counters": 0, "swipes without a score": 0}
