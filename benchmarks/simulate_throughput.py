"""Simulator write throughput vs a raw COPY of the same rows, measured in the same run.

    python -m benchmarks.simulate_throughput --scale medium --months 12

Ours: generating every month and writing it (COPY per table, state-change UPDATEs, ledger, one
transaction a month). Baseline: COPY of exactly the same inserted rows, already generated, into
a fresh schema with the same indexes and triggers. Ratio = baseline seconds / our seconds
(1.0 = as fast as a bare COPY; the target is at least 0.5).
"""

from __future__ import annotations

import argparse
import datetime as dt

from benchmarks.common import Stopwatch, benchmark_server, report, scratch_database
from pipelines.db.bulk import copy_frame
from pipelines.db.connection import connect
from pipelines.db.crypto import PiiCipher, new_key_spec
from pipelines.db.maintenance import add_months, ensure_partitions
from pipelines.memory import peak_rss_mb
from pipelines.simulate.activity import SimulationState, generate_month
from pipelines.simulate.world import SCALES, build_world
from pipelines.simulate.writer import prepare_for_copy, write_simulation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium", choices=list(SCALES))
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    start = dt.date(2025, 1, 1)
    cipher = PiiCipher.from_spec(new_key_spec("bench"))
    server = benchmark_server()

    ours = Stopwatch()
    with scratch_database(server, "sim_ours") as target, ours.running():
        result = write_simulation(target, args.seed, args.scale, args.months, cipher, start=start)
    inserted = sum(v for k, v in result.row_counts.items() if "." not in k)

    # Baseline: the same rows, generated beforehand (not timed), then only COPY is timed.
    world = build_world(args.seed, SCALES[args.scale], start)
    state = SimulationState()
    batches = [generate_month(world, m, state) for m in range(args.months)]
    frames = [
        [(name, prepare_for_copy(name, frame, cipher)) for name, frame in batch.tables.items()]
        for batch in batches
    ]
    baseline = Stopwatch()
    copied = 0
    with scratch_database(server, "sim_copy") as target:
        with connect(target) as conn:
            ensure_partitions(conn, start, add_months(start, args.months + 1))
        with baseline.running():
            for month_frames in frames:
                with connect(target) as conn, conn.cursor() as cur:
                    for name, frame in month_frames:
                        copied += copy_frame(cur, name, frame)
    assert copied == inserted, (copied, inserted)
    ratio = baseline.seconds / ours.seconds
    peak_rss = peak_rss_mb()
    report(
        f"simulate_{args.scale}",
        [
            ("rows inserted", f"{inserted:,}"),
            ("swipes", f"{result.row_counts.get('user_job_swipes', 0):,}"),
            ("users", f"{result.row_counts.get('users', 0):,}"),
            ("ours: generate + write (s)", f"{ours.seconds:.1f}"),
            ("  of which generating (s)", f"{result.seconds_generating:.1f}"),
            ("baseline: raw COPY (s)", f"{baseline.seconds:.1f}"),
            ("ours rows/s", f"{inserted / ours.seconds:,.0f}"),
            ("raw COPY rows/s", f"{copied / baseline.seconds:,.0f}"),
            ("ratio (raw COPY time / ours)", f"{ratio:.2f}"),
            ("peak RSS (MB)", f"{peak_rss:,.0f}"),
        ],
        {
            "scale": args.scale,
            "months": args.months,
            "rows": inserted,
            "ours_seconds": ours.seconds,
            "baseline_seconds": baseline.seconds,
            "ratio": ratio,
            "row_counts": result.row_counts,
        },
    )


if __name__ == "__main__":
    main()
