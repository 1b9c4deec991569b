"""Bulk reads and writes against a real server: COPY out into frames."""

from __future__ import annotations

import datetime as dt

import polars as pl
import psycopg
import pytest

from pipelines.db.bulk import copy_out_frame
from pipelines.db.connection import DatabaseTarget, connect, snapshot_readers


def test_copy_out_reads_what_fetchall_reads(conn: psycopg.Connection) -> None:
    query = """
        SELECT * FROM (VALUES
          ('a, "quoted"' || chr(10) || 'line', 1, TIMESTAMP '2025-03-01 10:00:00', true),
          ('plain', NULL, TIMESTAMP '2025-03-01 10:00:00.5', false),
          (NULL, -7, TIMESTAMP '2025-12-31 23:59:59.123456', NULL)
        ) AS rows (label, amount, at, flag)
         WHERE %(minimum)s <= 1
    """
    schema = {"label": pl.String, "amount": pl.Int64, "at": pl.Datetime("us"), "flag": pl.Boolean}
    with conn.cursor() as cur:
        frame = copy_out_frame(cur, query, schema, {"minimum": 0})
        expected = cur.execute(query, {"minimum": 0}).fetchall()
    assert frame.schema == pl.Schema(schema)
    assert frame.rows() == expected
    assert frame.get_column("at").to_list()[2] == dt.datetime(2025, 12, 31, 23, 59, 59, 123456)


def test_snapshot_readers_see_the_exported_moment_and_nothing_after(
    migrated_db: DatabaseTarget,
) -> None:
    with connect(migrated_db, autocommit=True) as writer:
        writer.execute("CREATE TABLE moments (n int)")
        writer.execute("INSERT INTO moments VALUES (1), (2)")
        with connect(migrated_db) as conn, snapshot_readers(conn, 2) as readers:
            writer.execute("INSERT INTO moments VALUES (3)")
            writer.execute("DELETE FROM moments WHERE n = 1")
            seen = [
                sorted(r[0] for r in reader.execute("SELECT n FROM moments")) for reader in readers
            ]
            now = sorted(r[0] for r in writer.execute("SELECT n FROM moments"))
    assert seen == [[1, 2], [1, 2]]
    assert now == [2, 3]


def test_an_autocommit_connection_cannot_export_a_snapshot(migrated_db: DatabaseTarget) -> None:
    with (
        connect(migrated_db, autocommit=True) as conn,
        pytest.raises(ValueError, match="transaction"),
        snapshot_readers(conn, 1),
    ):
        pass
