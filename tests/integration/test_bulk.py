"""Bulk reads and writes against a real server: COPY out into frames."""

from __future__ import annotations

import datetime as dt

import polars as pl
import psycopg

from pipelines.db.bulk import copy_out_frame


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
