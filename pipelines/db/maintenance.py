"""Partitions created ahead of time, so events never pile up in the default partitions."""

from __future__ import annotations

import datetime as dt

import psycopg
from psycopg import sql

from pipelines.db.locks import Writer, hold_writer_lock
from pipelines.settings import Settings

# Partitioned table -> partition step (the key column is read from the catalog).
PARTITIONED_TABLES: dict[str, str] = {"analytics_events": "month", "audit_logs": "quarter"}


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def ensure_partitions(conn: psycopg.Connection, start: dt.date, end: dt.date) -> list[str]:
    """Create every monthly/quarterly partition covering [start, end); returns the new ones.

    Rows that had landed in a default partition for a newly covered range move into it.
    """
    created: list[str] = []
    # Two writers may both make sure of the same partitions: one creates, the other then sees.
    hold_writer_lock(conn, Writer.PARTITIONS)
    for table, step in PARTITIONED_TABLES.items():
        rows = conn.execute(
            "SELECT ensure_time_partitions(%s::regclass, %s, %s, %s)", (table, step, start, end)
        ).fetchall()
        created.extend(r[0] for r in rows)
    return created


def maintenance_window(
    today: dt.date, months_ahead: int, history_start: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """From the earliest month that holds (or will hold) data to ``months_ahead`` past this month."""
    this_month = today.replace(day=1)
    start = min(this_month, history_start.replace(day=1)) if history_start else this_month
    return start, add_months(this_month, months_ahead + 1)


def partition_window_start(settings: Settings) -> dt.date:
    """The configured window's first month: the first month the platform holds data for."""
    return dt.date.fromisoformat(settings.first_data_month).replace(day=1)


def stray_rows_in_default_partitions(conn: psycopg.Connection) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in PARTITIONED_TABLES:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(f"{table}_default"))
        ).fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def earliest_stray_timestamp(conn: psycopg.Connection) -> dt.date | None:
    row = conn.execute(
        'SELECT least((SELECT min("timestamp") FROM analytics_events_default),'
        " (SELECT min(created_at) FROM audit_logs_default))"
    ).fetchone()
    return row[0].date() if row and row[0] else None


def window_for(
    conn: psycopg.Connection, today: dt.date, months_ahead: int
) -> tuple[dt.date, dt.date]:
    """The maintenance window, reaching back far enough to adopt any rows in default partitions."""
    return maintenance_window(today, months_ahead, earliest_stray_timestamp(conn))
