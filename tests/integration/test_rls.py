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
