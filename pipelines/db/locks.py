"""One writer at a time per bulk path, across processes: transaction-level advisory locks.

The platform's bulk writers run from the CLI, from Dagster and from tests alike, so they are
serialised in the database, where every one of them meets: each takes its lock inside its own
transaction, and the lock goes with the commit or rollback (a killed process releases it too).
The second of two concurrent writers waits, then finds the work done (the ingest ledger, the
simulation ledger, scores already equal) and changes nothing. Retention, which deletes users
and so cascades into everything, takes every lock, always in the same order, so no two writers
can deadlock on each other's rows.
"""

from __future__ import annotations

from enum import IntEnum

import psycopg

from pipelines.sql_files import read_sql

NAMESPACE = 0x4A53  # "JS": the first key of every platform advisory lock


class Writer(IntEnum):
    POSTINGS = 1  # ingest, employer repair
    SIMULATION = 2  # the activity simulator's months
    SCORES = 3  # score write-back, posting quality, recommendations
    PARTITIONS = 4  # creating time partitions ahead


def hold_writer_lock(conn: psycopg.Connection | psycopg.Cursor, *writers: Writer) -> None:
    """Block until this transaction holds the writers' locks (always taken in one order)."""
    for writer in sorted(writers):
        conn.execute(
            read_sql("pipelines.db.sql", "writer_lock"),
            {"namespace": NAMESPACE, "key": int(writer)},
        )
