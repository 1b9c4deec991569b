"""Detect a feed's format from its content and read it into canonical raw frames.

Every reader yields batches of ``RAW_SCHEMA`` frames: string fields named as below, the 1-based
``record`` number within the file, the original record as JSON (``raw_record``) and the
``source`` it came from. Large flat files are read in batches; JSON documents and HTML pages
are small and read whole.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import polars as pl
import pyarrow.parquet as pq
from selectolax.lexbor import LexborHTMLParser

from pipelines.db.enums import JobSource
from pipelines.ingest.mapping import ALIASES, UnmappableFeedError, load_mapping_file, map_columns

FIELDS: tuple[str, ...] = tuple(ALIASES)
RAW_SCHEMA: dict[str, pl.DataType] = {
    "record": pl.Int64(),
    "source": pl.String(),
    "raw_record": pl.String(),
    **{field: pl.String() for field in FIELDS},
}
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


class NotAJobFeedError(ValueError):
    """The file is not a job feed at all (or not one we can read)."""


@dataclass(frozen=True)
class FeedFile:
    path: Path
    format: FeedFormat
    mapping_file: Path | None = None

    @property
    def name(self) -> str:
        return self.path.name


def detect_format(path: Path) -> FeedFormat:
    """Decide from the bytes, not the file name (a .txt of JSON Lines is JSON Lines)."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise NotAJobFeedError(f"{path.name}: the file is empty")
    if head.startswith(b"PAR1"):
        return FeedFormat.PARQUET
    if b"\x00" in head:
        raise NotAJobFeedError(f"{path.name}: binary content that is not Parquet; not a job feed")
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    lowered = text[:4096].lower()
    if text.startswith("<") or "<html" in lowered or "application/ld+json" in lowered:
        return FeedFormat.JSONLD_HTML
    if text.startswith(("{", "[")):
        return _detect_json(path, text)
    header = text.splitlines()[0] if text else ""
    columns = {c.strip().strip('"').lower() for c in header.split(",")}
    if len(columns) < 2:
        raise NotAJobFeedError(
            f"{path.name}: not CSV, JSON, Parquet or HTML (first line: {header[:80]!r})"
        )
    if {"job_url", "site", "title", "company"} <= columns:
        return FeedFormat.JOBSPY_CSV
    return FeedFormat.GENERIC_CSV


def _detect_json(path: Path, head: str) -> FeedFormat:
    first_line = head.splitlines()[0].strip()
    if first_line.startswith("{") and first_line.endswith("}") and len(head.splitlines()) > 1:
        try:
            json.loads(first_line)
            second = head.splitlines()[1].strip()
            if not second or second.startswith("{"):
                return FeedFormat.GENERIC_JSONL
        except json.JSONDecodeError:
            pass
    document = _load_json(path)
    items = _json_items(document)
    sample = items[0] if items else {}
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
    raise NotAJobFeedError(f"{path.name}: JSON without a list of job records")


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise NotAJobFeedError(
            f"{path.name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc


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


def open_feed(path: Path, mapping_file: Path | None = None) -> FeedFile:
    sidecar = path.with_name(path.name + ".mapping.json")
    return FeedFile(
        path=path,
        format=detect_format(path),
        mapping_file=mapping_file or (sidecar if sidecar.exists() else None),
    )


def read_batches(feed: FeedFile, batch_rows: int = 100_000) -> Iterator[pl.DataFrame]:
    readers = {
        FeedFormat.JOBSPY_CSV: _read_jobspy,
        FeedFormat.GENERIC_CSV: _read_generic_csv,
        FeedFormat.PARQUET: _read_parquet,
        FeedFormat.GENERIC_JSONL: _read_jsonl,
        FeedFormat.GENERIC_JSON: _read_generic_json,
        FeedFormat.GREENHOUSE_JSON: _read_greenhouse,
        FeedFormat.LEVER_JSON: _read_lever,
        FeedFormat.JSONLD_HTML: _read_jsonld,
    }
    yield from readers[feed.format](feed, batch_rows)


# ----------------------------------------------------------------- flat files (batched)


def _canonical(
    frame: pl.DataFrame, mapping: dict[str, str], first_record: int, source: pl.Expr
) -> pl.DataFrame:
    """Rename mapped columns to fields, keep the original row as JSON, number the records."""
    original = frame.columns
    exprs: list[pl.Expr] = [
        pl.int_range(first_record, first_record + frame.height, dtype=pl.Int64).alias("record"),
        source.alias("source"),
        pl.struct(original).struct.json_encode().alias("raw_record")
        if original
        else pl.lit("{}").alias("raw_record"),
    ]
    for field in FIELDS:
        column = mapping.get(field)
        # JSON Lines batches need not all carry every key the first batch had.
        if column is None or column not in frame.columns:
            exprs.append(pl.lit(None, pl.String).alias(field))
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
                pl.when(expr == expr.round(0))
                .then(expr.cast(pl.Int64).cast(pl.String))
                .otherwise(expr.cast(pl.String))
            )
        exprs.append(expr.cast(pl.String).alias(field))
    return frame.select(exprs)


