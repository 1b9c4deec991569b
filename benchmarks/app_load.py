"""The app's side of the database under load, idle and while the pipeline works.

A separate process on loopback opens 16 connections as a log-in member of application_user,
each request in its own transaction with `app.user_id` set (row-level security applies):
swipe inserts (50%), application inserts (20%) and recommendation reads (30%), at a fixed
request rate (open loop: latency counts from when a request was due, so queueing shows), for a
bounded time. Unique violations (a user swiping or applying to the same posting twice) are the
expected errors and are counted apart. Deadlocks come from pg_stat_database; lock waits longer
than 1 s are sampled from pg_stat_activity every 200 ms.

    python -m benchmarks.app_load            # medium-sized world, idle vs busy (ingest of 100k
                                             # postings, a mart month, a full score write-back)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import psycopg
from psycopg import errors, sql

from benchmarks.common import RESULTS_DIR, benchmark_server, console, scratch_database
from pipelines.db.connection import DatabaseTarget
from pipelines.db.migrate import upgrade

CONNECTIONS = 16
MIX = (("swipe", 0.5), ("application", 0.2), ("recommendations", 0.3))
SWIPE = "INSERT INTO user_job_swipes (user_id, job_posting_id, direction) VALUES (%s, %s, %s)"
APPLY = "INSERT INTO job_applications (user_id, job_posting_id) VALUES (%s, %s)"
READ = (
    "SELECT job_posting_id, score FROM recommendations WHERE user_id = app_current_user_id() "
    "ORDER BY rank LIMIT 20"
)
LOCK_WAITS = (
    "SELECT w.pid, w.query_start, w.application_name, left(w.query, 80), "
    "(SELECT string_agg(b.application_name || ': ' || left(b.query, 80), ' | ') "
    "   FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(w.pid))) "
    "FROM pg_stat_activity w WHERE w.datname = current_database() "
    "AND w.wait_event_type = 'Lock' AND now() - w.query_start > interval '1 second'"
)


@dataclass
class LoadResult:
    phase: str
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    unique_violations: int = 0
    deadlocks: int = 0
    lock_waits_over_1s: int = 0
    lock_wait_details: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def percentile(self, kind: str, q: float) -> float:
        values = self.latencies.get(kind) or [float("nan")]
        return float(np.percentile(values, q)) * 1000

    def row(self) -> dict[str, object]:
        return {
            "phase": self.phase,
            "requests/s": round(self.requests / self.seconds, 1),
            **{
                f"{kind} p{q} ms": round(self.percentile(kind, q), 2)
                for kind in ("swipe", "recommendations", "duplicate swipe")
                for q in (50, 99)
            },
            "unique violations": self.unique_violations,
            "other errors": sum(self.errors.values()),
            "deadlocks": self.deadlocks,
            "lock waits > 1 s": self.lock_waits_over_1s,
        }


@dataclass(frozen=True)
class World:
    users: list[str]
    postings: list[str]


def app_login(admin: DatabaseTarget) -> DatabaseTarget:
    """A log-in role that is a member of application_user (created once per cluster)."""
    name = "jobswipe_load_app"
    with psycopg.connect(**admin.libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN IN ROLE application_user").format(
                    sql.Identifier(name)
                )
            )
    return DatabaseTarget(admin.url.set(username=name, password=None))


def load_world(target: DatabaseTarget, users: int = 2_000) -> World:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        user_ids = [
            str(r[0])
            for r in conn.execute(
                "SELECT id FROM users WHERE NOT is_deleted ORDER BY id LIMIT %s", (users,)
            )
        ]
        posting_ids = [
            str(r[0])
            for r in conn.execute("SELECT id FROM job_postings WHERE is_active ORDER BY id")
        ]
    return World(user_ids, posting_ids)


async def _request(
    conn: psycopg.AsyncConnection, kind: str, world: World, rng: random.Random
) -> None:
    user = rng.choice(world.users)
    async with conn.transaction():
        await conn.execute("SELECT set_config('app.user_id', %s, true)", (user,))
        if kind == "swipe":
            await conn.execute(
                SWIPE, (user, rng.choice(world.postings), rng.choice(("LEFT", "RIGHT")))
            )
        elif kind == "application":
            await conn.execute(APPLY, (user, rng.choice(world.postings)))
        else:
            await (await conn.execute(READ)).fetchall()


async def _sample_lock_waits(
    admin: DatabaseTarget,
    stop: asyncio.Event,
    seen: set[tuple[object, object]],
    details: list[str],
) -> None:
    async with await psycopg.AsyncConnection.connect(**admin.libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        while not stop.is_set():
            for pid, started, who, query, blockers in await (
                await conn.execute(LOCK_WAITS)
            ).fetchall():
                if (pid, started) not in seen:
                    details.append(f"{who}: {query} <- {blockers}")
                seen.add((pid, started))
            await asyncio.sleep(0.2)


async def _deadlocks(admin: DatabaseTarget) -> int:
    async with await psycopg.AsyncConnection.connect(**admin.libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        row = await (
            await conn.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
            )
        ).fetchone()
    return int(row[0]) if row else 0


async def run_load(
    app: DatabaseTarget,
    admin: DatabaseTarget,
    world: World,
    *,
    phase: str,
    rate: float,
    seconds: float,
    seed: int = 1,
    until: Callable[[], bool] | None = None,
    min_seconds: float = 0.0,
) -> LoadResult:
    """Requests at ``rate`` per second for ``seconds``, or until ``until()`` says the work it
    runs beside is done (bounded either way: the loop stops by itself)."""
    rng = random.Random(seed)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    pool: asyncio.Queue[psycopg.AsyncConnection] = asyncio.Queue()
    connections = []
    for _ in range(CONNECTIONS):
        conn = await psycopg.AsyncConnection.connect(
            **app.libpq_kwargs, autocommit=False, application_name="jobswipe-app-load"
        )  # type: ignore[arg-type]
        await conn.execute("SET ROLE application_user")
        await conn.commit()
        connections.append(conn)
        pool.put_nowait(conn)
    result = LoadResult(phase, seconds, {k: [] for k in kinds})
    stop = asyncio.Event()
    waits: set[tuple[object, object]] = set()
    sampler = asyncio.create_task(_sample_lock_waits(admin, stop, waits, result.lock_wait_details))
    deadlocks_before = await _deadlocks(admin)

    async def one(due: float, kind: str) -> None:
        conn = await pool.get()
        try:
            await _request(conn, kind, world, rng)
            result.latencies[kind].append(time.perf_counter() - due)
        except errors.UniqueViolation:
            # Expected (the seed's unique rules), and timed apart: such an insert waits for any
            # writer holding the row it duplicates.
            result.unique_violations += 1
            result.latencies.setdefault(f"duplicate {kind}", []).append(time.perf_counter() - due)
        except psycopg.Error as exc:
            result.errors[type(exc).__name__] += 1
        finally:
            pool.put_nowait(conn)

    began = time.perf_counter()
    tasks = []
    total = int(rate * seconds)
    for index in range(total):
        if (
            until is not None
            and index % 50 == 0
            and time.perf_counter() - began >= min_seconds
            and until()
        ):
            break
        due = began + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due, rng.choices(kinds, weights)[0])))
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 120)
    result.seconds = time.perf_counter() - began
    stop.set()
    await sampler
    result.deadlocks = await _deadlocks(admin) - deadlocks_before
    result.lock_waits_over_1s = len(waits)
    for conn in connections:
        await conn.close()
    return result


STEPS = ("ingest", "marts", "write-back")


class SerialRun:
    """Processes started one after the other in a thread; quacks like Popen's poll and wait."""

    def __init__(self, starters: list[Callable[[], subprocess.Popen[str]]]) -> None:
        self.codes: list[int] = []
        self._thread = threading.Thread(target=self._run, args=(starters,), daemon=True)
        self._thread.start()

    def _run(self, starters: list[Callable[[], subprocess.Popen[str]]]) -> None:
        for starter in starters:
            self.codes.append(starter().wait())

    def poll(self) -> int | None:
        return None if self._thread.is_alive() else max(self.codes, default=0)

    def wait(self, timeout: float | None = None) -> int:
        self._thread.join(timeout)
        return max(self.codes, default=0)


