from __future__ import annotations

import datetime as dt
import uuid

import psycopg
import pytest

from pipelines.db.crypto import PiiCipher, key_id_of, new_key_spec
from pipelines.db.gdpr import anonymize_user, cleanup_expired_data, export_user
from pipelines.db.maintenance import ensure_partitions
from pipelines.db.pii import encrypt_profile_fields, rotate_keys


def make_user(
    conn: psycopg.Connection, cipher: PiiCipher, email: str, **user_columns: object
) -> uuid.UUID:
    columns = ["email", *user_columns]
    (user_id,) = conn.execute(
        f"INSERT INTO users ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id",
        (email, *user_columns.values()),
    ).fetchone()  # type: ignore[misc]
    pii = encrypt_profile_fields(
        cipher,
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "phone": "+44 20 7946 0000",
            "date_of_birth": "1815-12-10",
        },
    )
    conn.execute(
        "INSERT INTO user_profiles (user_id, first_name, last_name, phone, date_of_birth, skills) VALUES (%s, %s, %s, %s, %s, %s)",
        (
            user_id,
            pii["first_name"],
            pii["last_name"],
            pii["phone"],
            pii["date_of_birth"],
            ["python", "sql"],
        ),
    )
    conn.execute("INSERT INTO user_preferences (user_id) VALUES (%s)", (user_id,))
    return user_id


@pytest.fixture
def postings(conn: psycopg.Connection) -> list[uuid.UUID]:
    (company_id,) = conn.execute(
        "INSERT INTO companies (name, slug) VALUES ('Acme', 'acme') RETURNING id"
    ).fetchone()  # type: ignore[misc]
    return [
        conn.execute(
            "INSERT INTO job_postings (company_id, title, description) VALUES (%s, %s, 'Build things') RETURNING id",
            (company_id, f"Engineer {i}"),
        ).fetchone()[0]  # type: ignore[index]
        for i in range(3)
    ]


def test_pii_is_unreadable_in_the_table_and_round_trips(
    conn: psycopg.Connection, cipher: PiiCipher
) -> None:
    user_id = make_user(conn, cipher, "ada@example.com")
    raw = conn.execute(
        "SELECT first_name, phone, date_of_birth FROM user_profiles WHERE user_id = %s", (user_id,)
    ).fetchone()
    assert raw is not None
    assert all(b"Ada" not in bytes(v) and b"7946" not in bytes(v) for v in raw)
    document = export_user(conn, user_id, cipher)
    assert document is not None
    assert document["profile"]["first_name"] == "Ada"
    assert document["profile"]["phone"] == "+44 20 7946 0000"


def test_export_returns_each_swipe_and_application_exactly_once(
    conn: psycopg.Connection, cipher: PiiCipher, postings: list[uuid.UUID]
) -> None:
    user_id = make_user(conn, cipher, "ada@example.com")
    for resume in ("cv-a", "cv-b"):
        conn.execute(
            "INSERT INTO resumes (user_id, name, content) VALUES (%s, %s, '{}')", (user_id, resume)
        )
    for posting_id in postings[:2]:
        conn.execute(
            "INSERT INTO user_job_swipes (user_id, job_posting_id, direction) VALUES (%s, %s, 'RIGHT')",
            (user_id, posting_id),
        )
        conn.execute(
            "INSERT INTO job_applications (user_id, job_posting_id) VALUES (%s, %s)",
            (user_id, posting_id),
        )
    document = export_user(conn, user_id, cipher)
    assert document is not None
    assert len(document["swipes"]) == 2
    assert len(document["applications"]) == 2
    assert len(document["resumes"]) == 2
    assert len({s["id"] for s in document["swipes"]}) == 2
    assert "password_hash" not in document["user"]
    assert export_user(conn, uuid.uuid4(), cipher) is None


def test_anonymize_removes_personal_data_but_keeps_facts(
    conn: psycopg.Connection, cipher: PiiCipher, postings: list[uuid.UUID]
) -> None:
    user_id = make_user(conn, cipher, "ada@example.com")
    conn.execute(
        "INSERT INTO user_job_swipes (user_id, job_posting_id, direction) VALUES (%s, %s, 'LEFT')",
        (user_id, postings[0]),
    )
    anonymize_user(conn, user_id)
    email, is_deleted = conn.execute(
        "SELECT email, is_deleted FROM users WHERE id = %s", (user_id,)
    ).fetchone()  # type: ignore[misc]
    assert "ada" not in email and is_deleted
    assert conn.execute(
        "SELECT first_name, phone FROM user_profiles WHERE user_id = %s", (user_id,)
    ).fetchone() == (None, None)
    assert conn.execute(
        "SELECT count(*) FROM user_job_swipes WHERE user_id = %s", (user_id,)
    ).fetchone() == (1,)


