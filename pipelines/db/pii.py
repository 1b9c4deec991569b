"""Where PII lives, and key rotation over it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
from psycopg import sql

from pipelines.db.bulk import copy_rows, create_staging_table
from pipelines.db.crypto import PiiCipher

# Table -> encrypted columns. The seed marks these as "Personal information (encrypted)".
PII_COLUMNS: dict[str, tuple[str, ...]] = {
    "user_profiles": ("first_name", "last_name", "phone", "date_of_birth"),
}


def context(table: str, column: str) -> str:
    return f"{table}.{column}"


def encrypt_profile_fields(
    cipher: PiiCipher, values: dict[str, str | None]
) -> dict[str, bytes | None]:
    return {
        column: None
        if values.get(column) is None
        else cipher.encrypt(str(values[column]), context("user_profiles", column))
        for column in PII_COLUMNS["user_profiles"]
    }


def decrypt_profile_fields(
    cipher: PiiCipher, row: dict[str, bytes | None]
) -> dict[str, str | None]:
    return {
        column: None
        if row.get(column) is None
        else cipher.decrypt(row[column], context("user_profiles", column))  # type: ignore[arg-type]
        for column in PII_COLUMNS["user_profiles"]
    }


def rotate_keys(conn: psycopg.Connection, cipher: PiiCipher, batch_size: int = 5_000) -> int:
    """Re-encrypt every PII value not under the active key; returns the number of rows rewritten.

    Runs in the caller's transaction: either every stale value is re-encrypted or none is.
    """
    rewritten = 0
    for table, columns in PII_COLUMNS.items():
        for batch in _stale_rows(conn, cipher, table, columns, batch_size):
            with conn.cursor() as cur:
                create_staging_table(
                    cur, "pii_rotation", columns=[("id", "uuid"), *[(c, "bytea") for c in columns]]
                )
                copy_rows(cur, "pii_rotation", ["id", *columns], batch)
                cur.execute(
                    sql.SQL(
                        "UPDATE {t} AS target SET {assignments} FROM pii_rotation AS s WHERE target.id = s.id"
                    ).format(
                        t=sql.Identifier(table),
                        assignments=sql.SQL(", ").join(
                            sql.SQL("{c} = s.{c}").format(c=sql.Identifier(c)) for c in columns
                        ),
                    )
                )
                cur.execute("DROP TABLE pii_rotation")
            rewritten += len(batch)
    return rewritten


def _stale_rows(
    conn: psycopg.Connection,
    cipher: PiiCipher,
    table: str,
    columns: tuple[str, ...],
    batch_size: int,
) -> Iterator[list[tuple[object, ...]]]:
    query = sql.SQL("SELECT id, {cols} FROM {t} WHERE {any_set}").format(
        cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
        t=sql.Identifier(table),
        any_set=sql.SQL(" OR ").join(
            sql.SQL("{} IS NOT NULL").format(sql.Identifier(c)) for c in columns
        ),
    )
    stale: list[tuple[object, ...]] = []
    with conn.cursor(name=f"pii_scan_{table}") as cur:
        cur.execute(query)
        for row in cur:
            row_id: uuid.UUID = row[0]
            values = row[1:]
            if not any(v is not None and cipher.needs_rotation(v) for v in values):
                continue
            stale.append(
                (
                    row_id,
                    *(
                        None
                        if v is None
                        else cipher.encrypt(cipher.decrypt(v, context(table, c)), context(table, c))
                        for c, v in zip(columns, values, strict=True)
                    ),
                )
            )
    for start in range(0, len(stale), batch_size):
        yield stale[start : start + batch_size]