def database_exists(server: DatabaseTarget, name: str) -> bool:
    with psycopg.connect(**server.libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is not None
        )


def clone(server: DatabaseTarget, source: str, destination: str) -> None:
    """``destination`` becomes a copy of ``source`` (dropped first when it exists)."""
    with psycopg.connect(**server.libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(destination))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(destination), sql.Identifier(source)
            )
        )


def pipeline_processes(
    target: DatabaseTarget,
    work: Path,
    postings: int,
    month: dt.date,
    nice: int = 0,
    steps: set[str] | None = None,
    serial: bool = False,
) -> list[subprocess.Popen[str]] | list[SerialRun]:
    """Ingest of N postings, one mart month, a full score write-back: all at once."""
    url = f"postgresql://{target.user}@{target.host}:{target.port}/{target.database}"
    env = {"DATABASE_URL": url}
    from benchmarks.ingest_throughput import generate_feed

    feed = work / "pipeline_postings.csv"
    generate_feed(feed, postings)  # written before the clock starts
    jobswipe = str(Path(sys.executable).with_name("jobswipe"))
    end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    window = json.dumps({"min_date": f"{month} 00:00:00", "max_date": f"{end} 00:00:00"})
    dbt = (
        "from pipelines.dbt import run_dbt, use_database; from pipelines.db.connection import DatabaseTarget; "
        f"use_database(DatabaseTarget.from_string({target.sqlalchemy_url!r})); run_dbt('run', '--vars', {window!r})"
    )
    environment = {**os.environ, **env}
    if nice:
        # Batch work on this 2-core host: one core for the pipeline's own computing, and the
        # pipeline's backends reniced like its processes (pipelines/db/connection.py).
        environment.update(
            JOBSWIPE_BATCH_NICE=str(nice), POLARS_MAX_THREADS="1", OMP_NUM_THREADS="1",
            OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
        )  # fmt: skip

    def lower_priority() -> None:
        os.nice(nice)

    commands = {
        "ingest": [jobswipe, "ingest", str(feed)],
        "marts": [sys.executable, "-c", dbt],
        "write-back": [jobswipe, "model", "score", "--full"],
    }
    chosen = [command for step, command in commands.items() if steps is None or step in steps]

    def start(command: list[str]) -> subprocess.Popen[str]:
        return subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, text=True, preexec_fn=lower_priority)  # fmt: skip

    if not serial:
        return [start(command) for command in chosen]
    # One run at a time, as the deployment's concurrency pool schedules the bulk writers.
    return [SerialRun([partial(start, command) for command in chosen])]