def test_cleanup_deletes_only_what_is_past_retention(
    conn: psycopg.Connection, cipher: PiiCipher
) -> None:
    now = dt.datetime(2026, 11, 25)
    old_deleted = make_user(
        conn,
        cipher,
        "old@example.com",
        is_deleted=True,
        deleted_at=now - dt.timedelta(days=365 * 8),
    )
    recent_deleted = make_user(
        conn, cipher, "recent@example.com", is_deleted=True, deleted_at=now - dt.timedelta(days=30)
    )
    active_old = make_user(
        conn, cipher, "active@example.com", created_at=now - dt.timedelta(days=365 * 9)
    )
    ensure_partitions(conn, dt.date(2018, 1, 1), dt.date(2027, 1, 1))
    for at in ("2022-01-10", "2024-06-01"):
        conn.execute(
            "INSERT INTO analytics_events (user_id, event_type, event_category, event_name, \"timestamp\") VALUES (%s, 'view', 'job', 'job_viewed', %s)",
            (active_old, at),
        )
    for at in ("2019-01-01", "2020-01-01"):
        conn.execute(
            "INSERT INTO audit_logs (user_id, action, resource, created_at) VALUES (%s, 'LOGIN', 'AUTH', %s)",
            (old_deleted, at),
        )

    conn.execute("SELECT * FROM cleanup_expired_data(%s)", (now,))
    remaining_users = {r[0] for r in conn.execute("SELECT id FROM users")}
    assert remaining_users == {recent_deleted, active_old}
    assert [
        r[0].date().isoformat() for r in conn.execute('SELECT "timestamp" FROM analytics_events')
    ] == ["2024-06-01"]
    # The 2019-01-01 audit row is past the 7-year window; the 2020 one stays and loses only its
    # link to the deleted user.
    assert [
        (r[0].date().isoformat(), r[1])
        for r in conn.execute("SELECT created_at, user_id FROM audit_logs")
    ] == [("2020-01-01", None)]


def test_cleanup_default_argument_runs_against_now(conn: psycopg.Connection) -> None:
    assert cleanup_expired_data(conn) == {"users": 0, "analytics_events": 0, "audit_logs": 0}


def test_rotate_keys_re_encrypts_every_stale_value(conn: psycopg.Connection) -> None:
    old_spec = new_key_spec("k-old")
    old = PiiCipher.from_spec(old_spec)
    users = [make_user(conn, old, f"u{i}@example.com") for i in range(5)]
    rotated = PiiCipher.from_spec(new_key_spec("k-new") + "," + old_spec)

    assert rotate_keys(conn, rotated, batch_size=2) == 5
    for (phone,) in conn.execute("SELECT phone FROM user_profiles"):
        assert key_id_of(phone) == "k-new"
    # The old key can now be retired: the new key alone reads everything.
    new_only = PiiCipher(keys={"k-new": rotated.keys["k-new"]}, active_key_id="k-new")
    document = export_user(conn, users[0], new_only)
    assert document is not None and document["profile"]["last_name"] == "Lovelace"
    assert rotate_keys(conn, rotated) == 0


def _audit_actions(conn: psycopg.Connection) -> list[tuple[str, object]]:
    return conn.execute(
        "SELECT action, new_values FROM audit_logs WHERE action LIKE 'GDPR_%' ORDER BY created_at"
    ).fetchall()


