"""A short, human-sized description of what the database holds."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from pipelines.db.models import SEED_TABLES
from pipelines.db.queries import scalar


@dataclass(frozen=True)
class SchemaSummary:
    revision: str | None
    server_version: str
    row_counts: dict[str, int]
    partitions: dict[str, int]
    enum_types: int
    indexes: int


def summarize(conn: psycopg.Connection, extra_tables: tuple[str, ...] = ()) -> SchemaSummary:
    revision_row = (
        conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if scalar(conn, "SELECT to_regclass('alembic_version')")
        else None
    )
    counts = {}
    for table in (*SEED_TABLES, *extra_tables):
        if scalar(conn, "SELECT to_regclass(%s)", (table,)) is None:
            continue
        counts[table] = int(
            scalar(conn, sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        )
    partitions: dict[str, int] = dict(
        conn.execute(
            """SELECT parent.relname, count(*) FROM pg_inherits i
                 JOIN pg_class parent ON parent.oid = i.inhparent
                WHERE parent.relkind = 'p'
                GROUP BY parent.relname"""
        ).fetchall()
    )
    enum_types = scalar(conn, "SELECT count(DISTINCT enumtypid) FROM pg_enum")
    indexes = scalar(conn, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")
    return SchemaSummary(
        revision=revision_row[0] if revision_row else None,
        server_version=str(scalar(conn, "SHOW server_version")),
        row_counts=counts,
        partitions={k: int(v) for k, v in partitions.items()},
        enum_types=int(enum_types),
        indexes=int(indexes),
    )
