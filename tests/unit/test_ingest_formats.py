"""Format detection from content, column mapping, and normalisation of whole batches."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest.formats import (
    FeedFormat,
    NotAJobFeedError,
    detect_format,
    open_feed,
    read_batches,
)
from pipelines.ingest.mapping import UnmappableFeedError, map_columns
from pipelines.ingest.normalize import normalize_batch

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("jobspy_indeed.csv", FeedFormat.JOBSPY_CSV),
        ("jobspy_wide.csv", FeedFormat.JOBSPY_CSV),
        ("greenhouse_acme.json", FeedFormat.GREENHOUSE_JSON),
        ("lever_globex.json", FeedFormat.LEVER_JSON),
        ("jsonld_initech.html", FeedFormat.JSONLD_HTML),
        ("glassdoor_dataset.csv", FeedFormat.GENERIC_CSV),
        ("postings.jsonl", FeedFormat.GENERIC_JSONL),
        ("postings.json", FeedFormat.GENERIC_JSON),
        ("postings.parquet", FeedFormat.PARQUET),
    ],
)
def test_format_is_detected_from_content_not_name(
    tmp_path: Path, file_name: str, expected: FeedFormat
) -> None:
    disguised = tmp_path / "download.dat"
    shutil.copy(FEEDS / file_name, disguised)
    assert detect_format(disguised) == expected


def test_non_feeds_are_refused_with_the_file_name(tmp_path: Path) -> None:
    with pytest.raises(NotAJobFeedError, match=r"not_a_feed\.txt"):
        detect_format(FEEDS / "rejects" / "not_a_feed.txt")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(NotAJobFeedError, match=r"empty\.csv: the file is empty"):
        detect_format(empty)
    broken = tmp_path / "broken.json"
    broken.write_text('{"jobs": [')
    with pytest.raises(NotAJobFeedError, match=r"broken\.json: invalid JSON"):
        detect_format(broken)
    page = tmp_path / "page.html"
    page.write_text("<html><body>No postings here</body></html>")
    with pytest.raises(NotAJobFeedError, match=r"no schema\.org JobPosting"):
        list(read_batches(open_feed(page)))


def test_generic_columns_map_from_common_names() -> None:
    mapping = map_columns(
        "x.csv",
        ["Unnamed: 0", "Job Title", "Company Name", "Salary Estimate", "Location", "Posting Date"],
    )
    assert mapping == {
        "title": "Job Title",
        "company": "Company Name",
        "salary_text": "Salary Estimate",
        "location": "Location",
        "date_posted": "Posting Date",
    }


def test_unmappable_columns_list_what_was_found_and_needed() -> None:
    with pytest.raises(
        UnmappableFeedError, match=r"Found columns: \['a', 'b'\]\. Needed: title, company"
    ):
        map_columns("x.csv", ["a", "b"])


def test_mapping_file_overrides_names(tmp_path: Path) -> None:
    feed = open_feed(FEEDS / "custom_export.csv")
    assert feed.mapping_file is not None
    batch = next(read_batches(feed))
    assert batch.get_column("title").to_list() == ["Recruiter", "Regional Manager"]
    assert batch.get_column("external_id").to_list() == ["R-77", "R-78"]


def test_raw_records_and_record_numbers_are_kept() -> None:
    batch = next(read_batches(open_feed(FEEDS / "jobspy_indeed.csv")))
    assert batch.get_column("record").to_list() == list(range(1, 10))
    assert json.loads(batch.get_column("raw_record")[0])["job_url"].startswith(
        "https://www.indeed.com"
    )
    assert batch.get_column("source").unique().sort().to_list() == [
        "GLASSDOOR",
        "GOOGLE",
        "INDEED",
        "LINKEDIN",
        "ZIPRECRUITER",
    ]


def test_lists_of_locations_and_epoch_seconds_in_json_lines() -> None:
    batch = normalize_batch(next(read_batches(open_feed(FEEDS / "postings.jsonl"))))
    first = batch.postings.row(0, named=True)
    assert (first["city"], first["state"], first["posted_at"].year) == ("Los Angeles", "CA", 2025)


def test_every_record_ends_up_loaded_or_rejected_exactly_once() -> None:
    raw = next(read_batches(open_feed(FEEDS / "jobspy_indeed.csv")))
    batch = normalize_batch(raw)
    records = sorted(
        batch.postings.get_column("record").to_list() + batch.rejects.get_column("record").to_list()
    )
    assert records == raw.get_column("record").to_list()


def test_near_duplicate_identity_ignores_formatting() -> None:
    frame = pl.DataFrame(
        {
            "record": [1, 2],
            "source": ["INDEED", "GREENHOUSE"],
            "raw_record": ["{}", "{}"],
            "title": ["Senior Data Engineer", "  Senior  Data Engineer "],
            "company": ["Acme Analytics, Inc.", "ACME ANALYTICS"],
            "location": ["San Francisco, CA", "San Francisco, CA, US"],
        }
    )
    from pipelines.ingest.formats import RAW_SCHEMA

    frame = frame.with_columns(
        [pl.lit(None, pl.String).alias(c) for c in RAW_SCHEMA if c not in frame.columns]
    ).select(list(RAW_SCHEMA))
    hashes = normalize_batch(frame).postings.get_column("content_hash").to_list()
    assert hashes[0] == hashes[1]
