"""Row-level security as the app sees it: SET ROLE application_user plus app.user_id."""

from __future__ import annotations

import uuid

import psycopg
import pytest

RLS_TABLES = (
    "users",
    "user_profiles",
    "user_preferences",
    "job_applications",
    "user_job_swipes",
    "resumes",
    "user_notifications",
)


@pytest.fixture
def two_users(conn: psycopg.Connection) -> tuple[uuid.UUID, uuid.UUID]:
    ids = []
    for email in ("alice@example.com", "bob@example.com"):
        (user_id,) = conn.execute(
            "INSERT INTO users (email) VALUES (%s) RETURNING id", (email,)
        ).fetchone()  # type: ignore[misc]
        conn.execute(
            "INSERT INTO user_profiles (user_id, current_title) VALUES (%s, 'Engineer')", (user_id,)
        )
        conn.execute("INSERT INTO user_preferences (user_id) VALUES (%s)", (user_id,))
        conn.execute(
            "INSERT INTO resumes (user_id, name, content) VALUES (%s, 'cv', '{}')", (user_id,)
        )
        conn.execute(
            "INSERT INTO user_notifications (user_id, type, title, message) VALUES (%s, 'SYSTEM', 'hi', 'hello')",
            (user_id,),
        )
        ids.append(user_id)
    (company_id,) = conn.execute(
        "INSERT INTO companies (name, slug) VALUES ('Acme', 'acme') RETURNING id"
    ).fetchone()  # type: ignore[misc]
    (posting_id,) = conn.execute(
        "INSERT INTO job_postings (company_id, title, description) VALUES (%s, 'Dev', 'Build') RETURNING id",
        (company_id,),
    ).fetchone()  # type: ignore[misc]
    for user_id in ids:
        conn.execute(
            "INSERT INTO user_job_swipes (user_id, job_posting_id, direction) VALUES (%s, %s, 'RIGHT')",
            (user_id, posting_id),
        )
        conn.execute(
            "INSERT INTO job_applications (user_id, job_posting_id) VALUES (%s, %s)",
            (user_id, posting_id),
        )
    return ids[0], ids[1]


def visible_user_ids(conn: psycopg.Connection, table: str) -> set[uuid.UUID]:
    column = "id" if table == "users" else "user_id"
    return {r[0] for r in conn.execute(f"SELECT {column} FROM {table}")}


def test_application_role_sees_only_its_own_rows(
    conn: psycopg.Connection, two_users: tuple[uuid.UUID, uuid.UUID]
) -> None:
    alice, _bob = two_users
    conn.execute("SET LOCAL ROLE application_user")
    conn.execute("SELECT set_config('app.user_id', %s, true)", (str(alice),))
    for table in RLS_TABLES:
        assert visible_user_ids(conn, table) == {alice}, table


def test_unset_user_id_means_no_rows_not_an_error(
    conn: psycopg.Connection, two_users: tuple[uuid.UUID, uuid.UUID]
) -> None:
    conn.execute("SET LOCAL ROLE application_user")
    for table in RLS_TABLES:
        assert visible_user_ids(conn, table) == set(), table
    conn.execute("SELECT set_config('app.user_id', '', true)")
    assert visible_user_ids(conn, "users") == set()


def test_application_role_cannot_write_rows_for_another_user(
    conn: psycopg.Connection, two_users: tuple[uuid.UUID, uuid.UUID]
) -> None:
    alice, bob = two_users
    conn.execute("SET LOCAL ROLE application_user")
    conn.execute("SELECT set_config('app.user_id', %s, true)", (str(alice),))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO resumes (user_id, name, content) VALUES (%s, 'x', '{}')", (bob,))


def test_platform_role_sees_everything(
    conn: psycopg.Connection, two_users: tuple[uuid.UUID, uuid.UUID]
) -> None:
    assert visible_user_ids(conn, "user_job_swipes") == set(two_users)


def test_application_role_is_nologin_without_bypassrls(conn: psycopg.Connection) -> None:
    login, bypass = conn.execute(
        "SELECT rolcanlogin, rolbypassrls FROM pg_roles WHERE rolname = 'application_user'"
    ).fetchone()  # type: ignore[misc]
    assert (login, bypass) == (False, False)


