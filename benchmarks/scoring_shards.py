"""Scoring by user shard: one process over all 16 shards against two processes side by side
(shards 00-07 and 08-15), as two runs of the multiprocess/k8s deployment would split them.

Both write the same rows (checked here by checksum). Each worker is a separate process, so its
peak RSS is its own; the baseline is the one-process run measured in the same session.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time

import psycopg

from benchmarks.common import benchmark_server, report, scratch_database
from pipelines.db.connection import DatabaseTarget
from pipelines.db.crypto import PiiCipher, new_key_spec
from pipelines.scoring.service import (
    refresh_posting_quality,
    score_and_recommend,
    train_and_register,
)
from pipelines.simulate.writer import write_simulation

AS_OF = dt.datetime(2026, 1, 2, 12, 0)
CHECKSUM = (
    "SELECT md5(string_agg(concat_ws(',', user_id, job_posting_id, score, rank), ';' ORDER BY user_id, rank)) "
    "FROM recommendations"
)
SWIPES_CHECKSUM = "SELECT md5(string_agg(concat_ws(',', id, match_score, confidence), ';' ORDER BY id)) FROM user_job_swipes"


def worker(url: str, first: int, last: int) -> None:
    score_and_recommend(
        DatabaseTarget.from_string(url), full=True, as_of=AS_OF, shards=range(first, last + 1)
    )


def run_workers(url: str, ranges: list[tuple[int, int]]) -> tuple[float, list[float]]:
    """Wall seconds for the workers side by side, and each one's peak RSS in MB."""
    began = time.perf_counter()
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.scoring_shards", "--worker", url, str(a), str(b)]
        )
        for a, b in ranges
    ]
    peaks = []
    for child in children:
        _, status, usage = os.wait4(child.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "a scoring worker failed"
        peaks.append(usage.ru_maxrss / 1024)
    return time.perf_counter() - began, peaks


def reset_scores(target: DatabaseTarget) -> None:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        conn.execute("UPDATE user_job_swipes SET match_score = NULL, confidence = NULL")
        conn.execute("DELETE FROM recommendations")
        conn.execute("DELETE FROM scoring_shard_runs")
        conn.execute("UPDATE model_registry SET swipes_scored_at = NULL")


def checksums(target: DatabaseTarget) -> tuple[str, str]:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        return conn.execute(CHECKSUM).fetchone()[0], conn.execute(SWIPES_CHECKSUM).fetchone()[0]  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--worker", nargs=3)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]))
        return
    cipher = PiiCipher.from_spec(new_key_spec("bench"))
    with scratch_database(benchmark_server(), "shards") as target:
        start = dt.date(2025, 13 - args.months, 1) if args.months < 12 else dt.date(2025, 1, 1)
        write_simulation(target, 42, args.scale, args.months, cipher, start=start)
        train_and_register(target, validation_month=dt.date(2025, 12, 1))
        refresh_posting_quality(target)
        url = target.sqlalchemy_url
        one_seconds, one_peak = run_workers(url, [(0, 15)])
        one = checksums(target)
        reset_scores(target)
        two_seconds, two_peaks = run_workers(url, [(0, 7), (8, 15)])
        two = checksums(target)
        assert one == two, "the two shard runs wrote something else than the one run"
    speedup = one_seconds / two_seconds
    report(
        "scoring_shards",
        [
            ("scale", f"{args.scale}, {args.months} months"),
            ("1 process, 16 shards", f"{one_seconds:.1f} s, peak {one_peak[0]:,.0f} MB"),
            (
                "2 processes, 8 shards each",
                f"{two_seconds:.1f} s, peaks {', '.join(f'{p:,.0f}' for p in two_peaks)} MB",
            ),
            ("speed-up", f"{speedup:.2f}x"),
            ("same rows written", "yes (checksums equal)"),
        ],
        {
            "scale": args.scale,
            "months": args.months,
            "one_process_seconds": one_seconds,
            "one_process_peak_mb": one_peak[0],
            "two_processes_seconds": two_seconds,
            "two_processes_peak_mb": two_peaks,
            "speedup": speedup,
        },
    )


if __name__ == "__main__":
    main()
