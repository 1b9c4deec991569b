"""Least-privilege roles, tested by logging in as a member of each."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from pipelines.db.connection import DatabaseTarget

# What an analyst must never read: PII, ciphertext, keys, raw quarantined records, artifacts.
FORBIDDEN = [
    "SELECT email FROM users",
    "SELECT * FROM user_profiles",
    "SELECT raw_record FROM ingest_rejects",
    "SELECT artifact FROM model_registry",
    "SELECT * FROM job_applications",
    "SELECT * FROM audit_logs",
]


@pytest.fixture
def login_as(migrated_db: DatabaseTarget) -> Iterator[object]:
    created: list[str] = []
    admin = psycopg.connect(**migrated_db.libpq_kwargs, autocommit=True)  # type: ignore[arg-type]

    def connect(group: str) -> psycopg.Connection:
        name = f"t_{group}_{secrets.token_hex(4)}"
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                sql.Identifier(name), sql.Identifier(group)
            )
        )
        created.append(name)
        return psycopg.connect(**{**migrated_db.libpq_kwargs, "user": name}, autocommit=True)  # type: ignore[arg-type]

    yield connect
    for name in created:
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
    admin.close()


def test_analyst_reads_marts_and_staging_but_nothing_in_public(
    migrated_db: DatabaseTarget, login_as
) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(**migrated_db.libpq_kwargs, autocommit=True) as owner:  # type: ignore[arg-type]
        owner.execute("CREATE TABLE marts.mart_example AS SELECT 1 AS dau")
        owner.execute("CREATE VIEW staging.stg_example AS SELECT id AS user_id FROM users")
    with login_as("jobswipe_analyst") as analyst:
        assert analyst.execute("SELECT dau FROM marts.mart_example").fetchall() == [(1,)]
        assert analyst.execute("SELECT count(*) FROM staging.stg_example").fetchone() == (0,)
        for query in FORBIDDEN:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                analyst.execute(query)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            analyst.execute("CREATE TABLE marts.mine (x int)")


def test_pipeline_writes_every_users_rows_but_no_ddl(migrated_db: DatabaseTarget, login_as) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(**migrated_db.libpq_kwargs, autocommit=True) as owner:  # type: ignore[arg-type]
        owner.execute("INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com')")
    with login_as("jobswipe_pipeline") as pipeline:
        assert pipeline.execute("SELECT count(*) FROM users").fetchone() == (2,)
        pipeline.execute("INSERT INTO companies (name, slug) VALUES ('Acme', 'acme')")
        assert pipeline.execute("UPDATE users SET last_login_at = now()").rowcount == 2
        pipeline.execute("CREATE TABLE marts.built_by_dbt (x int)")
        for ddl in (
            "CREATE TABLE public.sneaky (x int)",
            "DROP TABLE companies CASCADE",
            "ALTER TABLE users ADD COLUMN x int",
            "TRUNCATE users CASCADE",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                pipeline.execute(ddl)


def test_roles_cannot_log_in_or_bypass_rls(conn: psycopg.Connection) -> None:
    rows = conn.execute(
        "SELECT rolname, rolcanlogin, rolbypassrls, rolsuper, rolcreaterole FROM pg_roles "
        "WHERE rolname IN ('application_user', 'jobswipe_pipeline', 'jobswipe_analyst') ORDER BY 1"
    ).fetchall()
    assert [r[1:] for r in rows] == [(False, False, False, False)] * 3
    assert len(rows) == 3
