"""GDPR duties over the schema's SQL functions: export, erasure, retention. Each writes an
``audit_logs`` row; erasure and retention have a dry run that changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pipelines.db.crypto import PiiCipher
from pipelines.db.locks import hold_every_lock
from pipelines.db.pii import PII_COLUMNS, context
from pipelines.faults import failpoint
from pipelines.sql_files import read_sql

# Retention periods of the seed's cleanup_expired_data(), for the partitions dropped whole.
PARTITION_RETENTION = {
    "analytics_events": dt.timedelta(days=3 * 365),
    "audit_logs": dt.timedelta(days=7 * 365),
}


def audit(
    conn: psycopg.Connection,
    action: str,
    legal_basis: str,
    details: dict[str, Any],
    user_id: uuid.UUID | None = None,
) -> None:
    conn.execute(
        read_sql("pipelines.db.sql", "gdpr_audit"),
        {
            "user_id": user_id,
            "action": action,
            "resource": "user" if user_id else "retention",
            "resource_id": str(user_id) if user_id else None,
            "details": json.dumps(details, default=str),
            "legal_basis": legal_basis,
        },
    )


def export_user(
    conn: psycopg.Connection, user_id: uuid.UUID, cipher: PiiCipher
) -> dict[str, Any] | None:
    """One JSON document with everything stored about a user, PII decrypted; None if unknown."""
    row = conn.execute("SELECT export_user_data(%s)", (user_id,)).fetchone()
    document: dict[str, Any] | None = row[0] if row else None
    if document is None:
        return None
    audit(conn, "GDPR_EXPORT", "GDPR Art. 15 (access)", {"sections": sorted(document)}, user_id)
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


def erasure_counts(conn: psycopg.Connection, user_id: uuid.UUID) -> dict[str, int]:
    rows = conn.execute(read_sql("pipelines.db.sql", "erasure_counts"), {"user_id": user_id})
    return {table: int(count) for table, count in rows if count}


def anonymize_user(
    conn: psycopg.Connection, user_id: uuid.UUID, dry_run: bool = False
) -> dict[str, int]:
    """Erase one user's personal data (the seed's anonymize_user) and what is derived from it
    (their recommendations and recommendation history); returns the rows touched per table. ``dry_run`` only counts.
    LookupError when there is no such user."""
    if conn.execute("SELECT 1 FROM users WHERE id = %s", (user_id,)).fetchone() is None:
        raise LookupError(f"no user {user_id}")
    counts = erasure_counts(conn, user_id)
    if dry_run or not counts:
        return counts
    with conn.transaction():
        conn.execute("SELECT anonymize_user(%s)", (user_id,))
        conn.execute("DELETE FROM recommendations WHERE user_id = %s", (user_id,))
        conn.execute("DELETE FROM recommendation_history WHERE user_id = %s", (user_id,))
        audit(conn, "GDPR_ERASURE", "GDPR Art. 17 (erasure)", {"rows": counts}, user_id)
    return counts


@dataclass
class RetentionReport:
    deleted: dict[str, int]
    partitions_dropped: list[str] = field(default_factory=list)
    dry_run: bool = False


class _DryRunRollback(Exception):
    """Raised to roll back a dry run's transaction."""


def cleanup_expired_data(
    conn: psycopg.Connection, as_of: dt.datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Run retention; returns rows deleted per table (see ``run_retention``)."""
    return run_retention(conn, as_of, dry_run).deleted


def run_retention(
    conn: psycopg.Connection, as_of: dt.datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Retention: partitions of analytics_events and audit_logs that lie wholly past their period
    are detached and dropped; then cleanup_expired_data() deletes rows where a partition is only
    partly expired (and in the default partitions) and the accounts past retention.

    A dry run does all of it in one transaction and rolls it back: the report is exact, nothing
    changes and no audit row is written (it holds the same locks as a real run meanwhile).
    """
    as_of = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = RetentionReport(deleted={}, dry_run=dry_run)
    try:
        with conn.transaction():
            # Deleting users cascades into every writer's tables: take every writer lock, in order.
            hold_every_lock(conn)
            dropped_rows: dict[str, int] = {}
            for table, period in PARTITION_RETENTION.items():
                dropped_rows[table] = 0
                expired = conn.execute(
                    read_sql("pipelines.db.sql", "expired_partitions"),
                    {"parent": table, "cutoff": as_of - period},
                ).fetchall()
                for partition, _ in expired:
                    name = sql.Identifier(partition)
                    count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(name)).fetchone()
                    dropped_rows[table] += int(count[0]) if count else 0
                    if table == "analytics_events":
                        # The users' places are counted from the events on disk by triggers,
                        # which a dropped partition never reaches (migration 0016).
                        conn.execute("SELECT forget_partition_places(%s::regclass)", (partition,))
                    conn.execute(
                        sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                            sql.Identifier(table), name
                        )
                    )
                    conn.execute(sql.SQL("DROP TABLE {}").format(name))
                    report.partitions_dropped.append(partition)
            rows = conn.execute(
                read_sql("pipelines.db.sql", "cleanup_expired_data"), {"as_of": as_of}
            ).fetchall()
            report.deleted = {
                table: int(count) + dropped_rows.get(table, 0) for table, count in rows
            }
            failpoint("retention.before_commit")
            if dry_run:
                raise _DryRunRollback
            audit(
                conn,
                "GDPR_RETENTION",
                "GDPR Art. 5(1)(e) (storage limitation)",
                {
                    "as_of": as_of,
                    "rows_deleted": report.deleted,
                    "partitions_dropped": report.partitions_dropped,
                },
            )
    except _DryRunRollback:
        pass
    return report
