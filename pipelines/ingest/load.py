"""Loading feed files into companies and job_postings: ledger, quarantine, set-based upserts.

One file is one transaction: every batch is COPYed into a staging table and merged with a few
set-based statements (pipelines/ingest/sql), rejects go to ingest_rejects, and the file's row in
ingest_files records what happened. A crash mid-file leaves the previous state intact; a file
whose bytes were loaded before is skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import psycopg
from psycopg import sql as pgsql

from pipelines.db.bulk import copy_frame
from pipelines.db.connection import DatabaseTarget, connect
from pipelines.db.locks import Writer, hold_writer_lock
from pipelines.faults import failpoint
from pipelines.ingest.decode import inspect_file
from pipelines.ingest.formats import (
    FeedFile,
    NotAJobFeedError,
    RereadRobustly,
    open_feed,
    read_batches,
)
from pipelines.ingest.mapping import UnmappableFeedError
from pipelines.ingest.normalize import (
    NORMALIZED_SCHEMA,
    NormalizedBatch,
    dedupe_within_batch,
    normalize_batch,
)
from pipelines.ingest.quality import QualityReport
from pipelines.sql_files import read_sql

logger = logging.getLogger(__name__)
STAGE_COLUMNS = [c for c in NORMALIZED_SCHEMA if c != "raw_record"]
# What the resolve statements read and fill (ingest_stage), and what only the final insert or
# update reads (ingest_content); both keyed by record (sql/stage_postings.sql).
KEY_COLUMNS = [
    "record", "source", "external_id", "external_key", "content_hash", "company_name",
    "company_slug", "company_domain", "claimed_domain", "source_url",
]  # fmt: skip
CONTENT_COLUMNS = ["record", *(c for c in STAGE_COLUMNS if c not in KEY_COLUMNS)]
Validator = Callable[[pl.DataFrame], QualityReport]
BatchCallback = Callable[[int, int], None]
# Rows normalised and merged at a time. A batch in flight costs about 10 KB a row (the raw text,
# its JSON, the normalised frame, the COPY buffers, the checks' pandas copy) and one batch is read
# ahead: 100k-row batches peaked at 1.4 GB on a 1M-row file, 25k at 0.8 GB, while the per-batch
# statements cost little (docs/benchmarks.md).
BATCH_ROWS = 25_000


class IngestError(RuntimeError):
    """A file could not be ingested; the message names the file and the cause."""


class BackgroundChecks:
    """The quality suite on each batch in a worker thread while PostgreSQL merges the batch.

    The checks only report (their outcomes become asset checks), so nothing waits for them but
    the file's close; PostgreSQL works in its own process and pandas/polars release the GIL, so
    the two overlap on the machine's two cores. At most ``depth`` batches wait, which bounds the
    memory a slow suite may hold.
    """

    def __init__(self, validate: Validator | None, depth: int = 2) -> None:
        self._validate = validate
        self._depth = depth
        self._pending: deque[Future[QualityReport]] = deque()
        self._report = QualityReport()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quality-checks")

    def submit(self, postings: pl.DataFrame) -> None:
        if self._validate is None:
            return
        while len(self._pending) >= self._depth:
            self._collect_oldest()
        self._pending.append(self._pool.submit(self._validate, postings))

    def report(self) -> QualityReport:
        """Every batch's outcome, merged; re-raises what a check raised."""
        while self._pending:
            self._collect_oldest()
        return self._report

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _collect_oldest(self) -> None:
        self._report = self._report.merge(self._pending.popleft().result())


def statement(name: str) -> str:
    return read_sql("pipelines.ingest.sql", name)


