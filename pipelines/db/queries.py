"""Small typed helpers for one-value queries."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql


def scalar(
    conn: psycopg.Connection,
    query: str | sql.Composed,
    params: tuple[Any, ...] | dict[str, Any] | None = None,
) -> Any:
    """The first column of the first row; a query that returns no row is a bug, said so."""
    row = conn.execute(query, params).fetchone()
    if row is None:
        raise RuntimeError(f"expected one row from: {query!s:.80}")
    return row[0]
