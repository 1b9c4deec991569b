"""Writes simulated months into the transactional schema: COPY per table, one transaction a month.

A month already in ``simulation_batches`` for the same world is skipped, so re-running never
duplicates rows, and a crash mid-month rolls that month back entirely.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
import psycopg

from pipelines.db.bulk import copy_frame, update_from_frame
from pipelines.db.connection import DatabaseTarget, connect
from pipelines.db.crypto import PiiCipher
from pipelines.db.locks import Writer, hold_writer_lock
from pipelines.db.maintenance import add_months, ensure_partitions
from pipelines.db.pii import PII_COLUMNS, context
from pipelines.faults import failpoint
from pipelines.simulate.activity import MonthBatch, SimulationState, generate_month
from pipelines.simulate.world import SCALES, World, build_world
from pipelines.sql_files import read_sql

ProgressCallback = Callable[[int, int, dt.date, str], None]


@dataclass
class SimulationReport:
    world_key: str
    ingested_postings: int = 0
    months_written: list[dt.date] = field(default_factory=list)
    months_skipped: list[dt.date] = field(default_factory=list)
    rows_written: int = 0
    seconds_generating: float = 0.0
    seconds_writing: float = 0.0
    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        total = self.seconds_generating + self.seconds_writing
        return self.rows_written / total if total else 0.0


def ingested_catalog(conn: psycopg.Connection, limit: int = 50_000) -> pl.DataFrame:
    """Postings loaded by ingestion, which simulated users swipe on beside generated ones."""
    with conn.cursor() as cur:
        cur.execute(read_sql("pipelines.simulate.sql", "ingested_catalog"), {"limit": limit})
        columns = [d.name for d in cur.description or []]
        return pl.DataFrame(cur.fetchall(), schema=columns, orient="row", infer_schema_length=None)


def default_start(months: int, today: dt.date | None = None) -> dt.date:
    """The first of N complete months ending with last month."""
    this_month = (today or dt.date.today()).replace(day=1)
    return add_months(this_month, -months)


def encrypt_profiles(frame: pl.DataFrame, cipher: PiiCipher) -> pl.DataFrame:
    """Replace plain PII with ciphertext, as hex bytea literals for COPY."""
    columns = [c for c in PII_COLUMNS["user_profiles"] if c in frame.columns]
    return frame.with_columns(
        pl.Series(
            column,
            [
                None
                if value is None
                else "\\x" + cipher.encrypt(str(value), context("user_profiles", column)).hex()
                for value in frame.get_column(column)
            ],
            dtype=pl.String,
        )
        for column in columns
    )


def prepare_for_copy(name: str, frame: pl.DataFrame, cipher: PiiCipher) -> pl.DataFrame:
    """NaN becomes NULL and PII becomes ciphertext (the generator already typed every column)."""
    frame = frame.with_columns(pl.col(pl.Float32, pl.Float64).fill_nan(None))
    if name == "user_profiles":
        frame = encrypt_profiles(frame, cipher)
    return frame


def write_batch(
    conn: psycopg.Connection, world: World, batch: MonthBatch, cipher: PiiCipher, seconds: float
) -> int:
    """Write one month in the caller's transaction, and record it in the ledger."""
    rows = 0
    with conn.cursor() as cur:
        for name, frame in batch.tables.items():
            rows += copy_frame(cur, name, prepare_for_copy(name, frame, cipher))
        for number, update in enumerate(batch.updates):
            rows += update_from_frame(
                cur,
                update.table,
                update.key,
                prepare_for_copy(update.table, update.frame, cipher),
                staging=f"sim_update_{number}",
            )
        cur.execute(
            read_sql("pipelines.simulate.sql", "record_batch"),
            {
                "world_key": world.key,
                "seed": world.seed,
                "scale": world.scale.name,
                "month": batch.month,
                "row_counts": json.dumps(batch.row_counts()),
                "duration_seconds": seconds,
            },
        )
    return rows


def months_done(conn: psycopg.Connection, world_key: str) -> set[dt.date]:
    return {
        row[0]
        for row in conn.execute(
            read_sql("pipelines.simulate.sql", "months_done"), {"world_key": world_key}
        )
    }


def write_simulation(
    target: DatabaseTarget,
    seed: int,
    scale_name: str,
    months: int,
    cipher: PiiCipher,
    start: dt.date | None = None,
    on_progress: ProgressCallback | None = None,
    taste_model: str = "additive",
) -> SimulationReport:
    from pipelines.simulate.preferences import TASTE_MODELS

    if taste_model not in TASTE_MODELS:
        raise ValueError(
            f"taste model must be one of {', '.join(TASTE_MODELS)}, got {taste_model!r}"
        )
    scale = SCALES[scale_name]
    if not 1 <= months <= scale.horizon_months:
        raise ValueError(
            f"months must be between 1 and {scale.horizon_months} for scale {scale_name}, got {months}"
        )
    with connect(target) as conn:
        catalog = ingested_catalog(conn)
    world = build_world(
        seed, scale, start or default_start(months), catalog=catalog, taste_model=taste_model
    )
    report = SimulationReport(world_key=world.key, ingested_postings=catalog.height)
    with connect(target) as conn:
        ensure_partitions(conn, world.start, add_months(world.start, months + 1))
        done = months_done(conn, world.key)
    state = SimulationState()
    for index in range(months):
        month = world.month(index)
        if on_progress:
            on_progress(index, months, month, "generating")
        began = time.perf_counter()
        # Earlier months are regenerated even when stored: later months depend on their state.
        batch = generate_month(world, index, state)
        generated = time.perf_counter()
        if month in done:
            report.months_skipped.append(month)
            continue
        report.seconds_generating += generated - began
        if on_progress:
            on_progress(index, months, month, "writing")
        with connect(target) as conn:
            hold_writer_lock(conn, Writer.SIMULATION)
            # A concurrent run of the same world may have written the month while this one waited.
            if month in months_done(conn, world.key):
                report.months_skipped.append(month)
                continue
            report.rows_written += write_batch(
                conn, world, batch, cipher, time.perf_counter() - began
            )
            failpoint("simulate.before_commit")
        report.seconds_writing += time.perf_counter() - generated
        report.months_written.append(month)
        for name, count in batch.row_counts().items():
            report.row_counts[name] = report.row_counts.get(name, 0) + count
    return report
