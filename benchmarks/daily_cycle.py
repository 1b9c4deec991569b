"""One day of the platform's schedules on a production-sized database, step by step.

    python -m benchmarks.daily_cycle --scale large     # 100k users, ~10M swipes, 12 months
    python -m benchmarks.daily_cycle --scale medium    # 10k users, ~1M swipes

The world: the simulation's 12 months (2025-01 to 2025-12), yesterday's feed of 10k postings
ingested, a champion model trained, every swipe scored, recommendations served, every mart
built and retention run as of yesterday. It is prepared once (``--keep-world`` keeps it in a
template database and the day's inputs under benchmarks/results/, so later runs start here;
``--world-from DB`` starts from an already simulated database instead of simulating).

Then one more day arrives, 2026-01-01: the app's activity of that day (the simulator's 13th
month, cut to its first day) and one feed file of 10k new postings and 10k changed ones. The
platform does what its schedules do in a day, each step in its own process so its peak RSS is
its own: ingest, partition upkeep, incremental rescoring with recommendations for every active
user, the current month's marts, retention, the freshness checks; and, reported beside the
cycle, the refresh the sensor runs after an ingest (no new swipe). The table gives each step's
time and peak RSS, and the run's sizes; run both scales to read how each step grows with the
data (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.app_load import clone, database_exists
from benchmarks.common import (
    RESULTS_DIR,
    benchmark_server,
    console,
    report,
    scratch_database,
)
from benchmarks.ingest_throughput import generate_feed
from pipelines.db.connection import DatabaseTarget, connect
from pipelines.db.migrate import upgrade
from pipelines.memory import peak_rss_mb

START = dt.date(2025, 1, 1)
MONTHS = 12
DAY = dt.datetime(2026, 1, 1)
DAY_END = DAY + dt.timedelta(days=1)
FEED_ROWS = 10_000  # new postings in the day's feed, and as many changed ones


# ------------------------------------------------------------------ steps (each in a child)


def _ingest(target: DatabaseTarget, work: Path) -> dict[str, Any]:
    from pipelines.ingest.load import ingest_file
    from pipelines.ingest.quality import validate_postings

    result = ingest_file(target, work / "feed-day.csv", validate=validate_postings)
    return {
        "rows": result.rows_loaded,
        "inserted": result.postings_inserted,
        "updated": result.postings_updated,
    }


def _partitions(target: DatabaseTarget, work: Path) -> dict[str, Any]:
    from pipelines.db import maintenance

    with connect(target) as conn:
        start, end = maintenance.window_for(conn, DAY.date(), 3)
        return {"created": len(maintenance.ensure_partitions(conn, start, end))}


def _scoring(target: DatabaseTarget, work: Path, as_of: dt.datetime = DAY_END) -> dict[str, Any]:
    """What the scoring schedule runs: unscored swipes (all of them after a new champion) and
    recommendations for every active user, ranked as of ``as_of``."""
    from pipelines.scoring.service import score_and_recommend

    scored = score_and_recommend(target, as_of=as_of)
    return {
        "swipes_scored": scored.swipes_scored,
        "recommendations": scored.recommendations,
        "users": scored.users_recommended,
        "seconds": scored.seconds,
        "peak_mb": scored.peak_mb,
    }


def _marts(target: DatabaseTarget, work: Path) -> dict[str, Any]:
    from benchmarks.marts_incremental import dbt_build, month_vars

    _wall, elapsed = dbt_build(target, "--vars", month_vars(DAY.date()))
    return {"dbt_elapsed": round(elapsed, 1)}


def _retention(target: DatabaseTarget, work: Path) -> dict[str, Any]:
    from pipelines.db import gdpr

    with connect(target) as conn:
        return {"deleted": sum(gdpr.run_retention(conn, as_of=DAY_END).deleted.values())}


def _freshness(target: DatabaseTarget, work: Path) -> dict[str, Any]:
    from pipelines.health import collect_health

    health = collect_health(target, now=DAY_END)
    return {"healthy": health.healthy}


def _activity(target: DatabaseTarget, work: Path) -> dict[str, Any]:
    """The day's rows as the app writes them (the simulator's writer, without its month ledger:
    a day is not a month)."""
    from pipelines.db.bulk import copy_frame, update_from_frame
    from pipelines.db.crypto import PiiCipher
    from pipelines.settings import get_settings
    from pipelines.simulate.writer import prepare_for_copy

    cipher = PiiCipher.from_settings(get_settings())
    activity = work / "activity"
    rows = 0
    with connect(target) as conn, conn.cursor() as cur:
        for name in json.loads((activity / "order.json").read_text()):
            frame = pl.read_parquet(activity / f"{name}.parquet")
            rows += copy_frame(cur, name, prepare_for_copy(name, frame, cipher))
        for number, update in enumerate(json.loads((activity / "updates.json").read_text())):
            frame = pl.read_parquet(activity / update["file"])
            rows += update_from_frame(
                cur,
                update["table"],
                update["key"],
                prepare_for_copy(update["table"], frame, cipher),
                staging=f"day_update_{number}",
            )
    swipes = pl.read_parquet(activity / "user_job_swipes.parquet").height
    return {"rows": rows, "swipes": swipes}


STEPS: dict[str, Callable[[DatabaseTarget, Path], dict[str, Any]]] = {
    "app activity of the day (the app's writes)": _activity,
    "ingest: 10k new + 10k changed postings": _ingest,
    "partition upkeep": _partitions,
    "incremental rescoring + recommendations": _scoring,
    # What the sensor runs after an ingest: the same scoring, now with no new swipe to score.
    "recommendation refresh after an ingest (no new swipe)": _scoring,
    "marts for the current month": _marts,
    "retention": _retention,
    "freshness checks": _freshness,
}
# The cycle's sum: the schedules' steps, not the app's writes, and not the sensor's refresh,
# which runs after every ingest and is reported beside the cycle (the refresh goal of issue 15).
PLATFORM_STEPS = [
    name for name in STEPS if not name.startswith(("app activity", "recommendation refresh"))
]


def _child(name: str, url: str, work: str, queue: multiprocessing.Queue) -> None:
    began = time.perf_counter()
    try:
        details = STEPS[name](DatabaseTarget.from_string(url), Path(work))
        error = None
    except Exception as exc:
        details, error = {}, f"{type(exc).__name__}: {exc}"
    queue.put(
        {
            "seconds": time.perf_counter() - began,
            "peak_rss_mb": peak_rss_mb(),
            "details": details,
            "error": error,
        }
    )


def run_step(name: str, target: DatabaseTarget, work: Path) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = context.Queue()
    child = context.Process(target=_child, args=(name, target.sqlalchemy_url, str(work), queue))
    child.start()
    outcome: dict[str, Any] = queue.get()
    child.join()
    console.print(
        f"{name}: {outcome['seconds']:.1f}s, peak {outcome['peak_rss_mb']:,.0f} MB "
        f"{outcome['details']} {outcome['error'] or ''}",
        soft_wrap=True,
    )
    return outcome


# ------------------------------------------------------------------ the world, prepared once


def _world(target: DatabaseTarget) -> Any:
    from pipelines.simulate.world import SCALES, build_world
    from pipelines.simulate.writer import ingested_catalog

    with connect(target) as conn:
        row = conn.execute("SELECT scale FROM simulation_batches LIMIT 1").fetchone()
        catalog = ingested_catalog(conn)
    assert row is not None
    return build_world(42, SCALES[row[0]], START, catalog=catalog)


def write_day_inputs(target: DatabaseTarget, work: Path, scale: str) -> None:
    """The day's feed and the day's app activity, generated once (they depend on the world)."""
    from pipelines.simulate.activity import SimulationState, generate_month

    feed = work / "feed-all.csv"
    generate_feed(feed, 2 * FEED_ROWS, seed=11)
    rows = pl.read_csv(feed, infer_schema=False)
    rows.head(FEED_ROWS).write_csv(work / "feed-yesterday.csv")
    changed = rows.head(FEED_ROWS).with_columns(
        (pl.col("max_amount").cast(pl.Float64) * 1.05).round(0).cast(pl.Int64).cast(pl.String),
        pl.col("description") + " Updated today.",
    )
    pl.concat([changed, rows.tail(FEED_ROWS)]).write_csv(work / "feed-day.csv")
    for name, when in (("feed-yesterday.csv", DAY - dt.timedelta(days=1)), ("feed-day.csv", DAY)):
        os.utime(work / name, (when.timestamp(), when.timestamp()))

    world = _world(target)
    state = SimulationState()
    with console.status(f"generating the {scale} world's 13 months for the day's activity"):
        for index in range(MONTHS + 1):
            batch = generate_month(world, index, state)
    activity = work / "activity"
    activity.mkdir(parents=True, exist_ok=True)
    order = []
    for name, frame in batch.tables.items():
        column = "timestamp" if name == "analytics_events" else "created_at"
        if column in frame.columns:
            frame = frame.filter(pl.col(column) < DAY_END)
        frame.write_parquet(activity / f"{name}.parquet")
        order.append(name)
    updates = []
    for number, update in enumerate(batch.updates):
        frame = update.frame
        if "updated_at" in frame.columns:
            frame = frame.filter(pl.col("updated_at") < DAY_END)
        file = f"update_{number}.parquet"
        frame.write_parquet(activity / file)
        updates.append({"table": update.table, "key": update.key, "file": file})
    (activity / "order.json").write_text(json.dumps(order))
    (activity / "updates.json").write_text(json.dumps(updates))


def prepare(
    target: DatabaseTarget, work: Path, scale: str, world_from: str | None, server: DatabaseTarget
) -> dict[str, dict[str, Any]]:
    """Simulate (or clone), ingest yesterday's feed, train, score everything, build every mart,
    run retention as of yesterday. Returns the timed train and full-score steps."""
    from benchmarks.marts_incremental import dbt_build
    from pipelines.db import gdpr
    from pipelines.db.crypto import PiiCipher
    from pipelines.ingest.load import ingest_file
    from pipelines.settings import get_settings
    from pipelines.simulate.writer import write_simulation

    if world_from:
        clone(server, world_from, target.database)
        upgrade(target)
    else:
        upgrade(target)
        with console.status(f"simulating the {scale} world, {MONTHS} months"):
            write_simulation(
                target, 42, scale, MONTHS, PiiCipher.from_settings(get_settings()), start=START
            )
    write_day_inputs(target, work, scale)
    ingest_file(target, work / "feed-yesterday.csv")
    timed = {
        "train (monthly)": run_step("train", target, work),
        "first score after training: every swipe + recommendations": run_step(
            "score", target, work
        ),
    }
    with console.status("building every mart (full refresh)"):
        dbt_build(target, "--full-refresh")
    with connect(target) as conn:
        gdpr.run_retention(conn, as_of=DAY)
    with connect(target, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return timed


def _train(target: DatabaseTarget, work: Path) -> dict[str, Any]:
    from pipelines.scoring.service import train_and_register

    trained = train_and_register(target, validation_month=dt.date(2025, 12, 1))
    return {
        "version": trained.version,
        "roc_auc": round(trained.result.metrics.roc_auc, 4),
        "training_rows": trained.result.train_rows,
    }


def _score_all(target: DatabaseTarget, work: Path) -> dict[str, Any]:
    return _scoring(target, work, as_of=DAY)


STEPS["train"] = _train
STEPS["score"] = _score_all


def sizes(target: DatabaseTarget) -> dict[str, int]:
    with connect(target) as conn:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in ("users", "job_postings", "user_job_swipes", "analytics_events")
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=("medium", "large"), default="large")
    parser.add_argument(
        "--keep-world", action="store_true",
        help="keep the prepared world in a template database (and the day's inputs) for later runs",
    )  # fmt: skip
    parser.add_argument(
        "--world-from", help="an already simulated database (12 months from 2025-01) to start from"
    )
    args = parser.parse_args(argv)
    server = benchmark_server()
    template = f"jobswipe_daily_world_{args.scale}"
    work = RESULTS_DIR / f"daily-{args.scale}"
    work.mkdir(parents=True, exist_ok=True)
    prep: dict[str, dict[str, Any]] = {}
    payload_path = work / "prep.json"
    with scratch_database(server, f"daily_{args.scale}", migrate=False) as target:
        if args.keep_world and database_exists(server, template) and payload_path.exists():
            console.print(f"reusing the prepared world in {template}")
            clone(server, template, target.database)
            upgrade(target)  # a world kept from an earlier revision takes the newer migrations
            prep = json.loads(payload_path.read_text())
        else:
            prep = prepare(target, work, args.scale, args.world_from, server)
            payload_path.write_text(json.dumps(prep, default=str))
            if args.keep_world:
                clone(server, target.database, template)
        before = sizes(target)
        outcomes = {
            name: run_step(name, target, work) for name in STEPS if name not in ("train", "score")
        }
    cycle = sum(outcomes[name]["seconds"] for name in PLATFORM_STEPS)
    rows = [
        (f"{k}", f"{v:,}") for k, v in before.items()
    ] + [
        (
            f"prep: {name}",
            f"{o['seconds']:.1f} s, {o['peak_rss_mb']:,.0f} MB",
        )
        for name, o in prep.items()
    ] + [
        (name, f"{o['seconds']:.1f} s, {o['peak_rss_mb']:,.0f} MB{' FAILED' if o['error'] else ''}")
        for name, o in outcomes.items()
    ] + [("daily cycle (platform steps)", f"{cycle:.1f} s")]  # fmt: skip
    report(
        f"daily_cycle_{args.scale}",
        rows,
        {"sizes": before, "prep": prep, "steps": outcomes, "cycle_seconds": cycle},
    )
    if any(o["error"] for o in outcomes.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
