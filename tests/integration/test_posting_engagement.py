"""posting_engagement (migration 0013): each posting's counts kept by triggers, checked against a
recount of the facts after every kind of change the platform and the app make."""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg
import pytest

from pipelines.db.connection import DatabaseTarget
from pipelines.db.maintenance import ensure_partitions
from pipelines.db.migrate import downgrade, upgrade
from pipelines.scoring.service import refresh_posting_quality

# Per posting, from the facts: what the triggers must have kept (views: job_viewed events whose
# job_posting_id property is a UUID).
RECOUNT = """
SELECT p.id,
       (SELECT count(*) FROM user_job_swipes s WHERE s.job_posting_id = p.id AND s.direction <> 'LEFT'),
       (SELECT count(*) FROM user_job_swipes s WHERE s.job_posting_id = p.id AND s.direction = 'LEFT'),
       (SELECT count(*) FROM job_applications a WHERE a.job_posting_id = p.id),
       (SELECT count(*) FROM analytics_events e
         WHERE e.event_name = 'job_viewed' AND e.properties ->> 'job_posting_id' = p.id::text)
  FROM job_postings p ORDER BY p.id
"""
KEPT = """
SELECT p.id, coalesce(e.right_swipes, 0), coalesce(e.left_swipes, 0), coalesce(e.applications, 0),
       coalesce(e.views, 0)
  FROM job_postings p LEFT JOIN posting_engagement e ON e.job_posting_id = p.id ORDER BY p.id
"""


def kept(conn: psycopg.Connection) -> list[tuple[object, ...]]:
    return conn.execute(KEPT).fetchall()


def assert_kept_matches_the_facts(conn: psycopg.Connection) -> None:
    assert kept(conn) == conn.execute(RECOUNT).fetchall()


def counts_of(conn: psycopg.Connection, posting: uuid.UUID) -> tuple[int, int, int, int]:
    row = conn.execute(
        "SELECT right_swipes, left_swipes, applications, views FROM posting_engagement "
        "WHERE job_posting_id = %s",
        (posting,),
    ).fetchone()
    return (0, 0, 0, 0) if row is None else (row[0], row[1], row[2], row[3])


def new_users(conn: psycopg.Connection, count: int) -> list[uuid.UUID]:
    return [
        conn.execute(
            "INSERT INTO users (email) VALUES (%s) RETURNING id",
            (f"u{uuid.uuid4().hex}@example.com",),
        ).fetchone()[0]  # type: ignore[index]
        for _ in range(count)
    ]


def new_postings(conn: psycopg.Connection, count: int) -> list[uuid.UUID]:
    (company,) = conn.execute(
        "INSERT INTO companies (name, slug) VALUES ('Acme', %s) RETURNING id", (uuid.uuid4().hex,)
    ).fetchone()  # type: ignore[misc]
    return [
        conn.execute(
            "INSERT INTO job_postings (company_id, title, description) VALUES (%s, 'Dev', 'Build') "
            "RETURNING id",
            (company,),
        ).fetchone()[0]  # type: ignore[index]
        for _ in range(count)
    ]


def view(conn: psycopg.Connection, posting: object, at: str = "2031-03-01 10:00:00") -> None:
    conn.execute(
        'INSERT INTO analytics_events (event_type, event_category, event_name, properties, "timestamp") '
        "VALUES ('view', 'job', 'job_viewed', jsonb_build_object('job_posting_id', %s::text), %s)",
        (str(posting), at),
    )


@pytest.fixture
def world(conn: psycopg.Connection) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    users, postings = new_users(conn, 3), new_postings(conn, 3)
    # One statement of many rows, over the three postings in no particular order.
    conn.execute(
        "INSERT INTO user_job_swipes (user_id, job_posting_id, direction) "
        "SELECT u, p, (ARRAY['LEFT', 'RIGHT', 'SUPER_LIKE']::swipe_direction[])[1 + (i %% 3)] "
        "FROM unnest(%s::uuid[]) WITH ORDINALITY AS us(u, i), unnest(%s::uuid[]) AS ps(p)",
        (users, postings),
    )
    conn.execute(
        "INSERT INTO job_applications (user_id, job_posting_id) VALUES (%s, %s), (%s, %s)",
        (users[0], postings[0], users[1], postings[0]),
    )
    return users, postings


def test_counts_follow_inserts_of_every_kind(conn: psycopg.Connection, world) -> None:  # type: ignore[no-untyped-def]
    _, postings = world
    assert counts_of(conn, postings[0]) == (2, 1, 2, 0)
    (late,) = new_users(conn, 1)
    # COPY, as the simulator and bulk loads write.
    with conn.cursor().copy(
        "COPY user_job_swipes (user_id, job_posting_id, direction) FROM STDIN"
    ) as copy:
        copy.write(f"{late}\t{postings[1]}\tLEFT\n")
    view(conn, postings[2])
    view(conn, postings[2], at="2025-06-01")
    assert_kept_matches_the_facts(conn)
    assert counts_of(conn, postings[1])[1] == 2
    assert counts_of(conn, postings[2])[3] == 2