def consistency(target: DatabaseTarget) -> dict[str, int]:
    """After a final refresh: posting counters equal the facts, every swipe has a score."""
    jobswipe = str(Path(sys.executable).with_name("jobswipe"))
    url = f"postgresql://{target.user}@{target.host}:{target.port}/{target.database}"
    subprocess.run(
        [jobswipe, "model", "score"],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        wrong_counters = conn.execute(
            "SELECT count(*) FROM job_postings p LEFT JOIN (SELECT job_posting_id, "
            "count(*) FILTER (WHERE direction <> 'LEFT') AS rights FROM user_job_swipes GROUP BY 1) s "
            "ON s.job_posting_id = p.id WHERE p.right_swipe_count IS DISTINCT FROM coalesce(s.rights, 0)"
        ).fetchone()
        unscored = conn.execute(
            # Users without data consent are not scored (pipelines/scoring/sql/swipes.sql).
            "SELECT count(*) FROM user_job_swipes s JOIN users u ON u.id = s.user_id "
            "WHERE s.match_score IS NULL AND u.data_consent"
        ).fetchone()
    return {"postings with wrong counters": int(wrong_counters[0]) if wrong_counters else -1,
            "swipes without a score": int(unscored[0]) if unscored else -1}  # fmt: skip


def print_table(results: Sequence[LoadResult]) -> None:
    from rich.table import Table

    rows = [r.row() for r in results]
    table = Table(title=f"app load: {CONNECTIONS} connections as application_user")
    for column in rows[0]:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


def prepare(target: DatabaseTarget, scale: str, months: int) -> dt.date:
    """A simulated world with a champion model, its scores and marts; returns the last month."""
    from pipelines.db.crypto import PiiCipher, new_key_spec
    from pipelines.ingest.load import feed_files, ingest_file
    from pipelines.scoring.service import score_and_recommend, train_and_register
    from pipelines.simulate.writer import write_simulation

    for path in feed_files(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "feeds"):
        ingest_file(target, path)
    start = dt.date(2025, 1, 1)
    cipher = PiiCipher.from_spec(new_key_spec("load"))
    write_simulation(target, seed=3, scale_name=scale, months=months, cipher=cipher, start=start)
    last = dt.date(2025, months, 1)
    with tempfile.TemporaryDirectory() as plots:
        train_and_register(target, validation_month=last, plots_dir=Path(plots))
    score_and_recommend(target)
    return last


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="idle phase length")
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--nice", type=int, default=0, help="niceness of the pipeline processes")
    parser.add_argument(
        "--only", choices=("ingest", "marts", "write-back"), action="append",
        help="run only these pipeline steps beside the load (repeatable; default: all three)",
    )  # fmt: skip
    parser.add_argument(
        "--serial", action="store_true",
        help="run the pipeline steps one after another (as a concurrency pool would), not at once",
    )  # fmt: skip
    parser.add_argument(
        "--keep-world", action="store_true",
        help="prepare the world once into a template database and reuse it on later runs",
    )  # fmt: skip
    args = parser.parse_args(argv)
    server = benchmark_server()
    template = f"jobswipe_load_world_{args.scale}_{args.months}"
    with (
        scratch_database(server, f"load_{secrets.token_hex(2)}", migrate=False) as admin,
        tempfile.TemporaryDirectory() as work,
    ):
        if args.keep_world and database_exists(server, template):
            console.print(f"reusing the prepared world in {template}")
            clone(server, template, admin.database)
            upgrade(admin)  # a world kept from an earlier revision takes the newer migrations
            month = dt.date(2025, args.months, 1)
        else:
            console.print(
                f"preparing a {args.scale} world ({args.months} months), model and scores..."
            )
            upgrade(admin)
            month = prepare(admin, args.scale, args.months)
            if args.keep_world:
                clone(server, admin.database, template)
        app = app_login(admin)
        world = load_world(admin)
        idle = asyncio.run(
            run_load(app, admin, world, phase="idle", rate=args.rate, seconds=args.seconds)
        )
        processes = pipeline_processes(
            admin, Path(work), args.postings, month, args.nice, set(args.only or STEPS), args.serial
        )
        began = time.perf_counter()
        busy = asyncio.run(
            run_load(app, admin, world, phase="busy", rate=args.rate, seconds=1_800, seed=2,
                     until=lambda: all(p.poll() is not None for p in processes))
        )  # fmt: skip
        codes = [p.wait(timeout=1800) for p in processes]
        console.print(
            f"pipeline work: exit codes {codes}, {time.perf_counter() - began:.0f}s, all of it under load"
        )
        print_table([idle, busy])
        for detail in busy.lock_wait_details:
            console.print(f"[dim]lock wait > 1 s: {detail}[/dim]", soft_wrap=True)
        for kind in ("swipe", "recommendations"):
            console.print(
                f"{kind}: p99 busy / idle = {busy.percentile(kind, 99) / idle.percentile(kind, 99):.2f}"
            )
        checks = consistency(admin)
        console.print(checks)
        mode = "serial" if args.serial else "at once"
        record = {
            "mode": mode, "steps": list(args.only or STEPS), "scale": args.scale, "nice": args.nice,
            "pipeline_seconds": round(time.perf_counter() - began), "rows": [idle.row(), busy.row()],
            "p99_ratio": {k: round(busy.percentile(k, 99) / idle.percentile(k, 99), 2) for k in ("swipe", "recommendations")},
            "lock_waits": busy.lock_wait_details, "consistency": checks,
        }  # fmt: skip
        RESULTS_DIR.mkdir(exist_ok=True)
        out = RESULTS_DIR / f"app_load_{'serial' if args.serial else 'parallel'}.json"
        out.write_text(json.dumps(record, indent=2, default=str))
        console.print(f"results: {out}")


if __name__ == "__main__":
    main()
