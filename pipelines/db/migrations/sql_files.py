"""Migrations keep their DDL in reviewable .sql files beside them (sql/<revision>.{up,down}.sql)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import op

SQL_DIR = Path(__file__).resolve().parent / "sql"


def run_sql_file(name: str) -> None:
    """Execute one SQL file on the migration's connection, inside the migration's transaction."""
    sql = (SQL_DIR / name).read_text(encoding="utf-8")
    # The raw psycopg cursor, called without parameters, sends the script as one simple-query
    # message: DO blocks, functions, format() placeholders and many statements run as written.
    # It is the migration's own connection, so the script joins the migration's transaction.
    dbapi_connection = op.get_bind().connection.dbapi_connection
    if dbapi_connection is None:
        raise RuntimeError("the migration has no database connection")
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def sql_revision(revision: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """A revision's upgrade() and downgrade(): its ``.up.sql`` and ``.down.sql`` files."""

    def upgrade() -> None:
        run_sql_file(f"{revision}.up.sql")

    def downgrade() -> None:
        run_sql_file(f"{revision}.down.sql")

    return upgrade, downgrade
