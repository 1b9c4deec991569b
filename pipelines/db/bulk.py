"""Set-based bulk writes: COPY into a staging table, then one statement into the real table."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Mapping, Sequence

import polars as pl
import psycopg
from psycopg import sql


def create_staging_table(
    cur: psycopg.Cursor, name: str, like: str | None = None, columns: Sequence[tuple[str, str]] = ()
) -> None:
    """A temporary table dropped at commit, shaped like ``like`` or from (name, type) pairs."""
    if like is not None:
        cur.execute(
            sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(
                sql.Identifier(name), sql.Identifier(like)
            )
        )
        return
    column_defs = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(col), sql.SQL(pg_type)) for col, pg_type in columns
    )
    cur.execute(
        sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
            sql.Identifier(name), column_defs
        )
    )


def copy_rows(
    cur: psycopg.Cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """COPY Python rows (psycopg adapts each value); for modest row counts."""
    count = 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def copy_frame(
    cur: psycopg.Cursor, table: str, frame: pl.DataFrame, chunk_rows: int = 200_000
) -> int:
    """COPY a polars frame as CSV: the fast path for hot loads (frames are serialised in Rust).

    Columns map by name onto ``table``. List columns must already be PostgreSQL array literals
    or JSON text; ``frame`` values are written as they are.
    """
    if frame.height == 0:
        return 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, NULL '\\N')").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, frame.columns))
    )
    with cur.copy(statement) as copy:
        for offset in range(0, frame.height, chunk_rows):
            buffer = io.BytesIO()
            frame.slice(offset, chunk_rows).write_csv(
                buffer, include_header=False, null_value="\\N"
            )
            copy.write(buffer.getvalue())
    return frame.height


def copy_out_frame(
    cur: psycopg.Cursor,
    query: str,
    schema: Mapping[str, type[pl.DataType] | pl.DataType],
    params: Mapping[str, object] | None = None,
) -> pl.DataFrame:
    """A query's rows as a polars frame by ``COPY (query) TO STDOUT`` in CSV: no Python object
    per value, which is what reading ten million rows with fetchall() costs (gigabytes).

    ``schema`` names every column of the query, in order, with its polars type; booleans and
    timestamps are parsed from PostgreSQL's text forms (t/f, ISO with an optional fraction).
    The CSV passes through a temporary file, so only the frame itself is held in memory.
    """
    # Categorical columns are parsed as such: ten million ids never exist as strings at once.
    text_schema = {
        name: pl.Categorical if dtype == pl.Categorical else pl.String
        for name, dtype in schema.items()
    }
    statement = sql.SQL("COPY ({}\n) TO STDOUT WITH (FORMAT csv, HEADER false)").format(
        sql.SQL(query.strip().rstrip(";"))
    )
    with tempfile.TemporaryFile() as spool:
        with cur.copy(statement, params) as copy:
            for block in copy:
                spool.write(block)
        spool.seek(0)
        frame = pl.read_csv(spool, has_header=False, schema=text_schema, null_values=[""])
    return frame.with_columns(_parsed(name, dtype) for name, dtype in schema.items())


def _parsed(name: str, dtype: type[pl.DataType] | pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.Boolean:
        return column.replace_strict({"t": True, "f": False}, return_dtype=pl.Boolean)
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return column.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us")
    return column.cast(dtype)


def pg_array_literal(values: Sequence[str] | None) -> str | None:
    """A TEXT[] literal for CSV COPY, quoting every element."""
    if values is None:
        return None
    escaped = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in escaped) + "}"


def update_from_frame(
    cur: psycopg.Cursor,
    table: str,
    key: str,
    frame: pl.DataFrame,
    staging: str = "bulk_update",
    keep_stored_when_null: bool = True,
    touch_column: tuple[str, object] | None = None,
) -> int:
    """Set-based UPDATE of ``table`` from a frame keyed by ``key``: COPY to staging, one UPDATE.

    With ``keep_stored_when_null`` a null in the frame keeps the stored value (COALESCE), so one
    frame can carry rows that change different columns; without it the frame's values are
    written exactly. Rows whose values would not change are left alone (no trigger fires, no new
    row version), so writing the same frame twice changes nothing. ``touch_column`` (name, value)
    is also set on the rows that do change (e.g. updated_at). Returns rows updated.
    """
    if frame.height == 0:
        return 0
    columns = [c for c in frame.columns if c != key]
    cur.execute(
        sql.SQL(
            "CREATE TEMP TABLE {s} ON COMMIT DROP AS SELECT {cols} FROM {t} WITH NO DATA"
        ).format(
            s=sql.Identifier(staging),
            cols=sql.SQL(", ").join(map(sql.Identifier, [key, *columns])),
            t=sql.Identifier(table),
        )
    )
    copy_frame(cur, staging, frame.select(key, *columns))
    # Temp tables are never auto-analyzed; without statistics the planner guesses their size.
    cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(staging)))
    new_value = (
        sql.SQL("COALESCE(source.{c}, target.{c})")
        if keep_stored_when_null
        else sql.SQL("source.{c}")
    )
    new_values = [new_value.format(c=sql.Identifier(c)) for c in columns]
    cur.execute(
        sql.SQL(
            "UPDATE {t} AS target SET {assignments} FROM {s} AS source "
            "WHERE target.{k} = source.{k} AND ({stored}) IS DISTINCT FROM ({new})"
        ).format(
            t=sql.Identifier(table),
            s=sql.Identifier(staging),
            k=sql.Identifier(key),
            assignments=sql.SQL(", ").join(
                [
                    *(
                        sql.SQL("{c} = {v}").format(c=sql.Identifier(c), v=v)
                        for c, v in zip(columns, new_values, strict=True)
                    ),
                    *(
                        [
                            sql.SQL("{} = {}").format(
                                sql.Identifier(touch_column[0]), sql.Literal(touch_column[1])
                            )
                        ]
                        if touch_column
                        else []
                    ),
                ]
            ),
            stored=sql.SQL(", ").join(
                sql.SQL("target.{}").format(sql.Identifier(c)) for c in columns
            ),
            new=sql.SQL(", ").join(new_values),
        )
    )
    updated = cur.rowcount
    cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(staging)))
    return updated
