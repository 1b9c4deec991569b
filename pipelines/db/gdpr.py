"""GDPR duties over the schema's SQL functions: export, anonymisation, retention."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from pipelines.db.crypto import PiiCipher
from pipelines.db.locks import Writer, hold_writer_lock
from pipelines.db.pii import PII_COLUMNS, context
from pipelines.faults import failpoint
from pipelines.sql_files import read_sql


def export_user(
    conn: psycopg.Connection, user_id: uuid.UUID, cipher: PiiCipher
) -> dict[str, Any] | None:
    """One JSON document with everything stored about a user, PII decrypted; None if unknown."""
    row = conn.execute("SELECT export_user_data(%s)", (user_id,)).fetchone()
    document: dict[str, Any] | None = row[0] if row else None
    if document is None:
        return None
    profile = document.get("profile")
    if profile:
        for column in PII_COLUMNS["user_profiles"]:
            value = profile.get(column)
            if value:
                # to_jsonb(bytea) renders as "\x<hex>".
                profile[column] = cipher.decrypt(
                    bytes.fromhex(value[2:]), context("user_profiles", column)
                )
    return document


def anonymize_user(conn: psycopg.Connection, user_id: uuid.UUID) -> None:
    conn.execute("SELECT anonymize_user(%s)", (user_id,))


def cleanup_expired_data(conn: psycopg.Connection) -> dict[str, int]:
    """Run the retention function; returns rows deleted per table."""
    with conn.transaction():
        # Deleting users cascades into every writer's tables: take every writer lock, in order.
        hold_writer_lock(conn, *Writer)
        rows = conn.execute(read_sql("pipelines.db.sql", "cleanup_expired_data")).fetchall()
        failpoint("retention.before_commit")
    return {table: int(count) for table, count in rows}