# ------------------------------------------------ every table with RLS x every command

MATRIX_TABLES = (*RLS_TABLES, "recommendations")
# The app may write these (users it may only update; recommendations it only reads).
WRITABLE = {"user_profiles", "user_preferences", "job_applications", "user_job_swipes", "resumes", "user_notifications"}  # fmt: skip


def add_recommendations(conn: psycopg.Connection, users: tuple[uuid.UUID, uuid.UUID]) -> None:
    (posting,) = conn.execute("SELECT id FROM job_postings LIMIT 1").fetchone()  # type: ignore[misc]
    (version,) = conn.execute(
        "INSERT INTO model_registry (train_start, train_end, validation_month, training_rows, "
        "validation_rows, features, metrics, artifact, artifact_sha256) VALUES "
        "('2026-01-01', '2026-02-01', '2026-02-01', 1, 1, '{}', '{}', '', '') RETURNING version"
    ).fetchone()  # type: ignore[misc]
    for user_id in users:
        conn.execute(
            "INSERT INTO recommendations (user_id, job_posting_id, rank, score, model_version) "
            "VALUES (%s, %s, 1, 50, %s)",
            (user_id, posting, version),
        )


def as_app(conn: psycopg.Connection, user_id: object) -> None:
    conn.execute("SET LOCAL ROLE application_user")
    if user_id is not None:
        conn.execute("SELECT set_config('app.user_id', %s, true)", (str(user_id),))


@pytest.mark.parametrize("table", MATRIX_TABLES)
def test_rls_matrix_select_update_delete_own_rows_only(
    conn: psycopg.Connection, two_users: tuple[uuid.UUID, uuid.UUID], table: str
) -> None:
    alice, bob = two_users
    add_recommendations(conn, two_users)
    column = "id" if table == "users" else "user_id"
    as_app(conn, alice)
    assert visible_user_ids(conn, table) == {alice}
    if table == "recommendations":
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute(f"UPDATE {table} SET rank = rank")
        return
    # UPDATE and DELETE reach only the user's own rows: Bob's are invisible, so untouched.
    updated = conn.execute(f"UPDATE {table} SET {column} = {column} WHERE {column} = %s", (bob,))
    assert updated.rowcount == 0
    if table in WRITABLE:
        deleted = conn.execute(f"DELETE FROM {table} WHERE {column} = %s", (bob,))
        assert deleted.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute(f"UPDATE {table} SET user_id = %s", (bob,))  # WITH CHECK
    conn.execute("RESET ROLE")
    assert bob in visible_user_ids(conn, table)


@pytest.mark.parametrize("table", sorted(WRITABLE))
def test_rls_matrix_insert_only_for_oneself(
    conn: psycopg.Connection, two_users: tuple[uuid.UUID, uuid.UUID], table: str
) -> None:
    alice, bob = two_users
    row = conn.execute(
        f"SELECT to_jsonb(t) FROM {table} t WHERE user_id = %s LIMIT 1", (alice,)
    ).fetchone()
    assert row is not None
    record = {k: v for k, v in row[0].items() if k not in ("id",)}
    conn.execute(f"DELETE FROM {table} WHERE user_id = %s", (bob,))
    columns = ", ".join(record)
    placeholders = ", ".join(["%s"] * len(record))
    values = [
        str(bob)
        if k == "user_id"
        else (v if not isinstance(v, dict | list) else psycopg.types.json.Jsonb(v))
        for k, v in record.items()
    ]
    as_app(conn, alice)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)


@pytest.mark.parametrize(
    "setting",
    [None, "", "not-a-uuid", "'; DROP TABLE users; --", "00000000-0000-0000-0000-00000000000g"],
)
@pytest.mark.parametrize("table", MATRIX_TABLES)
def test_unset_empty_or_malformed_user_id_gives_no_rows_and_no_error(
    conn: psycopg.Connection,
    two_users: tuple[uuid.UUID, uuid.UUID],
    table: str,
    setting: str | None,
) -> None:
    add_recommendations(conn, two_users)
    as_app(conn, setting)
    assert visible_user_ids(conn, table) == set()
