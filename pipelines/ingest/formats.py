"""Detect a feed's format from its content and read it into canonical raw frames.

Every reader yields batches of ``RAW_SCHEMA`` frames: string fields named as below, the 1-based
``record`` number within the file, the original record as JSON (``raw_record``) and the
``source`` it came from. Large flat files are read in batches; JSON documents and HTML pages
are small and read whole.

Hostile input never costs the good records beside it: a record a reader cannot make sense of
(a ragged CSV row, an invalid JSON line, an oversized record, the unreadable tail of a truncated
document) carries ``reader_error`` and ends in quarantine; only a file that cannot be read at
all raises ``NotAJobFeedError``, with one clear line.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from selectolax.lexbor import LexborHTMLParser

from pipelines.db.enums import JobSource
from pipelines.ingest.decode import (
    CONTROL_CHARACTERS,
    FileFacts,
    FileKind,
    Limits,
    UndecodableError,
    inspect_file,
    transcode_to_utf8,
)
from pipelines.ingest.mapping import (
    ALIASES,
    UnmappableFeedError,
    load_mapping_file,
    map_columns,
    normalise_name,
)

FIELDS: tuple[str, ...] = tuple(ALIASES)
RAW_SCHEMA: dict[str, pl.DataType] = {
    "record": pl.Int64(),
    "source": pl.String(),
    "raw_record": pl.String(),
    **{field: pl.String() for field in FIELDS},
    # "," where the file writes decimal commas (55.000,50), else null.
    "decimal_separator": pl.String(),
    # Set when the reader could not make a record out of this row: it goes to quarantine.
    "reader_error_field": pl.String(),
    "reader_error": pl.String(),
}
# Lone surrogates: bytes that were not valid UTF-8 (kept by surrogateescape) or \ud800 escapes.
_INVALID_TEXT = re.compile("[\ud800-\udfff]")
READER_ERROR = "__reader_error__"
READER_RAW = "__raw_record__"
DELIMITERS = ",;\t|"
SNIFF_BYTES = 65_536
JOBSPY_SITES = {
    "indeed": JobSource.INDEED, "linkedin": JobSource.LINKEDIN, "glassdoor": JobSource.GLASSDOOR,
    "zip_recruiter": JobSource.ZIPRECRUITER, "ziprecruiter": JobSource.ZIPRECRUITER, "google": JobSource.GOOGLE,
}  # fmt: skip


class FeedFormat(StrEnum):
    JOBSPY_CSV = "jobspy_csv"
    GREENHOUSE_JSON = "greenhouse_json"
    LEVER_JSON = "lever_json"
    JSONLD_HTML = "jsonld_html"
    GENERIC_CSV = "generic_csv"
    GENERIC_JSON = "generic_json"
    GENERIC_JSONL = "generic_jsonl"
    PARQUET = "parquet"
    SPREADSHEET = "spreadsheet"


class NotAJobFeedError(ValueError):
    """The file is not a job feed at all (or not one we can read)."""


class RereadRobustly(Exception):
    """The fast reader met a malformed record mid-file: read the file again record by record."""


@dataclass
class FeedFile:
    path: Path
    format: FeedFormat
    mapping_file: Path | None = None
    # The UTF-8 text the readers stream (the file itself, or a strictly decoded copy).
    text_path: Path | None = None
    encoding: str | None = None
    has_controls: bool = False
    delimiter: str = ","
    decimal_comma: bool = False
    robust: bool = False
    limits: Limits = field(default_factory=Limits)
    facts: FileFacts | None = None
    notes: list[str] = field(default_factory=list)
    _scratch: Path | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def readable(self) -> Path:
        return self.text_path or self.path

    def close(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> FeedFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def detect_format(path: Path) -> FeedFormat:
    """Decide from the bytes, not the file name (a .txt of JSON Lines is JSON Lines)."""
    with open_feed(path) as feed:
        return feed.format


def _text_head(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    # The head may end inside a character; it only decides the format, it is never stored.
    return head.decode("utf-8-sig", errors="ignore")


def _format_of_text(feed: FeedFile, text: str) -> FeedFormat:
    text = text.lstrip()
    if not text:
        raise NotAJobFeedError(f"{feed.name}: the file holds only whitespace")
    lowered = text[:4096].lower()
    if text.startswith("<") or "<html" in lowered or "application/ld+json" in lowered:
        return FeedFormat.JSONLD_HTML
    if _looks_like_jsonl(feed):
        return FeedFormat.GENERIC_JSONL
    if text.startswith(("{", "[")):
        return _detect_json(feed, text)
    header_line = text.splitlines()[0]
    feed.delimiter = _sniff_delimiter(text)
    columns = _header_columns(header_line, feed.delimiter)
    if len(columns) > feed.limits.max_columns:
        raise NotAJobFeedError(
            f"{feed.name}: {len(columns):,} columns in the header; the limit is "
            f"{feed.limits.max_columns:,} (JOBSWIPE_INGEST_MAX_COLUMNS)"
        )
    named = {c.strip().strip('"').lower() for c in columns if c.strip().strip('"')}
    if len(named) < 2:
        raise NotAJobFeedError(
            f"{feed.name}: not CSV, TSV, JSON, Parquet, a spreadsheet or HTML "
            f"(first line: {header_line[:80]!r})"
        )
    feed.decimal_comma = _writes_decimal_commas(text, feed.delimiter)
    if {"job_url", "site", "title", "company"} <= named:
        return FeedFormat.JOBSPY_CSV
    return FeedFormat.GENERIC_CSV


def _header_columns(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return line.split(delimiter)


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon, tab or pipe: the one that splits the first lines consistently."""
    lines = [line for line in text.splitlines()[:50] if line.strip()][:20]
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        counts = [len(_header_columns(line, delimiter)) for line in lines[:10]]
        if counts and counts[0] > 1 and counts[0] > best_count:
            best, best_count = delimiter, counts[0]
    return best