def test_retention_drops_expired_partitions_whole_and_deletes_only_in_partly_expired_ones(
    conn: psycopg.Connection,
) -> None:
    from pipelines.db.gdpr import run_retention

    now = dt.datetime(2026, 11, 25)  # analytics cutoff 2023-11-26, audit cutoff 2019-11-27
    ensure_partitions(conn, dt.date(2019, 1, 1), dt.date(2024, 1, 1))
    for at in ("2023-09-10", "2023-10-05", "2023-11-10", "2023-11-30", "2023-12-01"):
        conn.execute(
            "INSERT INTO analytics_events (event_type, event_category, event_name, \"timestamp\") VALUES ('view', 'job', 'job_viewed', %s)",
            (at,),
        )
    before = {r[0] for r in conn.execute("SELECT tableoid::regclass::text FROM analytics_events")}

    dry = run_retention(conn, as_of=now, dry_run=True)
    assert dry.dry_run and "analytics_events_y2023m10" in dry.partitions_dropped
    assert dry.deleted["analytics_events"] == 3
    # A dry run changes nothing and is not an action: no row, partition or audit entry moves.
    assert conn.execute("SELECT count(*) FROM analytics_events").fetchone() == (5,)
    assert conn.execute("SELECT to_regclass('analytics_events_y2023m10')").fetchone() != (None,)
    assert _audit_actions(conn) == []

    real = run_retention(conn, as_of=now)
    assert real.deleted == dry.deleted and real.partitions_dropped == dry.partitions_dropped
    # September and October 2023 lie wholly before the cutoff: dropped. November 2023 straddles
    # it: only its row of the 10th is deleted, the partition stays.
    assert {"analytics_events_y2023m09", "analytics_events_y2023m10"} <= set(
        real.partitions_dropped
    )
    assert "analytics_events_y2023m11" not in real.partitions_dropped
    assert "analytics_events_y2023m11" in before
    assert conn.execute("SELECT to_regclass('analytics_events_y2023m10')").fetchone() == (None,)
    assert conn.execute("SELECT to_regclass('analytics_events_y2023m11')").fetchone() != (None,)
    assert [
        r[0].date().isoformat()
        for r in conn.execute('SELECT "timestamp" FROM analytics_events ORDER BY 1')
    ] == ["2023-11-30", "2023-12-01"]
    # Quarterly audit partitions of 2019 up to the third quarter end before the 7-year cutoff.
    assert "audit_logs_2019q3" in real.partitions_dropped
    assert "audit_logs_2019q4" not in real.partitions_dropped
    ((action, details),) = _audit_actions(conn)
    assert action == "GDPR_RETENTION"
    assert details["rows_deleted"]["analytics_events"] == 3
    assert "analytics_events_y2023m09" in details["partitions_dropped"]
    # Idempotent: a second run finds nothing more.
    again = run_retention(conn, as_of=now)
    assert again.partitions_dropped == [] and set(again.deleted.values()) == {0}


def test_erasure_dry_run_counts_then_erasure_is_audited(
    conn: psycopg.Connection, cipher: PiiCipher, postings: list[uuid.UUID]
) -> None:
    user_id = make_user(conn, cipher, "grace@example.com")
    conn.execute(
        "INSERT INTO user_job_swipes (user_id, job_posting_id, direction, user_feedback) "
        "VALUES (%s, %s, 'RIGHT', 'great')",
        (user_id, postings[0]),
    )
    dry = anonymize_user(conn, user_id, dry_run=True)
    assert dry["users"] == 1 and dry["user_profiles"] == 1 and dry["user_job_swipes"] == 1
    assert conn.execute("SELECT email FROM users WHERE id = %s", (user_id,)).fetchone() == (
        "grace@example.com",
    )
    assert _audit_actions(conn) == []
    assert anonymize_user(conn, user_id) == dry
    ((action, details),) = _audit_actions(conn)
    assert action == "GDPR_ERASURE" and details == {"rows": dry}
    assert "grace" not in str(details)
    # Erased means erased: a second erasure finds nothing left, and writes no second audit row.
    assert anonymize_user(conn, user_id, dry_run=True) == {}
    assert anonymize_user(conn, user_id) == {}
    assert len(_audit_actions(conn)) == 1
    with pytest.raises(LookupError):
        anonymize_user(conn, uuid.uuid4())


def test_export_is_audited_without_personal_data(
    conn: psycopg.Connection, cipher: PiiCipher
) -> None:
    user_id = make_user(conn, cipher, "lin@example.com")
    assert export_user(conn, user_id, cipher) is not None
    ((action, details),) = _audit_actions(conn)
    assert action == "GDPR_EXPORT" and "lin@" not in str(details)
    row = conn.execute(
        "SELECT user_id, actor_type::text, legal_basis FROM audit_logs WHERE action = 'GDPR_EXPORT'"
    ).fetchone()
    assert row == (user_id, "SYSTEM", "GDPR Art. 15 (access)")
