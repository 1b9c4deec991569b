"""Ingestion into a real database: every format, quarantine, idempotence, dedupe, atomicity."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
import pytest

from pipelines.db.connection import DatabaseTarget
from pipelines.ingest.load import FileResult, IngestError, ingest_file

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
# file -> (format, rows loaded, rows rejected)
SAMPLES = {
    "jobspy_indeed.csv": ("jobspy_csv", 4, 5),
    "jobspy_wide.csv": ("jobspy_csv", 3, 0),
    "greenhouse_acme.json": ("greenhouse_json", 3, 0),
    "lever_globex.json": ("lever_json", 3, 0),
    "jsonld_initech.html": ("jsonld_html", 2, 0),
    "glassdoor_dataset.csv": ("generic_csv", 5, 0),
    "postings.jsonl": ("generic_jsonl", 3, 0),
    "postings.json": ("generic_json", 2, 0),
    "postings.parquet": ("parquet", 3, 0),
    "custom_export.csv": ("generic_csv", 2, 0),
}


def query(target: DatabaseTarget, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def state(target: DatabaseTarget) -> list[tuple]:
    """Everything ingestion may touch, for before/after comparisons."""
    return query(
        target,
        """SELECT p.id, p.title, p.salary_min, p.salary_max, p.updated_at, p.lock_version, p.last_seen_at,
                  c.name, (SELECT count(*) FROM job_posting_sources s WHERE s.job_posting_id = p.id)
             FROM job_postings p JOIN companies c ON c.id = p.company_id ORDER BY p.id""",
    )


@pytest.mark.parametrize("file_name", list(SAMPLES))
def test_every_format_loads(migrated_db: DatabaseTarget, file_name: str) -> None:
    expected_format, loaded, rejected = SAMPLES[file_name]
    result = ingest_file(migrated_db, FEEDS / file_name)
    assert (result.status, result.format, result.rows_loaded, result.rows_rejected) == (
        "LOADED",
        expected_format,
        loaded,
        rejected,
    )
    stored = query(migrated_db, "SELECT count(*) FROM job_postings")[0][0]
    assert stored == result.postings_inserted == loaded
    ledger = query(
        migrated_db, "SELECT status, rows_loaded, rows_rejected, format FROM ingest_files"
    )
    assert ledger == [("LOADED", loaded, rejected, expected_format)]


def test_rejects_are_quarantined_with_reasons(migrated_db: DatabaseTarget) -> None:
    ingest_file(migrated_db, FEEDS / "jobspy_indeed.csv")
    rejects = query(
        migrated_db,
        "SELECT row_number, field, reason, raw_record FROM ingest_rejects ORDER BY row_number",
    )
    assert [(r[0], r[1]) for r in rejects] == [
        (5, "salary"),
        (6, "title"),
        (7, "date_posted"),
        (8, "salary"),
        (9, "currency"),
    ]
    assert (
        "negative" in rejects[0][2]
        and "greater than maximum" in rejects[3][2]
        and "'XYZ'" in rejects[4][2]
    )
    assert rejects[2][3]["date_posted"] == "not a date"  # the raw record, as it was in the file


def test_reingesting_a_file_changes_nothing(migrated_db: DatabaseTarget) -> None:
    first = ingest_file(migrated_db, FEEDS / "jobspy_wide.csv")
    before = state(migrated_db)
    again = ingest_file(migrated_db, FEEDS / "jobspy_wide.csv")
    assert (first.status, again.status) == ("LOADED", "SKIPPED")
    forced = ingest_file(migrated_db, FEEDS / "jobspy_wide.csv", force=True)
    assert (forced.postings_inserted, forced.postings_updated, forced.postings_linked) == (0, 0, 0)
    assert state(migrated_db) == before


def test_one_company_across_feeds_and_near_duplicates_linked(migrated_db: DatabaseTarget) -> None:
    ingest_file(migrated_db, FEEDS / "jobspy_indeed.csv")
    ingest_file(migrated_db, FEEDS / "jobspy_wide.csv")  # "Acme Analytics, Inc." with a domain
    greenhouse = ingest_file(
        migrated_db, FEEDS / "greenhouse_acme.json"
    )  # same Senior Data Engineer
    assert greenhouse.postings_linked == 1 and greenhouse.postings_inserted == 2
    assert query(
        migrated_db, "SELECT name, slug, domain FROM companies WHERE slug = 'acme-analytics'"
    ) == [("Acme Analytics", "acme-analytics", "acme-analytics.example")]
    sightings = query(
        migrated_db,
        """SELECT s.source::text, s.is_primary FROM job_posting_sources s JOIN job_postings p ON p.id = s.job_posting_id
            WHERE p.title = 'Senior Data Engineer' ORDER BY s.source""",
    )
    assert sightings == [("INDEED", True), ("GREENHOUSE", False)]
    assert query(
        migrated_db, "SELECT count(*) FROM job_postings WHERE title = 'Senior Data Engineer'"
    ) == [(1,)]


def test_a_posting_seen_again_is_updated_in_place_keeping_counters(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    original = tmp_path / "feed.csv"
    shutil.copy(FEEDS / "jobspy_wide.csv", original)
    ingest_file(migrated_db, original)
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        conn.execute(
            "UPDATE job_postings SET right_swipe_count = 7, quality_score = 81 WHERE title = 'Backend Engineer'"
        )
    changed = tmp_path / "feed_v2.csv"
    changed.write_text(original.read_text().replace("140000,170000", "150000,180000"))
    result = ingest_file(migrated_db, changed)
    assert (result.postings_inserted, result.postings_updated) == (0, 1)
    assert query(
        migrated_db,
        "SELECT salary_min, salary_max, right_swipe_count, quality_score, lock_version FROM job_postings WHERE title = 'Backend Engineer'",
    ) == [(150000, 180000, 7, 81.0, 3)]


def test_a_crash_mid_file_leaves_the_previous_state_intact(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    ingest_file(migrated_db, FEEDS / "lever_globex.json")
    before = state(migrated_db)
    calls = []

    def crash_on_second_batch(frame):  # type: ignore[no-untyped-def]
        calls.append(frame.height)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        from pipelines.ingest.quality import QualityReport

        return QualityReport()

    with pytest.raises(RuntimeError, match="power cut"):
        ingest_file(
            migrated_db,
            FEEDS / "glassdoor_dataset.csv",
            batch_rows=2,
            validate=crash_on_second_batch,
        )
    assert state(migrated_db) == before
    assert query(migrated_db, "SELECT file_name FROM ingest_files WHERE status = 'LOADED'") == [
        ("lever_globex.json",)
    ]
    assert query(migrated_db, "SELECT count(*) FROM ingest_rejects") == [(0,)]


def test_a_file_that_is_not_a_feed_fails_naming_the_file(migrated_db: DatabaseTarget) -> None:
    with pytest.raises(
        IngestError, match=r"not_a_feed\.txt: not CSV, TSV, JSON, Parquet, a spreadsheet or HTML"
    ):
        ingest_file(migrated_db, FEEDS / "rejects" / "not_a_feed.txt")
    assert query(migrated_db, "SELECT file_name, status::text FROM ingest_files") == [
        ("not_a_feed.txt", "FAILED")
    ]
    assert query(migrated_db, "SELECT count(*) FROM job_postings") == [(0,)]


def test_an_unmappable_file_lists_columns_found_and_needed(migrated_db: DatabaseTarget) -> None:
    with pytest.raises(IngestError) as raised:
        ingest_file(migrated_db, FEEDS / "rejects" / "inventory.csv")
    message = str(raised.value)
    assert "inventory.csv" in message and "'sku', 'warehouse', 'quantity', 'unit_price'" in message
    assert "Needed: title, company" in message


def test_batches_of_one_file_share_the_dedupe(migrated_db: DatabaseTarget, tmp_path: Path) -> None:
    """The same posting twice in one file (in different batches) is one posting, the later wins."""
    feed = tmp_path / "dupes.jsonl"
    rows = [
        {
            "id": "A1",
            "title": "Data Engineer",
            "company": "Acme",
            "location": "Austin, TX",
            "salary": "$100K",
        },
        {"id": "B2", "title": "Analyst", "company": "Acme", "location": "Austin, TX"},
        {
            "id": "A1",
            "title": "Data Engineer",
            "company": "Acme",
            "location": "Austin, TX",
            "salary": "$110K",
        },
    ]
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result: FileResult = ingest_file(migrated_db, feed, batch_rows=1)
    assert (result.rows_loaded, result.postings_inserted, result.postings_updated) == (3, 2, 1)
    assert query(
        migrated_db, "SELECT salary_min FROM job_postings WHERE title = 'Data Engineer'"
    ) == [(110000,)]


def test_quality_checks_of_every_batch_are_merged_into_the_file_report(
    migrated_db: DatabaseTarget,
) -> None:
    """The suite runs beside the merge, batch by batch; the file's report counts every row."""
    from pipelines.ingest.quality import validate_postings

    result = ingest_file(
        migrated_db, FEEDS / "glassdoor_dataset.csv", batch_rows=2, validate=validate_postings
    )
    assert result.rows_loaded > 2  # several batches
    outcome = result.quality.outcomes["expect_column_values_to_not_be_null(title)"]
    assert outcome.success and outcome.element_count == result.rows_loaded


