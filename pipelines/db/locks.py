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

from collections.abc import Iterable
from enum import IntEnum

import psycopg

from pipelines.sql_files import read_sql

NAMESPACE = 0x4A53  # "JS": the first key of every platform advisory lock
# The score write-back locks per user shard, so runs over different shards write side by side.
SHARD_NAMESPACE = 0x4A54


class Writer(IntEnum):
    POSTINGS = 1  # ingest, employer repair
    SIMULATION = 2  # the activity simulator's months
    SCORES = 3  # posting quality (score write-back and recommendations lock per user shard)
    PARTITIONS = 4  # creating time partitions ahead


def _hold(conn: psycopg.Connection | psycopg.Cursor, namespace: int, keys: Iterable[int]) -> None:
    """Block until this transaction holds the locks of ``keys``, taken in ascending order."""
    for key in sorted({int(k) for k in keys}):
        conn.execute(
            read_sql("pipelines.db.sql", "writer_lock"), {"namespace": namespace, "key": key}
        )


def hold_writer_lock(conn: psycopg.Connection | psycopg.Cursor, *writers: Writer) -> None:
    """Block until this transaction holds the writers' locks (always taken in one order)."""
    _hold(conn, NAMESPACE, writers)


def hold_shard_locks(conn: psycopg.Connection | psycopg.Cursor, shards: Iterable[int]) -> None:
    """Block until this transaction holds the score write-back locks of ``shards`` (ascending)."""
    _hold(conn, SHARD_NAMESPACE, shards)


def hold_every_lock(conn: psycopg.Connection | psycopg.Cursor) -> None:
    """Every writer's lock, then every shard's: what retention holds (one global order, so no
    two writers deadlock on each other's locks)."""
    from pipelines.scoring.shards import SHARD_COUNT

    hold_writer_lock(conn, *Writer)
    hold_shard_locks(conn, range(SHARD_COUNT))