def test_counts_follow_deletes_moves_and_cascades(conn: psycopg.Connection, world) -> None:  # type: ignore[no-untyped-def]
    users, postings = world
    conn.execute("UPDATE user_job_swipes SET direction = 'LEFT' WHERE user_id = %s", (users[1],))
    conn.execute(
        "UPDATE job_applications SET job_posting_id = %s WHERE user_id = %s",
        (postings[2], users[0]),
    )
    assert_kept_matches_the_facts(conn)
    # An account's erasure cascades to its swipes and applications.
    conn.execute("DELETE FROM users WHERE id = %s", (users[2],))
    assert_kept_matches_the_facts(conn)
    conn.execute("DELETE FROM user_job_swipes WHERE job_posting_id = %s", (postings[1],))
    assert counts_of(conn, postings[1])[:2] == (0, 0)
    assert_kept_matches_the_facts(conn)


def test_score_write_back_leaves_counts_alone(conn: psycopg.Connection, world) -> None:  # type: ignore[no-untyped-def]
    before = kept(conn)
    conn.execute("UPDATE user_job_swipes SET match_score = 61, confidence = 0.5")
    assert kept(conn) == before


def test_app_role_swipes_are_counted(conn: psycopg.Connection, world) -> None:  # type: ignore[no-untyped-def]
    users, _ = world
    (posting,) = new_postings(conn, 1)
    conn.execute("SET LOCAL ROLE application_user")
    conn.execute("SELECT set_config('app.user_id', %s, true)", (str(users[0]),))
    conn.execute(
        "INSERT INTO user_job_swipes (user_id, job_posting_id, direction) VALUES (%s, %s, 'RIGHT')",
        (users[0], posting),
    )
    conn.execute("RESET ROLE")
    assert counts_of(conn, posting) == (1, 0, 0, 0)
    assert_kept_matches_the_facts(conn)


def test_views_follow_partition_moves_and_deletes(conn: psycopg.Connection) -> None:
    (posting,) = new_postings(conn, 1)
    view(conn, posting, at="2030-02-10 08:00:00")  # lands in the default partition
    view(conn, posting, at="2030-02-11 08:00:00")
    # A malformed id is stored, and counts for no posting.
    conn.execute(
        "INSERT INTO analytics_events (event_type, event_category, event_name, properties) "
        "VALUES ('view', 'job', 'job_viewed', '{\"job_posting_id\": \"not-a-uuid\"}')"
    )
    assert counts_of(conn, posting)[3] == 2
    # The late partition adopts them: moved out of the default partition, still stored.
    assert ensure_partitions(conn, dt.date(2030, 2, 1), dt.date(2030, 3, 1))
    assert counts_of(conn, posting)[3] == 2
    conn.execute("DELETE FROM analytics_events WHERE \"timestamp\" < '2030-02-11'")
    assert counts_of(conn, posting)[3] == 1
    assert_kept_matches_the_facts(conn)


def test_truncate_zeroes_what_it_counted(conn: psycopg.Connection, world) -> None:  # type: ignore[no-untyped-def]
    _, postings = world
    view(conn, postings[0])
    conn.execute("TRUNCATE job_applications CASCADE")
    assert counts_of(conn, postings[0]) == (2, 1, 0, 1)
    conn.execute("TRUNCATE user_job_swipes, analytics_events")
    assert_kept_matches_the_facts(conn)


def test_the_migration_counts_the_facts_already_stored(migrated_db: DatabaseTarget) -> None:
    downgrade(migrated_db, "0012_time_ordered_ids")
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        users, postings = new_users(conn, 2), new_postings(conn, 2)
        for user in users:
            conn.execute(
                "INSERT INTO user_job_swipes (user_id, job_posting_id, direction) "
                "VALUES (%s, %s, 'RIGHT'), (%s, %s, 'LEFT')",
                (user, postings[0], user, postings[1]),
            )
        view(conn, postings[1])
    upgrade(migrated_db)
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        assert counts_of(conn, postings[0]) == (2, 0, 0, 0)
        assert counts_of(conn, postings[1]) == (0, 2, 0, 1)
        assert_kept_matches_the_facts(conn)


def test_quality_refresh_writes_the_kept_counts(migrated_db: DatabaseTarget) -> None:
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        users, postings = new_users(conn, 2), new_postings(conn, 1)
        for user in users:
            conn.execute(
                "INSERT INTO user_job_swipes (user_id, job_posting_id, direction) VALUES (%s, %s, 'RIGHT')",
                (user, postings[0]),
            )
        view(conn, postings[0])
    assert refresh_posting_quality(migrated_db) == 1
    assert refresh_posting_quality(migrated_db) == 0  # idempotent: nothing changed
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        assert conn.execute(
            "SELECT right_swipe_count, left_swipe_count, application_count, view_count "
            "FROM job_postings WHERE id = %s",
            (postings[0],),
        ).fetchone() == (2, 0, 0, 1)