@dataclass
class FileResult:
    file_name: str
    file_hash: str
    status: str  # LOADED, SKIPPED or FAILED
    format: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    postings_inserted: int = 0
    postings_updated: int = 0
    postings_linked: int = 0
    companies_inserted: int = 0
    # Rows whose claimed domain belongs to a company of another name (kept under their employer).
    domain_conflicts: int = 0
    duration_seconds: float = 0.0
    error: str | None = None
    quality: QualityReport = field(default_factory=QualityReport)
    # What the reader did that a person should know (decoded from cp1252, sheets skipped...).
    notes: list[str] = field(default_factory=list)

    @property
    def reject_rate(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0


def file_fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def already_loaded(conn: psycopg.Connection, file_hash: str) -> bool:
    row = conn.execute(statement("ledger_status"), {"file_hash": file_hash}).fetchone()
    return row is not None and row[0] == "LOADED"


def ingest_file(
    target: DatabaseTarget,
    path: Path,
    *,
    mapping_file: Path | None = None,
    force: bool = False,
    batch_rows: int = BATCH_ROWS,
    validate: Validator | None = None,
    on_batch: BatchCallback | None = None,
) -> FileResult:
    """Load one file; returns what happened. Raises IngestError for files that cannot load.

    Whatever goes wrong, the error names the file and nothing from it is half-kept: the file is
    one transaction. A malformed record met by the fast CSV reader makes the whole file be read
    again record by record, in a new transaction, so only that record is quarantined.
    """
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        facts = inspect_file(path)
    except OSError as exc:
        raise IngestError(f"{path.name}: cannot be read: {exc.strerror or exc}") from exc
    file_hash = facts.sha256
    result = FileResult(file_name=path.name, file_hash=file_hash, status="SKIPPED")
    with connect(target) as conn:
        if already_loaded(conn, file_hash) and not force:
            return result
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    began = time.perf_counter()
    # When a file was observed: its modification time, so re-running the same file is a no-op.
    seen_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)
    try:
        with open_feed(path, mapping_file, facts=facts) as feed:
            result.format = feed.format.value
            for robust in (False, True):
                feed.robust = robust
                result = FileResult(
                    file_name=path.name, file_hash=file_hash, status="SKIPPED", format=result.format
                )
                try:
                    _load_feed(
                        target,
                        feed,
                        result,
                        started,
                        seen_at,
                        batch_rows,
                        validate,
                        on_batch,
                        force,
                    )
                except RereadRobustly as exc:
                    if robust:
                        raise NotAJobFeedError(f"{path.name}: unreadable CSV: {exc}") from exc
                    logger.info("%s: reading record by record after: %s", path.name, exc)
                    continue
                break
            result.notes = list(feed.notes)
        result.duration_seconds = time.perf_counter() - began
    except (NotAJobFeedError, UnmappableFeedError) as exc:
        _record_failure(target, path, file_hash, result, started, began, str(exc))
        raise IngestError(str(exc)) from exc
    except psycopg.Error as exc:
        message = (
            f"{path.name}: the database refused the load, nothing from this file was kept: {exc}"
        )
        _record_failure(target, path, file_hash, result, started, began, message)
        raise IngestError(message) from exc
    except Exception as exc:  # an unexpected bug costs this file only, never the run
        logger.debug("unexpected error ingesting %s", path, exc_info=True)
        message = (
            f"{path.name}: unexpected error, nothing from this file was kept: "
            f"{type(exc).__name__}: {exc}"
        )
        _record_failure(target, path, file_hash, result, started, began, message)
        raise IngestError(message) from exc
    return result