def test_new_postings_arrive_with_their_status_content_and_sightings(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    """Each new posting keeps its content, a closing date already past makes it EXPIRED and
    inactive on arrival, and its sighting points at it."""
    feed = tmp_path / "closing.jsonl"
    rows = [
        {"id": "P1", "title": "Nurse", "company": "Mercy", "location": "Boston, MA",
         "expires": "2020-01-31", "description": "Night shifts."},
        {"id": "F1", "title": "Welder", "company": "Mercy", "location": "Boston, MA",
         "expires": "2999-01-31", "salary": "$50,000 - $60,000"},
        {"id": "N1", "title": "Cook", "company": "Diner", "location": "Austin, TX"},
    ]  # fmt: skip
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = ingest_file(migrated_db, feed)
    assert (result.postings_inserted, result.postings_updated) == (3, 0)
    stored = query(
        migrated_db,
        """SELECT p.title, p.status::text, p.is_active, p.salary_min, p.description, c.name,
                  p.first_seen_at = p.last_seen_at, s.external_id, s.is_primary
             FROM job_postings p JOIN companies c ON c.id = p.company_id
             JOIN job_posting_sources s ON s.job_posting_id = p.id
            ORDER BY p.title""",
    )
    assert stored == [
        ("Cook", "ACTIVE", True, None, "", "Diner", True, "N1", True),
        ("Nurse", "EXPIRED", False, None, "Night shifts.", "Mercy", True, "P1", True),
        ("Welder", "ACTIVE", True, 50000, "", "Mercy", True, "F1", True),
    ]


def test_new_postings_get_time_ordered_ids(migrated_db: DatabaseTarget, tmp_path: Path) -> None:
    """A new posting's id is a version-7 UUID, so a later load's postings sort after an earlier
    one's: each load writes to the newest pages of the id indexes (docs/benchmarks.md)."""
    loads = []
    for n, title in enumerate(("Nurse", "Welder")):
        feed = tmp_path / f"day{n}.jsonl"
        rows = [
            {"id": f"P{n}", "title": title, "company": "Mercy", "location": "Boston, MA"},
            {"id": f"Q{n}", "title": f"{title} aide", "company": "Mercy", "location": "Salem, MA"},
        ]
        feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
        ingest_file(migrated_db, feed)
        loads.append(
            query(
                migrated_db,
                "SELECT id, uuid_send(id) FROM job_postings WHERE title = %s",
                title,
            )[0]
        )
        query(migrated_db, "SELECT pg_sleep(0.002)")
    (first_id, first_bytes), (second_id, second_bytes) = loads
    assert bytes(first_bytes)[6] >> 4 == 7 and bytes(second_bytes)[6] >> 4 == 7
    assert bytes(first_bytes)[8] >> 6 == 0b10  # the RFC variant, kept from gen_random_uuid()
    assert str(first_id) < str(second_id)