# 55.000,50 and 55.000 (thousands dots) against 55,000.50 and 55,000 (thousands commas).
_DECIMAL_COMMA = re.compile(
    r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d{1,2}(?![\d.,])|(?<![\d.,])\d+,\d{1,2}(?![\d.,])"
)
_DECIMAL_POINT = re.compile(
    r"(?<![\d.,])\d{1,3}(?:,\d{3})+\.\d{1,2}(?![\d.,])|(?<![\d.,])\d+\.\d{1,2}(?![\d.,])"
)


_THOUSANDS_DOT = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.,])")
_THOUSANDS_COMMA = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d.,])")


def _writes_decimal_commas(text: str, delimiter: str) -> bool:
    """Whether numbers look like 55.000,50 rather than 55,000.50 (never when ',' separates)."""
    if delimiter == ",":
        return False
    commas = len(_DECIMAL_COMMA.findall(text)) + len(_THOUSANDS_DOT.findall(text))
    points = len(_DECIMAL_POINT.findall(text)) + len(_THOUSANDS_COMMA.findall(text))
    return commas > points


def _looks_like_jsonl(feed: FeedFile, sample_lines: int = 20) -> bool:
    """Most of the first lines are whole JSON objects, one per line (even if one is damaged)."""
    objects = lines = 0
    with feed.readable.open(encoding="utf-8-sig", errors="surrogateescape") as handle:
        for _ in range(sample_lines * 5):
            line = handle.readline(feed.limits.max_record_bytes * 16)
            if not line:
                break
            stripped = line.strip()
            if not stripped:
                continue
            lines += 1
            objects += stripped.startswith("{") and stripped.endswith("}")
            if lines >= sample_lines:
                break
    return objects >= 2 and objects * 2 >= lines


def _detect_json(feed: FeedFile, head: str) -> FeedFormat:
    # Whole lines, even when the first is longer than the sniffed head.
    with feed.readable.open(encoding="utf-8-sig", errors="surrogateescape") as handle:
        first_line = handle.readline(feed.limits.max_record_bytes * 16).strip()
        second = ""
        for _ in range(100):  # the next line that is not blank
            line = handle.readline(SNIFF_BYTES)
            second = line.strip()
            if second or not line:
                break
    if first_line.startswith("{") and first_line.endswith("}") and second.startswith("{"):
        try:
            json.loads(first_line)
            return FeedFormat.GENERIC_JSONL
        except (json.JSONDecodeError, RecursionError):
            pass
    if first_line.startswith("{") and second.startswith("{") and second.endswith("}"):
        return FeedFormat.GENERIC_JSONL  # a damaged first line: the others are JSON Lines
    document = _load_json(feed)
    items = _json_items(document)
    sample = next((item for item in items if isinstance(item, dict)), {})
    if (
        isinstance(document, dict)
        and isinstance(document.get("jobs"), list)
        and ("absolute_url" in sample or isinstance(sample.get("location"), dict))
    ):
        return FeedFormat.GREENHOUSE_JSON
    if "hostedUrl" in sample or ("text" in sample and isinstance(sample.get("categories"), dict)):
        return FeedFormat.LEVER_JSON
    if _is_job_posting(sample):
        return FeedFormat.JSONLD_HTML
    if items and isinstance(sample, dict):
        return FeedFormat.GENERIC_JSON
    kind = type(document).__name__ if not isinstance(document, dict | list) else "no list"
    raise NotAJobFeedError(f"{feed.name}: JSON without a list of job records (top level: {kind})")


SALVAGE_ERROR = "__salvage_error__"
_RECORD_LISTS = ("jobs", "data", "results", "items", "postings", "records")


def _load_json(feed: FeedFile) -> Any:
    """The document; a truncated or broken one keeps the records before the damage."""
    text = feed.readable.read_text(encoding="utf-8-sig", errors="surrogateescape")
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise NotAJobFeedError(
            f"{feed.name}: JSON nested too deeply to read (more than about 900 levels)"
        ) from exc
    except json.JSONDecodeError as exc:
        salvaged = _salvage_records(text)
        if salvaged is None:
            raise NotAJobFeedError(
                f"{feed.name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from exc
        return salvaged


def _salvage_records(text: str) -> dict[str, Any] | None:
    """Records of a damaged document's record list, read one by one until the damage."""
    stripped = text.lstrip()
    key = None
    if stripped.startswith("["):
        start = text.index("[") + 1
    else:
        match = re.search(r'"(' + "|".join(_RECORD_LISTS) + r')"\s*:\s*\[', text)
        if match is None:
            return None
        key, start = match.group(1), match.end()
    decoder = json.JSONDecoder()
    items: list[Any] = []
    position, error = start, None
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text):
            error = "the document ends before its record list is closed"
            break
        if text[position] == "]":
            break
        try:
            item, position = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError) as exc:
            line = text.count("\n", 0, position) + 1
            error = (
                f"unreadable JSON from line {line} on: {getattr(exc, 'msg', 'nested too deeply')}"
            )
            break
        items.append(item)
    if not items:
        return None
    return {key or "records": items, SALVAGE_ERROR: error or "invalid JSON after the record list"}