def _load_feed(
    target: DatabaseTarget,
    feed: FeedFile,
    result: FileResult,
    started: dt.datetime,
    seen_at: dt.datetime,
    batch_rows: int,
    validate: Validator | None,
    on_batch: BatchCallback | None,
    force: bool,
) -> None:
    """The file in one transaction: ledger row, every batch staged and merged, ledger closed."""
    began = time.perf_counter()
    with connect(target) as conn:
        hold_writer_lock(conn, Writer.POSTINGS)
        # A concurrent run of the same file may have loaded it while this one waited.
        if not force and already_loaded(conn, result.file_hash):
            return
        file_id = _open_ledger_row(conn, feed.path, result.file_hash, feed.format.value, started)
        checks = BackgroundChecks(validate)
        try:
            with conn.cursor() as cur:
                cur.execute(statement("stage_postings"))
                _tune_load_session(cur)
                companies_before = _count(cur, "companies")
                for batch in normalised_batches(feed, batch_rows):
                    _load_batch(cur, batch, result, file_id, feed.name, seen_at, checks)
                    if on_batch:
                        on_batch(result.rows_read, result.rows_loaded)
                    failpoint("ingest.mid_file")
                result.companies_inserted = _count(cur, "companies") - companies_before
            result.quality = checks.report()
        finally:
            checks.close()
        result.status = "LOADED"
        result.duration_seconds = time.perf_counter() - began
        _close_ledger_row(conn, file_id, result)


def normalised_batches(feed: FeedFile, batch_rows: int) -> Iterator[NormalizedBatch]:
    """The feed's batches, read and normalised one batch ahead in a worker thread, so Python's
    parsing overlaps PostgreSQL merging the batch before (polars releases the GIL). Errors of
    the reader (RereadRobustly included) are raised here, in the loading thread."""
    batches = read_batches(feed, batch_rows)

    def next_batch() -> NormalizedBatch | None:
        raw = next(batches, None)
        return None if raw is None else normalize_batch(raw)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="normalise") as reader:
        ahead = reader.submit(next_batch)
        while (batch := ahead.result()) is not None:
            ahead = reader.submit(next_batch)
            yield batch


def _load_batch(
    cur: psycopg.Cursor,
    batch: NormalizedBatch,
    result: FileResult,
    file_id: object,
    file_name: str,
    seen_at: dt.datetime,
    checks: BackgroundChecks,
) -> None:
    result.rows_read += batch.postings.height + batch.rejects.height
    result.rows_rejected += batch.rejects.height
    if batch.rejects.height:
        rejects = batch.rejects.select(
            pl.lit(str(file_id)).alias("ingest_file_id"),
            pl.lit(file_name).alias("file_name"),
            pl.col("record").alias("row_number"),
            "field",
            "reason",
            "raw_record",
        )
        copy_frame(cur, "ingest_rejects", rejects)
    postings = dedupe_within_batch(batch.postings)
    if postings.height == 0:
        return
    checks.submit(postings)
    cur.execute("TRUNCATE ingest_stage, ingest_content")
    copy_frame(cur, "ingest_stage", postings.select(KEY_COLUMNS))
    copy_frame(cur, "ingest_content", postings.select(CONTENT_COLUMNS))
    # Temp tables are never auto-analysed; without statistics the resolve joins plan as loops.
    # The content table is only hash-joined once by record, for which its size is enough.
    cur.execute("ANALYZE ingest_stage")
    cur.execute(statement("resolve_companies"))
    conflicts = cur.execute(statement("domain_conflicts")).fetchone()
    result.domain_conflicts += int(conflicts[0]) if conflicts else 0
    cur.execute(statement("resolve_postings"))
    # Again now that every row is resolved: the insert and update filter on the flags just set,
    # and planned from the statistics taken before them, the content join ran as a nested loop.
    cur.execute("ANALYZE ingest_stage")
    params = {"seen_at": seen_at, "ingest_file_id": file_id}
    result.postings_inserted += cur.execute(statement("insert_postings"), params).rowcount
    result.postings_updated += cur.execute(statement("update_postings"), params).rowcount
    cur.execute(statement("insert_sources"), params)
    cur.execute(statement("update_sources"), params)
    linked = cur.execute(statement("linked_sightings")).fetchone()
    result.postings_linked += int(linked[0]) if linked else 0
    result.rows_loaded += postings.height


