"""user_places (migration 0016): each user's app events per place kept by triggers, checked
against a recount of the events on disk after every kind of change the platform and the app make,
and the scoring snapshot's users' places read from it."""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg

from pipelines.db.connection import DatabaseTarget
from pipelines.db.gdpr import anonymize_user, run_retention
from pipelines.db.maintenance import ensure_partitions
from pipelines.db.migrate import downgrade, upgrade
from pipelines.scoring.dataset import read_frame
from tests.integration.test_posting_engagement import new_users

# Per user and place, from the events: what the triggers must have kept.
RECOUNT = """
SELECT user_id, city, country, count(*) FROM analytics_events
 WHERE user_id IS NOT NULL AND city IS NOT NULL
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 NULLS FIRST
"""
KEPT = "SELECT user_id, city, country, events FROM user_places ORDER BY 1, 2, 3 NULLS FIRST"


def assert_kept_matches_the_events(conn: psycopg.Connection) -> None:
    kept = conn.execute(KEPT).fetchall()
    assert kept == conn.execute(RECOUNT).fetchall()


def events(
    conn: psycopg.Connection,
    rows: list[tuple[uuid.UUID | None, str | None, str | None]],
    at: str = "2031-03-01 10:00:00",
) -> None:
    """One statement inserting an event per (user, city, country)."""
    conn.execute(
        'INSERT INTO analytics_events (event_type, event_category, event_name, user_id, city, country, "timestamp") '
        "SELECT 'view', 'job', 'job_viewed', u, c, k, %s::timestamp "
        "FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS e(u, c, k)",
        (at, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]),
    )


def test_places_follow_inserts_deletes_and_moves(conn: psycopg.Connection) -> None:
    a, b = new_users(conn, 2)
    events(conn, [(a, "Berlin", "DE"), (a, "Berlin", "DE"), (a, "Paris", None), (b, "Oslo", "NO"),
                  (None, "Rome", "IT"), (b, None, "NO")])  # fmt: skip
    events(conn, [(a, "Paris", None), (a, "Paris", None)])
    assert_kept_matches_the_events(conn)
    assert conn.execute(
        "SELECT events FROM user_places WHERE user_id = %s AND city = 'Paris' AND country IS NULL",
        (a,),
    ).fetchone() == (3,)
    # A delete through the parent takes its rows away; a place emptied of events goes.
    conn.execute("DELETE FROM analytics_events WHERE city = 'Oslo'")
    assert conn.execute("SELECT count(*) FROM user_places WHERE user_id = %s", (b,)).fetchone() == (
        0,
    )
    # Events moved to another user or place, one row at a time.
    conn.execute(
        "UPDATE analytics_events SET city = 'Lyon' WHERE city = 'Paris' AND user_id = %s", (a,)
    )
    conn.execute("UPDATE analytics_events SET user_id = %s WHERE city = 'Rome'", (b,))
    conn.execute("UPDATE analytics_events SET country = 'FR' WHERE city = 'Lyon'")
    assert_kept_matches_the_events(conn)
    # The user's deletion sets their events' user to NULL, and their places go with them.
    conn.execute("DELETE FROM users WHERE id = %s", (a,))
    assert_kept_matches_the_events(conn)
    conn.execute("TRUNCATE analytics_events")
    assert conn.execute("SELECT count(*) FROM user_places").fetchone() == (0,)


def test_places_follow_partition_moves_retention_and_anonymisation(
    conn: psycopg.Connection,
) -> None:
    (user,) = new_users(conn, 1)
    ensure_partitions(conn, dt.date(2023, 9, 1), dt.date(2023, 12, 1))
    events(conn, [(user, "Madrid", "ES")] * 3, at="2023-10-05 08:00:00")
    events(conn, [(user, "Madrid", "ES"), (user, "Porto", "PT")], at="2023-11-30 08:00:00")
    events(conn, [(user, "Porto", "PT")], at="2030-02-10 08:00:00")  # the default partition
    # A late partition adopts the default partition's rows: moved, still stored and counted.
    assert ensure_partitions(conn, dt.date(2030, 2, 1), dt.date(2030, 3, 1))
    assert_kept_matches_the_events(conn)
    # Retention drops October 2023 whole: its three Madrid events stop counting, so Porto
    # becomes the user's place.
    report = run_retention(conn, as_of=dt.datetime(2026, 11, 25))
    assert "analytics_events_y2023m10" in report.partitions_dropped
    assert_kept_matches_the_events(conn)
    assert conn.execute(
        "SELECT city, events FROM user_places WHERE user_id = %s ORDER BY events DESC, city",
        (user,),
    ).fetchall() == [("Porto", 2), ("Madrid", 1)]
    # Anonymisation clears the events' network identifiers, not their places.
    anonymize_user(conn, user)
    assert_kept_matches_the_events(conn)


def test_events_the_pipeline_role_stores_are_counted(conn: psycopg.Connection) -> None:
    (user,) = new_users(conn, 1)
    conn.execute("SET LOCAL ROLE jobswipe_pipeline")
    events(conn, [(user, "Lima", "PE")])
    conn.execute(
        "DELETE FROM analytics_events WHERE city = 'Lima' AND \"timestamp\" > '2031-03-01'"
    )
    conn.execute("RESET ROLE")
    assert_kept_matches_the_events(conn)


def test_the_migration_counts_the_events_already_stored(migrated_db: DatabaseTarget) -> None:
    downgrade(migrated_db, "0015_recommendations_fillfactor")
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        users = new_users(conn, 2)
        events(
            conn, [(users[0], "Quito", "EC"), (users[0], "Quito", "EC"), (users[1], "Cusco", None)]
        )
    upgrade(migrated_db)
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        assert conn.execute("SELECT count(*), sum(events) FROM user_places").fetchone() == (2, 3)
        assert_kept_matches_the_events(conn)


def test_the_snapshot_places_each_user_at_their_most_frequent_city(
    migrated_db: DatabaseTarget,
) -> None:
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        home, nomad, unseen = new_users(conn, 3)
        events(conn, [(home, "Lisbon", "PT"), (home, "Lisbon", "PT"), (home, "Porto", "PT"),
                      (nomad, "Accra", "GH"), (nomad, "Dakar", "SN")])  # fmt: skip
        users = read_frame(conn, "users")
    place = {
        row["user_id"]: (row["user_city"], row["user_country"])
        for row in users.select("user_id", "user_city", "user_country").iter_rows(named=True)
    }
    # The most events wins; a tie goes to the first city in alphabetical order.
    assert place[str(home)] == ("Lisbon", "PT")
    assert place[str(nomad)] == ("Accra", "GH")
    assert place[str(unseen)] == (None, None)
