"""Server-level chores: is a server reachable, create and drop databases (tests, benchmarks)."""

from __future__ import annotations

import psycopg
from psycopg import sql

from pipelines.db.connection import DatabaseTarget


def is_reachable(target: DatabaseTarget, timeout_seconds: int = 2) -> bool:
    try:
        with psycopg.connect(**target.libpq_kwargs, connect_timeout=timeout_seconds):  # type: ignore[arg-type]
            return True
    except psycopg.OperationalError:
        return False


def create_database(server: DatabaseTarget, name: str) -> DatabaseTarget:
    with psycopg.connect(**server.with_database("postgres").libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.with_database(name)


def drop_database(server: DatabaseTarget, name: str) -> None:
    with psycopg.connect(**server.with_database("postgres").libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def ensure_database(target: DatabaseTarget) -> None:
    """Create the target's database if the server does not have it yet."""
    with psycopg.connect(**target.with_database("postgres").libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
