from __future__ import annotations

import datetime as dt

import psycopg

from pipelines.db.maintenance import (
    add_months,
    ensure_partitions,
    maintenance_window,
    stray_rows_in_default_partitions,
)
from pipelines.settings import get_settings


def partition_of(conn: psycopg.Connection, table: str, key: str, value: str) -> str:
    row = conn.execute(
        f"SELECT tableoid::regclass::text FROM {table} WHERE {key} = %s",
        (value,),
    ).fetchone()
    assert row is not None
    return row[0]


def insert_event(conn: psycopg.Connection, at: str) -> None:
    conn.execute(
        "INSERT INTO analytics_events (event_type, event_category, event_name, \"timestamp\") VALUES ('view', 'job', 'job_viewed', %s)",
        (at,),
    )


def partitions_of(conn: psycopg.Connection, table: str) -> set[str]:
    rows = conn.execute(
        "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", (table,)
    ).fetchall()
    return {r[0] for r in rows}


def test_migrated_database_has_partitions_for_the_configured_window(
    conn: psycopg.Connection,
) -> None:
    """As the seed's DDL does, migrations leave real partitions, not only the defaults: from the
    first data month (JOBSWIPE_FIRST_DATA_MONTH, 2024-01) to 3 months past this one."""
    settings = get_settings()
    start, end = maintenance_window(
        dt.date.today(), settings.partitions_months_ahead, dt.date(2024, 1, 1)
    )
    months, quarters = partitions_of(conn, "analytics_events"), partitions_of(conn, "audit_logs")
    month = start
    while month < end:
        assert f"analytics_events_y{month:%Y}m{month:%m}" in months
        assert f"audit_logs_{month:%Y}q{(month.month - 1) // 3 + 1}" in quarters
        month = add_months(month, 1)
    assert {"analytics_events_default", "audit_logs_default"} <= months | quarters
    assert ensure_partitions(conn, start, end) == []  # nothing left for maintenance to add


def test_events_route_to_their_month_and_strays_to_default(conn: psycopg.Connection) -> None:
    # Before the configured window, so the migration has not created these yet.
    created = ensure_partitions(conn, dt.date(2021, 1, 1), dt.date(2021, 7, 1))
    assert "analytics_events_y2021m03" in created
    assert "audit_logs_2021q1" in created and "audit_logs_2021q2" in created

    insert_event(conn, "2021-03-15 12:00:00")
    insert_event(conn, "2031-01-01 00:00:00")
    assert (
        partition_of(conn, "analytics_events", '"timestamp"', "2021-03-15 12:00:00")
        == "analytics_events_y2021m03"
    )
    assert (
        partition_of(conn, "analytics_events", '"timestamp"', "2031-01-01 00:00:00")
        == "analytics_events_default"
    )

    conn.execute(
        "INSERT INTO audit_logs (action, resource, created_at) VALUES ('LOGIN', 'AUTH', '2021-05-02')"
    )
    assert partition_of(conn, "audit_logs", "created_at", "2021-05-02") == "audit_logs_2021q2"


def test_late_partition_adopts_rows_from_default(conn: psycopg.Connection) -> None:
    insert_event(conn, "2030-02-10 08:00:00")
    assert stray_rows_in_default_partitions(conn)["analytics_events"] == 1

    created = ensure_partitions(conn, dt.date(2030, 2, 1), dt.date(2030, 3, 1))
    assert created[0] == "analytics_events_y2030m02"
    assert stray_rows_in_default_partitions(conn)["analytics_events"] == 0
    assert (
        partition_of(conn, "analytics_events", '"timestamp"', "2030-02-10 08:00:00")
        == "analytics_events_y2030m02"
    )


def test_ensure_partitions_is_idempotent(conn: psycopg.Connection) -> None:
    first = ensure_partitions(conn, dt.date(2019, 1, 1), dt.date(2019, 4, 1))
    assert len(first) == 4  # three months, one quarter
    assert ensure_partitions(conn, dt.date(2019, 1, 1), dt.date(2019, 4, 1)) == []


def test_partition_keys_are_in_primary_keys(conn: psycopg.Connection) -> None:
    for table, key in (("analytics_events", "timestamp"), ("audit_logs", "created_at")):
        columns = [
            r[0]
            for r in conn.execute(
                """SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                    WHERE i.indrelid = %s::regclass AND i.indisprimary""",
                (table,),
            )
        ]
        assert key in columns


def test_maintenance_window_reaches_back_to_history_and_ahead() -> None:
    start, end = maintenance_window(
        dt.date(2026, 11, 25), months_ahead=3, history_start=dt.date(2025, 6, 9)
    )
    assert (start, end) == (dt.date(2025, 6, 1), dt.date(2027, 3, 1))
