"""GDPR duties over the schema's SQL functions: export, anonymisation, retention."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from pipelines.db.crypto import PiiCipher
from pipelines.db.pii import PII_COLUMNS, context


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
    rows = conn.execute("SELECT table_name, rows_deleted FROM cleanup_expired_data()").fetchall()
    return {table: int(count) for table, count in rows}
