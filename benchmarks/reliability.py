"""Reliability figures for docs/reliability.md: `make bench-reliability` (or `--small` in CI).

Each figure is measured in this run:
- employer attribution: a generated listings export in which every company URL points at an
  aggregator (hundreds of employers, shared titles), ingested into a scratch database; the
  figure is the share of distinct (title, employer) pairs filed under their stated employer;
- hostile inputs: every sample feed broken many ways (tests/hostile/corruptions.py) under many
  seeds; inputs tried, crashes (any exception other than a clear file-level refusal) and records
  the corruption did not touch that failed to load;
- security: the RLS matrix and role tests, run by pytest, counted.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks.common import benchmark_server, console, scratch_database
from pipelines.ingest.load import ingest_file
from pipelines.memory import peak_rss_mb
from tests.hostile.corruptions import clean_records, corruptions, try_corruption
from tests.hostile.leaks import LeakReport, scan_state

FEEDS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "feeds"
TITLES = ["Software Engineer Intern", "Data Analyst", "Product Manager", "Nurse", "Chef"]


def employer_attribution(employers: int) -> tuple[int, int, float]:
    """(pairs, pairs under their stated employer, seconds) for a board-URL listings export."""
    rng = random.Random(7)
    names = [
        f"Employer {i:04d} {rng.choice(['Labs', 'Health', 'Foods', 'Bank'])}"
        for i in range(employers)
    ]
    rows = [
        [title, name, f"https://listings.example/c/{name.replace(' ', '-')}", "Remote"]
        for name in names
        for title in rng.sample(TITLES, 3)
    ]
    with (
        tempfile.TemporaryDirectory() as directory,
        scratch_database(benchmark_server(), "attr") as db,
    ):
        path = Path(directory) / "listings.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["title", "company", "company_url", "location"])
            writer.writerows(rows)
        began = time.perf_counter()
        ingest_file(db, path)
        seconds = time.perf_counter() - began
        with psycopg.connect(**db.libpq_kwargs) as conn:  # type: ignore[arg-type]
            stored = set(
                conn.execute(
                    "SELECT p.title, c.name FROM job_postings p JOIN companies c ON c.id = p.company_id"
                ).fetchall()
            )
    expected = {(r[0], r[1]) for r in rows}
    return len(expected), len(expected & stored), seconds


def hostile_inputs(minimum: int) -> dict[str, int | float]:
    samples = sorted(
        p for p in FEEDS.iterdir() if p.is_file() and not p.name.endswith(".mapping.json")
    )
    clean = {p: clean_records(p) for p in samples}
    tried = crashed = lost = refused = 0
    seed = 0
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        while tried < minimum:
            for sample in samples:
                for corrupted in corruptions(sample, seed):
                    outcome = try_corruption(sample, corrupted, Path(directory), clean[sample])
                    tried += 1
                    crashed += outcome.crashed is not None
                    refused += outcome.status == "refused"
                    lost += outcome.untouched_lost
                    if outcome.crashed:
                        console.print(f"[red]crash[/red] {outcome.name}: {outcome.crashed}")
            seed += 1
    return {"tried": tried, "crashes": crashed, "refused": refused, "untouched_lost": lost,
            "seeds": seed, "seconds": time.perf_counter() - began}  # fmt: skip


def demo_leaks() -> LeakReport:
    """`jobswipe demo` at DEBUG on a fresh embedded server, then everything searched for PII."""
    with tempfile.TemporaryDirectory() as directory:
        state, events = Path(directory) / "state", Path(directory) / "events.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "JOBSWIPE_DATABASE_URL")
        }
        env.update(
            JOBSWIPE_STATE_DIR=str(state),
            JOBSWIPE_LOG_LEVEL="DEBUG",
            JOBSWIPE_EVENT_LOG=str(events),
        )
        run = subprocess.run(
            [str(Path(sys.executable).with_name("jobswipe")), "demo"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        texts = [("demo output", run.stdout + run.stderr), ("Dagster events", events.read_text())]
        return scan_state(state, texts)


def pytest_counts(*files: str) -> tuple[int, int]:
    """(passed, failed) of pytest files run here."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    passed = failed = 0
    words = summary.split()
    for index, word in enumerate(words):
        if word.startswith("passed"):
            passed = int(words[index - 1])
        if word.startswith("failed"):
            failed = int(words[index - 1])
    return passed, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="CI size: fewer inputs and employers")
    args = parser.parse_args()
    employers = 200 if args.small else 1_600
    inputs = 300 if args.small else 10_000

    pairs, right, seconds = employer_attribution(employers)
    console.print(
        f"employer attribution: {right:,} of {pairs:,} (title, employer) pairs under their stated employer ({seconds:.1f}s)"
    )
    hostile = hostile_inputs(inputs)
    console.print(
        f"hostile inputs: {hostile['tried']:,} tried ({hostile['seeds']} seeds), "
        f"{hostile['crashes']} crashes, {hostile['refused']:,} refused with one clear line, "
        f"{hostile['untouched_lost']} untouched records lost ({hostile['seconds']:.0f}s)"
    )
    leaks = demo_leaks()
    console.print(
        f"leak search: {leaks.secrets:,} secrets (emails, names, phones, key) in {leaks.haystacks} "
        f"places ({leaks.characters / 1e6:.1f} M characters): {leaks.hits} hits"
    )
    passed, failed = pytest_counts(
        "tests/integration/test_rls.py", "tests/integration/test_roles.py"
    )
    console.print(f"RLS matrix and role cases: {passed} passed, {failed} failed")
    faults_passed, faults_failed = pytest_counts("tests/integration/test_faults.py")
    console.print(
        f"faults (SIGKILL of 6 writers, terminated backend, killed embedded server, concurrent "
        f"writers): {faults_passed} passed, {faults_failed} failed"
    )
    injection_passed, injection_failed = pytest_counts("tests/integration/test_injection.py")
    console.print(
        f"injection and traversal cases: {injection_passed} passed, {injection_failed} failed"
    )
    failed += faults_failed + injection_failed
    peak = peak_rss_mb()
    console.print(f"peak RSS of the benchmark process: {peak:,.0f} MB")
    if hostile["crashes"] or hostile["untouched_lost"] or right != pairs or failed or leaks.hits:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
