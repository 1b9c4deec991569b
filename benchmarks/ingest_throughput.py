"""Ingest 1M generated postings end to end vs a raw COPY of the same normalised rows.

    python -m benchmarks.ingest_throughput --rows 1000000

Ours: ``ingest_file`` on a JobSpy-style CSV (detect, read in batches, normalise, validate each
batch with Great Expectations, COPY to staging, set-based company/posting/source upserts), in a
child process so its peak RSS is measured alone. Baseline: the same rows, normalised beforehand
(not timed) and written to CSV, COPYed straight into job_postings on a fresh schema with the same
indexes. Ratio = our seconds / baseline seconds (target: at most 2, under 1 GB peak RSS).
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.common import Stopwatch, benchmark_server, report, scratch_database
from pipelines.db.connection import DatabaseTarget, connect
from pipelines.ingest.formats import open_feed, read_batches
from pipelines.ingest.load import STAGE_COLUMNS, ingest_file
from pipelines.ingest.normalize import normalize_batch
from pipelines.ingest.quality import validate_postings
from pipelines.memory import peak_rss_mb

TITLES = [
    "Data Engineer",
    "Software Engineer",
    "Product Manager",
    "Data Analyst",
    "Registered Nurse",
    "Account Executive",
    "UX Designer",
    "DevOps Engineer",
    "Customer Support Specialist",
    "Accountant",
    "Machine Learning Engineer",
    "Recruiter",
    "Teacher",
    "Warehouse Associate",
    "Financial Analyst",
]
PREFIXES = ["", "Senior ", "Junior ", "Lead ", "Principal ", "Staff ", "Sr. "]
PLACES = [
    "San Francisco, CA",
    "New York, NY",
    "Austin, TX",
    "Seattle, WA",
    "Chicago, IL",
    "Boston, MA",
    "Denver, CO",
    "Atlanta, GA",
    "London, UK",
    "Berlin, Germany",
    "Toronto, ON, Canada",
    "Remote",
    "Remote - US",
    "Dublin, Ireland",
    "Paris, France",
    "Sydney, NSW, Australia",
    "Portland, OR",
    "Miami, FL",
    "Phoenix, AZ",
    "Dallas, TX",
]
SITES = ["indeed", "linkedin", "glassdoor", "zip_recruiter", "google"]
SENTENCES = [
    "Join a fast-growing team.",
    "You will own critical systems end to end.",
    "We value craft, kindness and curiosity.",
    "Hybrid working with flexible hours.",
    "Comprehensive health, dental and vision.",
    "Work with Python, SQL and modern cloud tooling.",
    "Mentor others and grow your career.",
    "Competitive equity and a learning budget.",
]


def generate_feed(path: Path, rows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    companies = np.array(
        [f"Company {i:05d}" + [" Inc", "", " LLC", " Ltd"][i % 4] for i in range(5000)]
    )
    title = np.char.add(
        np.array(PREFIXES)[rng.integers(0, len(PREFIXES), rows)],
        np.array(TITLES)[rng.integers(0, len(TITLES), rows)],
    )
    hourly = rng.random(rows) < 0.12
    base = np.where(hourly, rng.integers(15, 80, rows), rng.integers(40, 250, rows) * 1000)
    days = rng.integers(0, 300, rows)
    sentences = np.array(SENTENCES)
    description = [
        f"{t} at {c}. {sentences[a]} {sentences[b]} {sentences[d]} Reference {i}."
        for i, (t, c, a, b, d) in enumerate(
            zip(
                title,
                companies[rng.integers(0, 5000, rows)],
                rng.integers(0, 8, rows),
                rng.integers(0, 8, rows),
                rng.integers(0, 8, rows),
                strict=True,
            )
        )
    ]
    pl.DataFrame(
        {
            "site": np.array(SITES)[rng.integers(0, len(SITES), rows)],
            "job_url": [f"https://jobs.example/view/{i}" for i in range(rows)],
            "title": title,
            "company": companies[rng.integers(0, 5000, rows)],
            "location": np.array(PLACES)[rng.integers(0, len(PLACES), rows)],
            "date_posted": (np.datetime64("2025-11-01") + days.astype("timedelta64[D]")).astype(
                str
            ),
            "job_type": np.array(["fulltime", "parttime", "contract", "internship"])[
                rng.choice(4, rows, p=[0.8, 0.08, 0.1, 0.02])
            ],
            "interval": np.where(hourly, "hourly", "yearly"),
            "min_amount": base,
            "max_amount": (base * rng.uniform(1.0, 1.4, rows)).round(0),
            "currency": "USD",
            "is_remote": rng.random(rows) < 0.2,
            "description": description,
        }
    ).write_csv(path)


def _ingest_child(url: str, path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    target = DatabaseTarget.from_string(url)
    began = time.perf_counter()
    result = ingest_file(target, Path(path), validate=validate_postings)
    queue.put(
        (
            time.perf_counter() - began,
            result.rows_loaded,
            result.rows_rejected,
            result.postings_inserted,
            result.postings_linked,
            # The child's own peak: RUSAGE_CHILDREN in the parent is the largest of every child
            # it ever waited for, which is not this one alone.
            peak_rss_mb(),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    server = benchmark_server()
    with tempfile.TemporaryDirectory() as scratch:
        feed = Path(scratch) / "jobspy_1m.csv"
        generated = time.perf_counter()
        generate_feed(feed, args.rows)
        print(
            f"generated {args.rows:,} rows ({feed.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - generated:.1f}s"
        )

        with scratch_database(server, "ingest_ours") as target:
            queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
            child = multiprocessing.get_context("spawn").Process(
                target=_ingest_child, args=(target.sqlalchemy_url, str(feed), queue)
            )
            child.start()
            ours_seconds, loaded, rejected, inserted, linked, peak_rss_mb = queue.get()
            child.join()

        # Baseline input: the same rows, normalised in advance and written as CSV (not timed).
        normalised = Path(scratch) / "normalised.csv"
        with normalised.open("wb") as handle:
            for number, raw in enumerate(read_batches(open_feed(feed))):
                postings = normalize_batch(raw).postings
                postings.select(_baseline_columns(postings)).write_csv(
                    handle, include_header=False, null_value="\\N"
                )
                del number
        baseline = Stopwatch()
        with (
            scratch_database(server, "ingest_copy") as target,
            connect(target) as conn,
            conn.cursor() as cur,
        ):
            columns = ", ".join(_BASELINE_TARGET)
            with (
                baseline.running(),
                cur.copy(
                    f"COPY job_postings ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                ) as copy,
                normalised.open("rb") as source,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
    ratio = ours_seconds / baseline.seconds
    report(
        "ingest_1m",
        [
            ("rows in file", f"{args.rows:,}"),
            ("rows loaded / rejected", f"{loaded:,} / {rejected:,}"),
            ("postings inserted / linked as duplicates", f"{inserted:,} / {linked:,}"),
            ("ours: whole ingest (s)", f"{ours_seconds:.1f}"),
            ("baseline: raw COPY of normalised rows (s)", f"{baseline.seconds:.1f}"),
            ("ours rows/s", f"{loaded / ours_seconds:,.0f}"),
            ("ratio ours / raw COPY", f"{ratio:.2f}"),
            ("peak RSS of the ingest process (MB)", f"{peak_rss_mb:,.0f}"),
        ],
        {
            "rows": args.rows,
            "ours_seconds": ours_seconds,
            "baseline_seconds": baseline.seconds,
            "ratio": ratio,
            "peak_rss_mb": peak_rss_mb,
            "loaded": loaded,
            "rejected": rejected,
            "inserted": inserted,
            "linked": linked,
        },
    )


# The normalised columns COPYed by the baseline, and the job_postings columns they fill.
_BASELINE_TARGET = [
    c
    for c in STAGE_COLUMNS
    if c
    not in (
        "record",
        "external_key",
        "content_hash",
        "company_name",
        "company_slug",
        "company_domain",
        "claimed_domain",
    )
]


def _baseline_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in _BASELINE_TARGET if c in frame.columns]


if __name__ == "__main__":
    main()