def _csv_batches(path: Path, batch_rows: int) -> Iterator[pl.DataFrame]:
    """Streams a CSV in batches of about ``batch_rows``, every column as text."""
    lazy = pl.scan_csv(
        path,
        infer_schema=False,
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
        empty_string_is_null=True,
    )
    yield from lazy.collect_batches(chunk_size=batch_rows, engine="streaming")


def _read_jobspy(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    mapping = {
        "external_id": "id", "title": "title", "company": "company", "company_url": "company_url_direct",
        "location": "location", "remote": "is_remote", "employment_type": "job_type", "level": "job_level",
        "department": "job_function", "salary_min": "min_amount", "salary_max": "max_amount",
        "salary_currency": "currency", "salary_interval": "interval", "description": "description",
        "date_posted": "date_posted", "source_url": "job_url", "apply_url": "job_url_direct",
    }  # fmt: skip
    record = 1
    for batch in _csv_batches(feed.path, batch_rows):
        present = {f: c for f, c in mapping.items() if c in batch.columns}
        if "company_url_direct" not in batch.columns and "company_url" in batch.columns:
            present["company_url"] = "company_url"
        source = (
            pl.col("site")
            .str.to_lowercase()
            .replace_strict(JOBSPY_SITES, default=JobSource.OTHER.value, return_dtype=pl.String)
        )
        frame = _canonical(batch, present, record, source)
        # The older layout has no id: the posting URL is the board's identifier.
        yield frame.with_columns(pl.coalesce("external_id", "source_url").alias("external_id"))
        record += batch.height


def _generic_mapping(feed: FeedFile, columns: list[str]) -> dict[str, str]:
    overrides = load_mapping_file(feed.mapping_file) if feed.mapping_file else None
    return map_columns(feed.name, columns, overrides)


def _read_generic_csv(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    record = 1
    mapping: dict[str, str] | None = None
    for batch in _csv_batches(feed.path, batch_rows):
        mapping = mapping or _generic_mapping(feed, batch.columns)
        yield _canonical(batch, mapping, record, pl.lit(JobSource.IMPORT.value))
        record += batch.height


def _read_parquet(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    parquet = pq.ParquetFile(feed.path)
    mapping = _generic_mapping(feed, parquet.schema_arrow.names)
    record = 1
    for arrow_batch in parquet.iter_batches(batch_size=batch_rows):
        batch = pl.from_arrow(arrow_batch)
        assert isinstance(batch, pl.DataFrame)
        yield _canonical(batch, mapping, record, pl.lit(JobSource.IMPORT.value))
        record += batch.height


def _read_jsonl(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    record = 1
    mapping: dict[str, str] | None = None
    lines: list[str] = []
    with feed.path.open(encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            if line.strip():
                lines.append(line)
            if len(lines) >= batch_rows:
                batch = _jsonl_frame(feed, lines, line_number)
                mapping = mapping or _generic_mapping(feed, batch.columns)
                yield _canonical(batch, mapping, record, pl.lit(JobSource.IMPORT.value))
                record += batch.height
                lines = []
    if lines:
        batch = _jsonl_frame(feed, lines, None)
        mapping = mapping or _generic_mapping(feed, batch.columns)
        yield _canonical(batch, mapping, record, pl.lit(JobSource.IMPORT.value))


def _jsonl_frame(feed: FeedFile, lines: list[str], last_line: int | None) -> pl.DataFrame:
    try:
        return pl.read_ndjson(io.StringIO("".join(lines)), infer_schema_length=None)
    except pl.exceptions.ComputeError as exc:
        where = f" (batch ending at line {last_line})" if last_line else ""
        raise NotAJobFeedError(f"{feed.name}: invalid JSON Lines{where}: {exc}") from exc


def _records_frame(records: list[dict[str, Any]]) -> pl.DataFrame:
    """Small JSON documents: every value kept as a string (nested ones as JSON)."""
    columns: dict[str, list[str | None]] = {}
    for index, item in enumerate(records):
        for key, value in item.items():
            columns.setdefault(key, [None] * len(records))[index] = _as_text(value)
    return (
        pl.DataFrame(columns, schema={k: pl.String for k in columns}) if columns else pl.DataFrame()
    )


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and value and all(not isinstance(v, dict | list) for v in value):
        return str(value[0])
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _read_generic_json(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    items = [item for item in _json_items(_load_json(feed.path)) if isinstance(item, dict)]
    frame = _records_frame(items)
    mapping = _generic_mapping(feed, frame.columns)
    yield _with_raw(_canonical(frame, mapping, 1, pl.lit(JobSource.IMPORT.value)), items)


def _with_raw(frame: pl.DataFrame, items: list[dict[str, Any]]) -> pl.DataFrame:
    return frame.with_columns(
        pl.Series("raw_record", [json.dumps(i, default=str) for i in items], dtype=pl.String)
    )


# ----------------------------------------------------------------- ATS and schema.org


def _fields_frame(
    rows: list[dict[str, Any]], items: list[dict[str, Any]], source: JobSource
) -> pl.DataFrame:
    data = {field: [_as_text(row.get(field)) for row in rows] for field in FIELDS}
    frame = pl.DataFrame(data, schema={f: pl.String for f in FIELDS})
    return _with_raw(
        frame.with_columns(
            pl.int_range(1, len(rows) + 1, dtype=pl.Int64).alias("record"),
            pl.lit(source.value).alias("source"),
        ),
        items,
    ).select(list(RAW_SCHEMA))


def _path_segment(url: str | None, index: int) -> str | None:
    if not url:
        return None
    parts = [p for p in urlparse(url).path.split("/") if p]
    return parts[index] if len(parts) > index else None


def _display_name(board_token: str | None) -> str | None:
    """'globex' or 'acme-analytics' (an ATS board token) as a company name."""
    return board_token.replace("-", " ").replace("_", " ").title() if board_token else None


def _read_greenhouse(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    jobs = [j for j in _load_json(feed.path)["jobs"] if isinstance(j, dict)]
    rows = []
    for job in jobs:
        offices = job.get("offices") or []
        departments = job.get("departments") or []
        location = (
            (job.get("location") or {}).get("name")
            if isinstance(job.get("location"), dict)
            else job.get("location")
        )
        rows.append(
            {
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
        )
    yield _fields_frame(rows, jobs, JobSource.GREENHOUSE)


def _read_lever(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    postings = [p for p in _json_items(_load_json(feed.path)) if isinstance(p, dict)]
    rows = []
    for posting in postings:
        categories = posting.get("categories") or {}
        salary = posting.get("salaryRange") or {}
        rows.append(
            {
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
        )
    yield _fields_frame(rows, postings, JobSource.LEVER)


def _jsonld_postings(feed: FeedFile) -> list[dict[str, Any]]:
    raw = feed.path.read_text(encoding="utf-8-sig", errors="replace")
    documents: list[Any] = []
    if raw.lstrip().startswith(("{", "[")):
        documents.append(_load_json(feed.path))
    else:
        for number, node in enumerate(
            LexborHTMLParser(raw).css('script[type="application/ld+json"]'), start=1
        ):
            try:
                documents.append(json.loads(node.text(deep=True)))
            except json.JSONDecodeError as exc:
                raise NotAJobFeedError(
                    f"{feed.name}: JSON-LD block {number} is invalid JSON: {exc.msg} (line {exc.lineno})"
                ) from exc
    postings: list[dict[str, Any]] = []
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
    if not postings:
        raise NotAJobFeedError(f"{feed.name}: no schema.org JobPosting found in the page's JSON-LD")
    return postings


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("name") or value.get("@id")
    return None if value is None else str(value)


def _read_jsonld(feed: FeedFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    postings = _jsonld_postings(feed)
    rows = []
    for posting in postings:
        organisation = posting.get("hiringOrganization")
        places = posting.get("jobLocation") or []
        place = (places[0] if isinstance(places, list) and places else places) or {}
        address = place.get("address") if isinstance(place, dict) else None
        address = (
            address
            if isinstance(address, dict)
            else {"addressLocality": address}
            if address
            else {}
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
        rows.append(
            {
                "external_id": (
                    identifier.get("value") if isinstance(identifier, dict) else identifier
                )
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
        )
    yield _fields_frame(rows, postings, JobSource.COMPANY_WEBSITE)


__all__ = [
    "FeedFile",
    "FeedFormat",
    "NotAJobFeedError",
    "UnmappableFeedError",
    "detect_format",
    "open_feed",
    "read_batches",
]