def _json_items(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in ("jobs", "data", "results", "items", "postings", "records"):
            if isinstance(document.get(key), list):
                return document[key]
        if _is_job_posting(document) or "@graph" in document:
            return [document]
    return []


def _is_job_posting(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    kind = item.get("@type")
    return kind == "JobPosting" or (isinstance(kind, list) and "JobPosting" in kind)


def open_feed(
    path: Path,
    mapping_file: Path | None = None,
    *,
    facts: FileFacts | None = None,
    limits: Limits | None = None,
) -> FeedFile:
    """Identify a file: kind, encoding (decoded to a UTF-8 copy when needed), format, dialect."""
    limits = limits or Limits.from_env()
    facts = facts or inspect_file(path)
    sidecar = path.with_name(path.name + ".mapping.json")
    feed = FeedFile(
        path=path,
        format=FeedFormat.GENERIC_CSV,
        mapping_file=mapping_file or (sidecar if sidecar.exists() else None),
        limits=limits,
        facts=facts,
    )
    if facts.kind is FileKind.EMPTY:
        raise NotAJobFeedError(f"{path.name}: the file is empty")
    if facts.size > limits.max_file_bytes:
        raise NotAJobFeedError(
            f"{path.name}: {facts.size:,} bytes; the limit is {limits.max_file_bytes:,} "
            "(JOBSWIPE_INGEST_MAX_FILE_BYTES)"
        )
    if facts.kind is FileKind.BINARY:
        raise NotAJobFeedError(
            f"{path.name}: binary content in no text encoding, and not Parquet or a spreadsheet; "
            "not a job feed"
        )
    if facts.kind is FileKind.PARQUET:
        feed.format, feed.has_controls = FeedFormat.PARQUET, True
        return feed
    if facts.kind is FileKind.SPREADSHEET:
        feed.format, feed.has_controls = FeedFormat.SPREADSHEET, True
        return feed
    feed.encoding = facts.encoding
    feed.has_controls = facts.has_controls
    try:
        if facts.encoding not in ("utf-8", "utf-8-sig"):
            feed._scratch = Path(tempfile.mkdtemp(prefix="jobswipe-decode-"))
            feed.text_path = feed._scratch / (path.name + ".utf8")
            feed.has_controls = transcode_to_utf8(path, str(facts.encoding), feed.text_path)
            feed.notes.append(f"decoded from {facts.encoding}")
        feed.format = _format_of_text(feed, _text_head(feed.readable))
    except UndecodableError as exc:
        feed.close()
        raise NotAJobFeedError(f"{path.name}: {exc}") from exc
    except BaseException:
        feed.close()
        raise
    if feed.format in (
        FeedFormat.GENERIC_JSON,
        FeedFormat.GENERIC_JSONL,
        FeedFormat.GREENHOUSE_JSON,
        FeedFormat.LEVER_JSON,
        FeedFormat.JSONLD_HTML,
    ):
        feed.has_controls = True  # escapes such as \u0000 decode to control characters
    elif feed.has_controls:
        feed.notes.append("control characters (NUL and the like) removed from values")
    return feed


def read_batches(feed: FeedFile, batch_rows: int = 100_000) -> Iterator[pl.DataFrame]:
    readers: dict[FeedFormat, Callable[[FeedFile, int], Iterator[pl.DataFrame]]] = {
        FeedFormat.JOBSPY_CSV: _read_jobspy,
        FeedFormat.GENERIC_CSV: _read_generic_csv,
        FeedFormat.PARQUET: _read_parquet,
        FeedFormat.GENERIC_JSONL: _read_jsonl,
        FeedFormat.GENERIC_JSON: _read_generic_json,
        FeedFormat.GREENHOUSE_JSON: _read_greenhouse,
        FeedFormat.LEVER_JSON: _read_lever,
        FeedFormat.JSONLD_HTML: _read_jsonld,
        FeedFormat.SPREADSHEET: _read_spreadsheet,
    }
    yield from readers[feed.format](feed, batch_rows)


# ----------------------------------------------------------------- flat files (batched)


def _canonical(
    frame: pl.DataFrame,
    mapping: dict[str, str],
    first_record: int,
    source: pl.Expr,
    feed: FeedFile | None = None,
) -> pl.DataFrame:
    """Rename mapped columns to fields, keep the original row as JSON, number the records."""
    limits = feed.limits if feed else Limits()
    internal = [c for c in (READER_ERROR, READER_RAW) if c in frame.columns]
    original = [c for c in frame.columns if c not in internal]
    if feed is not None and feed.has_controls:
        frame = frame.with_columns(
            pl.col(c).str.replace_all(CONTROL_CHARACTERS, "")
            for c in original
            if frame.schema[c] == pl.String
        )
    raw = (
        pl.col(READER_RAW)
        if READER_RAW in internal
        else pl.struct(original).struct.json_encode()
        if original
        else pl.lit("{}")
    )
    exprs: list[pl.Expr] = [
        pl.int_range(first_record, first_record + frame.height, dtype=pl.Int64).alias("record"),
        source.alias("source"),
        raw.alias("raw_record"),
    ]
    for name in FIELDS:
        column = mapping.get(name)
        # JSON Lines batches need not all carry every key the first batch had.
        if column is None or column not in original:
            exprs.append(pl.lit(None, pl.String).alias(name))
            continue
        dtype = frame.schema[column]
        expr = pl.col(column)
        if isinstance(dtype, pl.List):
            expr = expr.list.eval(pl.element().cast(pl.String)).list.first()
        elif isinstance(dtype, pl.Struct):
            expr = expr.struct.json_encode()
        elif dtype == pl.Float64 or dtype == pl.Float32:
            # 120000.0 -> "120000"; keeps integral floats readable for the salary parser.
            expr = (
                pl.when(expr.is_finite() & (expr == expr.round(0)) & (expr.abs() < 1e15))
                .then(expr.cast(pl.Int64, strict=False).cast(pl.String))
                .otherwise(expr.cast(pl.String))
            )
        exprs.append(expr.cast(pl.String).alias(name))
    decimal = pl.lit("," if feed is not None and feed.decimal_comma else None, pl.String)
    exprs.append(decimal.alias("decimal_separator"))
    canonical = frame.select(exprs)
    # Per-record limits: one oversized record is quarantined, never the file.
    checks = [
        _limit(pl.col("raw_record").str.len_bytes(), limits.max_record_bytes, "record", "bytes",
               "JOBSWIPE_INGEST_MAX_RECORD_BYTES"),
        _limit(pl.col("description").str.len_chars(), limits.max_description_chars, "description",
               "characters", "JOBSWIPE_INGEST_MAX_DESCRIPTION_CHARS"),
    ]  # fmt: skip
    error_field = pl.lit(None, pl.String)
    error = pl.col(READER_ERROR) if READER_ERROR in internal else pl.lit(None, pl.String)
    if READER_ERROR in internal:
        error_field = pl.when(pl.col(READER_ERROR).is_not_null()).then(pl.lit("record"))
    for condition, name, message in reversed(checks):
        error_field = pl.when(condition.fill_null(False)).then(pl.lit(name)).otherwise(error_field)
        error = pl.when(condition.fill_null(False)).then(message).otherwise(error)
    if READER_ERROR in internal:
        canonical = canonical.with_columns(frame.get_column(READER_ERROR))
    canonical = canonical.with_columns(
        error_field.alias("reader_error_field"), error.alias("reader_error")
    )
    if READER_ERROR in internal:
        canonical = canonical.drop(READER_ERROR)
    return canonical.with_columns(
        # A quarantined record keeps at most a readable prefix of an oversized original.
        pl.when(pl.col("raw_record").str.len_bytes() > limits.max_rejects_stored_bytes)
        .then(
            pl.struct(
                pl.col("raw_record")
                .str.slice(0, limits.max_rejects_stored_bytes)
                .alias("truncated_raw_record")
            ).struct.json_encode()
        )
        .otherwise(pl.col("raw_record"))
        .alias("raw_record")
    )


def _limit(
    measure: pl.Expr, limit: int, field: str, unit: str, variable: str
) -> tuple[pl.Expr, str, pl.Expr]:
    """(over the limit?, the field, the reason) for one per-record limit."""
    return (
        measure > limit,
        field,
        pl.format(f"{field} is {{}} {unit}; the limit is {limit:,} ({variable})", measure),
    )


# Bytes per block of Arrow's CSV reader: each block is parsed on its own, and a batch is the
# blocks that reach batch_rows.
CSV_BLOCK_BYTES = 2 << 20


def _csv_batches(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    """Streams a CSV in batches of about ``batch_rows``, every column as text.

    The fast path is polars' reader; a malformed record anywhere (a ragged row, an unbalanced
    quote) makes it stop, and the file is then read again record by record (``robust``).
    """
    if feed.robust:
        yield from _robust_csv_batches(feed, batch_rows)
        return
    try:
        # The header through polars (it names blank and repeated headers), the records through
        # Arrow's streaming reader, a block at a time: polars' collect_batches parses the whole
        # file ahead of its consumer, so memory grew with the file (1M rows: 1.4 GB).
        names = (
            pl.scan_csv(
                feed.readable, separator=feed.delimiter, infer_schema=False, encoding="utf8"
            )
            .collect_schema()
            .names()
        )
        reader = pacsv.open_csv(
            feed.readable,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=CSV_BLOCK_BYTES
            ),
            parse_options=pacsv.ParseOptions(delimiter=feed.delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
        pending = pa.Table.from_pylist([], schema=reader.schema)
        for block in reader:
            pending = pa.concat_tables([pending, pa.Table.from_batches([block])])
            while pending.num_rows >= batch_rows:
                yield _frame_of(pending.slice(0, batch_rows))
                pending = pending.slice(batch_rows)
        if pending.num_rows:
            yield _frame_of(pending)
    except (pl.exceptions.PolarsError, pa.ArrowInvalid) as exc:
        raise RereadRobustly(str(exc)) from exc


def _frame_of(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # noqa: S101 - from_arrow of a table is a frame
    return frame


def _unique_headers(names: list[str]) -> list[str]:
    """Blank and repeated headers get positional names, so no column hides another."""
    seen: dict[str, int] = {}
    unique = []
    for index, name in enumerate(names):
        name = name.strip() or f"column_{index + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        unique.append(name)
    return unique


def _robust_csv_batches(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    """Python's csv module, one record at a time: malformed records become reader errors."""
    csv.field_size_limit(max(feed.limits.max_record_bytes, 131_072))
    controls = re.compile(CONTROL_CHARACTERS)
    with feed.readable.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, delimiter=feed.delimiter)
        try:
            header = _unique_headers(next(reader))
        except (StopIteration, csv.Error) as exc:
            raise NotAJobFeedError(f"{feed.name}: no readable header row ({exc})") from exc
        width = len(header)
        rows: list[list[str | None]] = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rows.append(
                    [None] * width
                    + [f"unreadable CSV record: {exc}", json.dumps({"csv_error": str(exc)})]
                )
                continue
            if not any(cell.strip() for cell in row):
                continue
            if any(_INVALID_TEXT.search(cell) for cell in row):
                rows.append(
                    [None] * width
                    + ["bytes that are not valid UTF-8", json.dumps({"invalid_utf8_record": True})]
                )
                continue
            raw = json.dumps(row, ensure_ascii=False)
            if feed.has_controls:
                row = [controls.sub("", cell) for cell in row]
            if len(row) != width:
                rows.append(
                    [None] * width + [f"has {len(row)} fields; the header has {width}", raw]
                )
            else:
                rows.append([cell if cell != "" else None for cell in row] + [None, None])
            if len(rows) >= batch_rows:
                yield _robust_frame(header, rows)
                rows = []
        if rows:
            yield _robust_frame(header, rows)


def _robust_frame(header: list[str], rows: list[list[str | None]]) -> pl.DataFrame:
    columns = [*header, READER_ERROR, READER_RAW]
    frame = pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")
    # Good rows keep their original as JSON of their columns, as the fast path does.
    good_raw = pl.struct(header).struct.json_encode()
    return frame.with_columns(
        pl.when(pl.col(READER_ERROR).is_null())
        .then(good_raw)
        .otherwise(pl.col(READER_RAW))
        .alias(READER_RAW)
    )


JOBSPY_MAPPING = {
    "external_id": "id", "title": "title", "company": "company", "company_url": "company_url_direct",
    "location": "location", "remote": "is_remote", "employment_type": "job_type", "level": "job_level",
    "department": "job_function", "salary_min": "min_amount", "salary_max": "max_amount",
    "salary_currency": "currency", "salary_interval": "interval", "description": "description",
    "date_posted": "date_posted", "source_url": "job_url", "apply_url": "job_url_direct",
}  # fmt: skip


def _jobspy_frame(feed: FeedFile, batch: pl.DataFrame, record: int) -> pl.DataFrame:
    present = {f: c for f, c in JOBSPY_MAPPING.items() if c in batch.columns}
    if "company_url_direct" not in batch.columns and "company_url" in batch.columns:
        present["company_url"] = "company_url"
    source = (
        pl.col("site")
        .str.to_lowercase()
        .replace_strict(JOBSPY_SITES, default=JobSource.OTHER.value, return_dtype=pl.String)
    )
    frame = _canonical(batch, present, record, source, feed)
    # The older layout has no id: the posting URL is the board's identifier.
    return frame.with_columns(pl.coalesce("external_id", "source_url").alias("external_id"))


def _read_jobspy(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    record = 1
    for batch in _csv_batches(feed, batch_rows):
        yield _jobspy_frame(feed, batch, record)
        record += batch.height


def _generic_mapping(feed: FeedFile, columns: list[str]) -> dict[str, str]:
    overrides = load_mapping_file(feed.mapping_file) if feed.mapping_file else None
    visible = [c for c in columns if c not in (READER_ERROR, READER_RAW)]
    return map_columns(feed.name, visible, overrides)


def _read_generic_csv(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    record = 1
    mapping: dict[str, str] | None = None
    for batch in _csv_batches(feed, batch_rows):
        mapping = mapping or _generic_mapping(feed, batch.columns)
        yield _canonical(batch, mapping, record, pl.lit(JobSource.IMPORT.value), feed)
        record += batch.height


def _read_parquet(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    try:
        parquet = pq.ParquetFile(feed.path)
        mapping = _generic_mapping(feed, parquet.schema_arrow.names)
        batches = parquet.iter_batches(batch_size=batch_rows)
        record = 1
        for arrow_batch in batches:
            batch = pl.from_arrow(arrow_batch)
            if not isinstance(batch, pl.DataFrame):
                raise NotAJobFeedError(f"{feed.name}: a Parquet batch that is not a table")
            yield _canonical(batch, mapping, record, pl.lit(JobSource.IMPORT.value), feed)
            record += batch.height
    except (pa.ArrowException, OSError) as exc:
        raise NotAJobFeedError(f"{feed.name}: unreadable Parquet: {exc}") from exc


# ----------------------------------------------------------------- spreadsheets

HEADER_SEARCH_ROWS = 30


def _read_spreadsheet(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    """Every sheet with a header row of posting columns, found even below a title row."""
    import fastexcel

    try:
        workbook = fastexcel.read_excel(feed.path)
        sheets = list(workbook.sheet_names)
    except Exception as exc:  # fastexcel raises its own error types for damaged workbooks
        raise NotAJobFeedError(f"{feed.name}: unreadable spreadsheet: {exc}") from exc
    record, found = 1, False
    for index, sheet_name in enumerate(sheets):
        try:
            grid = workbook.load_sheet(index, header_row=None, dtypes="string").to_polars()
        except Exception as exc:  # a damaged sheet does not cost the others
            feed.notes.append(f"sheet {sheet_name!r} unreadable: {exc}")
            continue
        header_at = _header_row(grid)
        if header_at is None:
            feed.notes.append(f"sheet {sheet_name!r}: no header row with posting columns, skipped")
            continue
        found = True
        header = _unique_headers(["" if v is None else str(v) for v in grid.row(header_at)])
        body = grid.slice(header_at + 1).rename(dict(zip(grid.columns, header, strict=True)))
        body = body.filter(~pl.all_horizontal(pl.all().is_null()))
        for offset in range(0, body.height, batch_rows):
            batch = body.slice(offset, batch_rows)
            if {"job_url", "site", "title", "company"} <= {c.lower() for c in header}:
                yield _jobspy_frame(feed, batch, record)
            else:
                mapping = _generic_mapping(feed, header)
                yield _canonical(batch, mapping, record, pl.lit(JobSource.IMPORT.value), feed)
            record += batch.height
    if not found:
        raise NotAJobFeedError(
            f"{feed.name}: no sheet of {sheets} has a header row naming a title and a company"
        )


def _header_row(grid: pl.DataFrame) -> int | None:
    """The first row (of the first few) whose cells name both a title and a company column."""
    titles = {normalise_name(a) for a in ALIASES["title"]}
    companies = {normalise_name(a) for a in ALIASES["company"]}
    for index in range(min(HEADER_SEARCH_ROWS, grid.height)):
        names = {normalise_name(str(v)) for v in grid.row(index) if v is not None}
        if names & titles and names & companies:
            return index
    return None


# ----------------------------------------------------------------- JSON Lines and documents


def _read_jsonl(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    record = 1
    mapping: dict[str, str] | None = None
    lines: list[str] = []
    with feed.readable.open(encoding="utf-8-sig", errors="surrogateescape") as handle:
        for line in handle:
            if line.strip():
                lines.append(line)
            if len(lines) >= batch_rows:
                batch = _jsonl_frame(feed, lines)
                mapping = mapping or _generic_mapping(feed, batch.columns)
                yield _canonical(batch, mapping, record, pl.lit(JobSource.IMPORT.value), feed)
                record += batch.height
                lines = []
    if lines:
        batch = _jsonl_frame(feed, lines)
        mapping = mapping or _generic_mapping(feed, batch.columns)
        yield _canonical(batch, mapping, record, pl.lit(JobSource.IMPORT.value), feed)


def _jsonl_frame(feed: FeedFile, lines: list[str]) -> pl.DataFrame:
    """polars reads a clean batch at once; a batch with a bad line is read line by line."""
    text = "".join(lines)
    clean = not _INVALID_TEXT.search(text) and "\\u" not in text
    try:
        if not clean:
            raise ValueError("read line by line")
        frame = pl.read_ndjson(io.StringIO(text), infer_schema_length=None)
        if frame.height == len(lines):
            return frame
    except (pl.exceptions.PolarsError, ValueError):
        pass
    records: list[dict[str, Any] | None] = []
    errors: list[str | None] = []
    for line in lines:
        if _INVALID_TEXT.search(line):
            records.append(None)
            errors.append("bytes that are not valid UTF-8")
            continue
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            records.append(None)
            errors.append(f"invalid JSON line: {getattr(exc, 'msg', 'nested too deeply')}")
            continue
        if not isinstance(item, dict):
            records.append(None)
            errors.append(f"a JSON {type(item).__name__}, not a record")
            continue
        records.append(item)
        errors.append(None)
    raws = [line.strip() if error else None for line, error in zip(lines, errors, strict=True)]
    return _records_frame(records, errors, raws)


def _records_frame(
    records: list[dict[str, Any] | None],
    errors: list[str | None] | None = None,
    raws: list[str | None] | None = None,
) -> pl.DataFrame:
    """Records as text columns (nested values as JSON); unusable ones carry a reader error."""
    errors = list(errors) if errors else [None] * len(records)
    columns: dict[str, list[str | None]] = {}
    for index, item in enumerate(records):
        if item is None:
            continue
        try:
            values = {str(key): _as_text(value) for key, value in item.items()}
            for value in (*values, *values.values()):
                if value is not None and _INVALID_TEXT.search(value):
                    raise ValueError("text that is not valid Unicode (an unpaired surrogate)")
        except (UnicodeEncodeError, RecursionError, ValueError) as exc:
            errors[index] = f"unusable text in record: {exc}"
            continue
        for key, value in values.items():
            columns.setdefault(key, [None] * len(records))[index] = value
    frame = pl.DataFrame(columns, schema={k: pl.String for k in columns})
    if frame.width == 0:
        frame = pl.DataFrame({"_empty": [None] * len(records)}, schema={"_empty": pl.String})
    raw_values = [
        (raws[i] if raws and raws[i] is not None else _raw_json(records[i])) if errors[i] else None
        for i in range(len(records))
    ]
    return frame.with_columns(
        pl.Series(READER_ERROR, errors, dtype=pl.String),
        pl.Series(READER_RAW, raw_values, dtype=pl.String),
    ).with_columns(
        pl.when(pl.col(READER_ERROR).is_null())
        .then(pl.struct([c for c in frame.columns]).struct.json_encode())
        .otherwise(pl.col(READER_RAW))
        .alias(READER_RAW)
    )


def _raw_json(item: Any) -> str:
    try:
        return json.dumps(item, default=str)
    except (ValueError, RecursionError):
        return json.dumps({"unprintable_record": True})


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and value and all(not isinstance(v, dict | list) for v in value):
        return str(value[0])
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _salvage_error(document: Any) -> str | None:
    """What made a salvaged document unreadable past its last good record, if anything."""
    error = document.get(SALVAGE_ERROR) if isinstance(document, dict) else None
    return str(error) if error else None


def _read_generic_json(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    document = _load_json(feed)
    items = _json_items(document)
    records = [item if isinstance(item, dict) else None for item in items]
    errors: list[str | None] = [
        None if isinstance(item, dict) else f"a JSON {type(item).__name__}, not a record"
        for item in items
    ]
    raws: list[str | None] = [None] * len(items)
    if tail := _salvage_error(document):
        records.append(None)
        errors.append(tail)
        raws.append(json.dumps({"unreadable_tail": True}))
    frame = _records_frame(records, errors, raws)
    mapping = _generic_mapping(feed, frame.columns)
    yield _canonical(frame, mapping, 1, pl.lit(JobSource.IMPORT.value), feed)


# ----------------------------------------------------------------- ATS and schema.org


def _fields_frame(
    feed: FeedFile,
    items: list[Any],
    to_fields: Callable[[dict[str, Any]], dict[str, Any]],
    source: JobSource,
    tail_error: str | None = None,
) -> pl.DataFrame:
    """One row of FIELDS per item; an item of unexpected shape becomes a quarantined record."""
    rows: list[dict[str, Any]] = []
    errors: list[str | None] = []
    raws: list[str] = []
    for item in items:
        raws.append(_INVALID_TEXT.sub("\ufffd", _raw_json(item)))
        try:
            if not isinstance(item, dict):
                raise TypeError(f"a JSON {type(item).__name__}, not a record")
            row = {k: _as_text(v) for k, v in to_fields(item).items()}
            if any(v is not None and _INVALID_TEXT.search(v) for v in row.values()):
                raise ValueError("text that is not valid Unicode (an unpaired surrogate)")
            rows.append(row)
            errors.append(None)
        except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
            rows.append({})
            errors.append(f"unexpected structure: {exc}")
    if tail_error:
        rows.append({})
        errors.append(tail_error)
        raws.append(json.dumps({"unreadable_tail": True}))
    data = {name: [row.get(name) for row in rows] for name in FIELDS}
    frame = pl.DataFrame(data, schema={f: pl.String for f in FIELDS}).with_columns(
        pl.Series(READER_ERROR, errors, dtype=pl.String),
        pl.Series(READER_RAW, raws, dtype=pl.String),
    )
    identity = {name: name for name in FIELDS}
    return _canonical(frame, identity, 1, pl.lit(source.value), feed)


def _path_segment(url: str | None, index: int) -> str | None:
    if not url:
        return None
    parts = [p for p in urlparse(str(url)).path.split("/") if p]
    return parts[index] if len(parts) > index else None


def _display_name(board_token: str | None) -> str | None:
    """'globex' or 'acme-analytics' (an ATS board token) as a company name."""
    return board_token.replace("-", " ").replace("_", " ").title() if board_token else None


def _greenhouse_fields(job: dict[str, Any]) -> dict[str, Any]:
    offices = job.get("offices") or []
    departments = job.get("departments") or []
    location = (
        (job.get("location") or {}).get("name")
        if isinstance(job.get("location"), dict)
        else job.get("location")
    )
    return {
        "external_id": job.get("id"),
        "title": job.get("title"),
        # The board token in the URL names the company when the feed does not.
        "company": job.get("company_name")
        or _display_name(_path_segment(job.get("absolute_url"), 0)),
        "location": location or (offices[0].get("location") if offices else None),
        "department": departments[0].get("name") if departments else None,
        "description": job.get("content"),
        "date_posted": job.get("first_published") or job.get("updated_at"),
        "source_url": job.get("absolute_url"),
        "apply_url": job.get("absolute_url"),
    }


def _read_greenhouse(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    document = _load_json(feed)
    jobs = document.get("jobs") or []
    tail = _salvage_error(document)
    yield _fields_frame(feed, jobs, _greenhouse_fields, JobSource.GREENHOUSE, tail)


def _lever_fields(posting: dict[str, Any]) -> dict[str, Any]:
    categories = posting.get("categories") or {}
    salary = posting.get("salaryRange") or {}
    return {
        "external_id": posting.get("id"),
        "title": posting.get("text"),
        "company": _display_name(_path_segment(posting.get("hostedUrl"), 0)),
        "location": categories.get("location"),
        "country": posting.get("country"),
        "remote": posting.get("workplaceType")
        if posting.get("workplaceType") != "unspecified"
        else None,
        "employment_type": categories.get("commitment"),
        "department": categories.get("team") or categories.get("department"),
        "salary_min": salary.get("min"),
        "salary_max": salary.get("max"),
        "salary_currency": salary.get("currency"),
        "salary_interval": salary.get("interval"),
        "description": posting.get("descriptionPlain") or posting.get("description"),
        "date_posted": posting.get("createdAt"),
        "source_url": posting.get("hostedUrl"),
        "apply_url": posting.get("applyUrl"),
    }


def _read_lever(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    document = _load_json(feed)
    tail = _salvage_error(document)
    yield _fields_frame(feed, _json_items(document), _lever_fields, JobSource.LEVER, tail)


def _jsonld_postings(feed: FeedFile) -> tuple[list[Any], list[str]]:
    """JobPostings of a page's JSON-LD blocks (or a JSON-LD document); broken blocks apart."""
    raw = feed.readable.read_text(encoding="utf-8-sig", errors="surrogateescape")
    documents: list[Any] = []
    broken: list[str] = []
    if raw.lstrip().startswith(("{", "[")):
        documents.append(_load_json(feed))
    else:
        for number, node in enumerate(
            LexborHTMLParser(raw).css('script[type="application/ld+json"]'), start=1
        ):
            try:
                documents.append(json.loads(node.text(deep=True)))
            except json.JSONDecodeError as exc:
                broken.append(
                    f"JSON-LD block {number} is invalid JSON: {exc.msg} (line {exc.lineno})"
                )
            except RecursionError:
                broken.append(f"JSON-LD block {number} is nested too deeply to read")
    postings: list[Any] = []
    stack = list(documents)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if _is_job_posting(item):
                postings.append(item)
            elif "@graph" in item:
                stack.extend(
                    item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]]
                )
            elif item.get(SALVAGE_ERROR):
                stack.extend(v for k, v in item.items() if k != SALVAGE_ERROR)
                broken.append(str(item[SALVAGE_ERROR]))
    if not postings:
        detail = f" ({'; '.join(broken)})" if broken else ""
        raise NotAJobFeedError(
            f"{feed.name}: no schema.org JobPosting found in the page's JSON-LD{detail}"
        )
    return postings, broken


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("name") or value.get("@id")
    return None if value is None else str(value)


def _jsonld_fields(posting: dict[str, Any]) -> dict[str, Any]:
    organisation = posting.get("hiringOrganization")
    places = posting.get("jobLocation") or []
    place = (places[0] if isinstance(places, list) and places else places) or {}
    address = place.get("address") if isinstance(place, dict) else None
    address = (
        address if isinstance(address, dict) else {"addressLocality": address} if address else {}
    )
    locality, region, country = (
        address.get("addressLocality"),
        _name(address.get("addressRegion")),
        _name(address.get("addressCountry")),
    )
    salary = posting.get("baseSalary") or {}
    value = salary.get("value") if isinstance(salary, dict) else None
    value = value if isinstance(value, dict) else {"value": value}
    identifier = posting.get("identifier")
    return {
        "external_id": (identifier.get("value") if isinstance(identifier, dict) else identifier)
        or posting.get("url"),
        "title": posting.get("title"),
        "company": _name(organisation),
        "company_url": (organisation.get("sameAs") or organisation.get("url"))
        if isinstance(organisation, dict)
        else None,
        "location": ", ".join(str(p) for p in (locality, region, country) if p) or None,
        "city": locality,
        "state": region,
        "country": country,
        "remote": "remote" if posting.get("jobLocationType") == "TELECOMMUTE" else None,
        "employment_type": ",".join(posting["employmentType"])
        if isinstance(posting.get("employmentType"), list)
        else posting.get("employmentType"),
        "department": posting.get("occupationalCategory") or posting.get("industry"),
        "salary_min": value.get("minValue", value.get("value")),
        "salary_max": value.get("maxValue", value.get("value")),
        "salary_currency": salary.get("currency") if isinstance(salary, dict) else None,
        "salary_interval": value.get("unitText"),
        "description": posting.get("description"),
        "date_posted": posting.get("datePosted"),
        "valid_through": posting.get("validThrough"),
        "source_url": posting.get("url"),
        "apply_url": posting.get("url"),
    }


def _read_jsonld(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    postings, broken = _jsonld_postings(feed)
    tail = "; ".join(broken) if broken else None
    yield _fields_frame(feed, postings, _jsonld_fields, JobSource.COMPANY_WEBSITE, tail)


__all__ = [
    "FeedFile",
    "FeedFormat",
    "NotAJobFeedError",
    "RereadRobustly",
    "UnmappableFeedError",
    "detect_format",
    "open_feed",
    "read_batches",
]