def _tune_load_session(cur: psycopg.Cursor) -> None:
    """Settings for this load's transaction only (SET LOCAL), measured (docs/benchmarks.md): a
    smaller statistics sample for the per-batch ANALYZE of the staging tables, whose joins need
    row counts and rough distributions, not 30,000 sampled rows a batch (2.7 s of 55 s); and no
    JIT: the resolve's index probes are costed high enough to be compiled and optimised by LLVM
    for every batch, about 230 ms spent before a statement of a few hundred ms starts."""
    cur.execute("SET LOCAL default_statistics_target = 10")
    cur.execute("SET LOCAL jit = off")


def _count(cur: psycopg.Cursor, table: str) -> int:
    row = cur.execute(
        pgsql.SQL("SELECT count(*) FROM {}").format(pgsql.Identifier(table))
    ).fetchone()
    return int(row[0]) if row else 0


def _open_ledger_row(
    conn: psycopg.Connection, path: Path, file_hash: str, file_format: str, started: dt.datetime
) -> object:
    # A failed or forced earlier attempt makes way for this one.
    conn.execute(statement("ledger_forget"), {"file_hash": file_hash, "any_status": True})
    row = conn.execute(
        statement("ledger_open"),
        {
            "file_name": path.name,
            "file_hash": file_hash,
            "format": file_format,
            "size_bytes": path.stat().st_size,
            "started_at": started,
        },
    ).fetchone()
    if row is None:
        raise RuntimeError("the statement returned no row")
    return row[0]


def _close_ledger_row(conn: psycopg.Connection, file_id: object, result: FileResult) -> None:
    conn.execute(
        statement("ledger_close"),
        {
            "rows_read": result.rows_read,
            "rows_loaded": result.rows_loaded,
            "rows_rejected": result.rows_rejected,
            "postings_inserted": result.postings_inserted,
            "postings_updated": result.postings_updated,
            "postings_linked": result.postings_linked,
            "companies_inserted": result.companies_inserted,
            "duration_seconds": result.duration_seconds,
            "id": file_id,
        },
    )


def _record_failure(
    target: DatabaseTarget,
    path: Path,
    file_hash: str,
    result: FileResult,
    started: dt.datetime,
    began: float,
    message: str,
) -> None:
    result.status, result.error = "FAILED", message
    result.duration_seconds = time.perf_counter() - began
    try:
        _write_failure(target, path, file_hash, result, started, message)
    except psycopg.Error as exc:  # the database itself is gone: the error still names the file
        logger.warning("%s: the failure could not be recorded: %s", path.name, exc)


def _write_failure(
    target: DatabaseTarget,
    path: Path,
    file_hash: str,
    result: FileResult,
    started: dt.datetime,
    message: str,
) -> None:
    with connect(target) as conn:
        conn.execute(statement("ledger_forget"), {"file_hash": file_hash, "any_status": False})
        conn.execute(
            statement("ledger_failure"),
            {
                "file_name": path.name,
                "file_hash": file_hash,
                "format": result.format,
                "size_bytes": path.stat().st_size,
                "error": message,
                "started_at": started,
                "duration_seconds": result.duration_seconds,
            },
        )


def inside_roots(path: Path, roots: list[Path]) -> Path:
    """The path, resolved, when it lies inside one of ``roots``; IngestError otherwise."""
    try:
        resolved = path.expanduser().resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise IngestError(f"{path}: no such file") from exc
    for root in roots:
        try:
            if resolved.is_relative_to(root.expanduser().resolve()):
                return resolved
        except OSError:
            continue
    raise IngestError(
        f"{path}: outside the directories ingestion may read "
        "(the landing directory, the sample feeds and JOBSWIPE_INGEST_ROOTS)"
    )


def feed_files(location: str | Path) -> list[Path]:
    """Files named by a path, a directory (its files, sorted) or a file:// URL."""
    text = str(location)
    if "://" in text:
        scheme, _, rest = text.partition("://")
        if scheme != "file":
            raise IngestError(
                f"{text}: only local paths and file:// URLs can be ingested here (no network access)"
            )
        text = rest
    path = Path(text).expanduser()
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".mapping.json")
        )
    if path.is_file():
        return [path]
    raise IngestError(f"{location}: no such file or directory")
