"""The match-score model on the medium simulation: quality against baselines and the oracle,
scoring speed, and write-back speed against a raw COPY of the same rows.

    python -m benchmarks.match_model

Quality: trained on 11 months, validated on the 12th; the simulator's oracle (the true swipe
probabilities) is scored on the same validation swipes. Scoring speed: the model step
(calibrated probability from the trees compiled to C, with scikit-learn's speed and the largest
difference between the two printed beside it) on the feature rows of every swipe, in pairs per
second. Write-back: every swipe's score written as the scoring service writes it (COPY to
staging + set-based UPDATE of user_job_swipes, in batches, in one transaction), timed against
a raw COPY of the same swipe rows into a new table with user_job_swipes' columns, constraints
and indexes (the ingest benchmark's baseline: the same rows straight into a table like their
target). A raw COPY of only the five score columns into an unindexed temp table is printed too.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
import psycopg
from sklearn.metrics import roc_auc_score

from benchmarks.common import Stopwatch, benchmark_server, report, scratch_database
from models_ml.compiled import compile_model
from models_ml.features import matrix
from models_ml.scoring import score
from models_ml.training import split_by_month, train_model
from pipelines.db.bulk import copy_frame, create_staging_table
from pipelines.db.connection import DatabaseTarget, connect
from pipelines.db.crypto import PiiCipher, new_key_spec
from pipelines.scoring.dataset import load_snapshot, training_frame
from pipelines.scoring.service import write_swipe_scores
from pipelines.simulate.activity import posting_ids, user_ids
from pipelines.simulate.preferences import oracle_probability
from pipelines.simulate.world import SCALES, build_world
from pipelines.simulate.writer import write_simulation

START = dt.date(2025, 1, 1)
VALIDATION = dt.date(2025, 12, 1)


def main() -> None:
    server = benchmark_server()
    cipher = PiiCipher.from_spec(new_key_spec("bench"))
    with scratch_database(server, "model") as target:
        write_simulation(target, 42, "medium", 12, cipher, start=START)
        began = time.perf_counter()
        with connect(target) as conn:
            snapshot = load_snapshot(conn)
        frame = training_frame(snapshot)
        features_seconds = time.perf_counter() - began
        began = time.perf_counter()
        result = train_model(frame, VALIDATION)
        training_seconds = time.perf_counter() - began

        # The oracle on the same validation swipes.
        world = build_world(42, SCALES["medium"], START)
        _, validation = split_by_month(frame, VALIDATION)
        user_index = {u: i for i, u in enumerate(user_ids(world))}
        posting_index = {p: i for i, p in enumerate(posting_ids(world))}
        oracle = oracle_probability(
            world,
            np.array([user_index[u] for u in validation.get_column("user_id")]),
            np.array([posting_index[p] for p in validation.get_column("job_posting_id")]),
            validation.get_column("deck_position").to_numpy(),
        )
        oracle_auc = roc_auc_score(validation.get_column("label").to_numpy(), oracle)

        # Scoring speed: the model step on every swipe's features.
        x = matrix(frame)
        began = time.perf_counter()
        reference = result.model.classifier.predict_proba(x)[:, 1]
        sklearn_seconds = time.perf_counter() - began
        began = time.perf_counter()
        compiled = compile_model(result.model, Path(tempfile.mkdtemp()))
        compile_seconds = time.perf_counter() - began
        assert compiled is not None
        began = time.perf_counter()
        fast = compiled.predict(x)
        predict_seconds = time.perf_counter() - began
        parity = float(np.abs(fast - reference).max())
        began = time.perf_counter()
        scores = score(result.model, frame, compiled=compiled)
        with_factors_seconds = time.perf_counter() - began

        # Write-back of 1M scores, as the scoring service writes them, vs raw COPYs of the rows.
        rows = scores.select(
            pl.Series("id", frame.get_column("swipe_id")),
            pl.Series("at", frame.get_column("at")),
            "match_score",
            "confidence",
            "match_factors",
            (pl.col("match_score") >= 50).alias("is_correct_match"),
        ).head(1_000_000)
        ours, rerun = Stopwatch(), Stopwatch()
        checkpoint(target)
        with ours.running(), connect(target) as conn, conn.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            written = write_swipe_scores(cur, rows, dt.datetime(2026, 1, 1))
        with rerun.running(), connect(target) as conn, conn.cursor() as cur:
            rewritten = write_swipe_scores(cur, rows, dt.datetime(2026, 1, 2))
        full_rows, narrow_rows = raw_copy_seconds(target, rows)

    table = result.metrics_table()
    table = result.metrics_table()
    best_baseline = max(m.roc_auc for m in result.baselines.values())
    report(
        "match_model_medium",
        [
            ("training / validation swipes", f"{result.train_rows:,} / {result.validation_rows:,}"),
            ("features (s) / training (s)", f"{features_seconds:.1f} / {training_seconds:.1f}"),
            *[
                (
                    f"{name}: ROC AUC / PR AUC / log loss / ECE / NDCG@10",
                    " / ".join(
                        str(m[k])
                        for k in (
                            "roc_auc",
                            "pr_auc",
                            "log_loss",
                            "calibration_error",
                            "ndcg_at_10",
                        )
                    ),
                )
                for name, m in table.items()
            ],
            ("oracle ROC AUC (same swipes)", f"{oracle_auc:.4f}"),
            ("model - best baseline (ROC AUC)", f"{result.metrics.roc_auc - best_baseline:+.4f}"),
            ("model / oracle (ROC AUC)", f"{result.metrics.roc_auc / oracle_auc:.3f}"),
            (
                "model step, compiled trees: pairs per second",
                f"{len(x) / predict_seconds:,.0f} (compiled in {compile_seconds:.1f}s)",
            ),
            ("model step, scikit-learn: pairs per second", f"{len(x) / sklearn_seconds:,.0f}"),
            ("compiled vs scikit-learn, max |difference|", f"{parity:.1e}"),
            ("with match factors: pairs per second", f"{len(x) / with_factors_seconds:,.0f}"),
            ("write-back of scores (s)", f"{ours.seconds:.1f} for {written:,} rows"),
            (
                "raw COPY of the same swipe rows into a table like user_job_swipes (s)",
                f"{full_rows:.1f}",
            ),
            ("write-back / raw COPY of the swipe rows", f"{ours.seconds / full_rows:.2f}"),
            (
                "raw COPY of the 5 score columns into an unindexed temp table (s)",
                f"{narrow_rows:.1f}",
            ),
            ("write-back / raw COPY of the score columns", f"{ours.seconds / narrow_rows:.2f}"),
            ("second write-back of the same scores (s)", f"{rerun.seconds:.1f}, {rewritten} rows"),
        ],
        {
            "metrics": table,
            "oracle_auc": oracle_auc,
            "pairs_per_second": len(x) / predict_seconds,
            "writeback_seconds": ours.seconds,
            "writeback_rows": written,
            "copy_swipe_rows_seconds": full_rows,
            "copy_score_columns_seconds": narrow_rows,
            "second_writeback_seconds": rerun.seconds,
            "second_writeback_rows": rewritten,
        },
    )


def checkpoint(target: DatabaseTarget) -> None:
    """Start each timed write with no dirty buffers left over from the one before."""
    with psycopg.connect(**target.libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute("CHECKPOINT")


def raw_copy_seconds(target: DatabaseTarget, rows: pl.DataFrame) -> tuple[float, float]:
    """Seconds to COPY the written rows two ways: the whole swipe rows, as they now stand, into a
    new table with user_job_swipes' columns, defaults, constraints and indexes (the same
    baseline as the ingest benchmark's); and just the score columns into an unindexed temp
    table."""
    full_rows, narrow_rows = Stopwatch(), Stopwatch()
    with connect(target) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE written (id uuid) ON COMMIT DROP")
        copy_frame(cur, "written", rows.select("id"))
        exported = io.BytesIO()
        with cur.copy(
            "COPY (SELECT s.* FROM user_job_swipes s JOIN written USING (id)) TO STDOUT"
        ) as copy:
            for chunk in copy:
                exported.write(chunk)
        cur.execute("CREATE TABLE raw_swipes (LIKE user_job_swipes INCLUDING ALL)")
    checkpoint(target)
    view = exported.getbuffer()
    with (
        full_rows.running(),
        connect(target) as conn,
        conn.cursor() as cur,
        cur.copy("COPY raw_swipes FROM STDIN") as copy,
    ):
        for offset in range(0, len(view), 8 << 20):
            copy.write(view[offset : offset + (8 << 20)])
    checkpoint(target)
    with narrow_rows.running(), connect(target) as conn, conn.cursor() as cur:
        create_staging_table(
            cur,
            "raw_scores",
            columns=[
                ("id", "uuid"),
                ("match_score", "real"),
                ("confidence", "real"),
                ("match_factors", "jsonb"),
                ("is_correct_match", "boolean"),
            ],
        )
        copy_frame(cur, "raw_scores", rows.drop("at"))
    return full_rows.seconds, narrow_rows.seconds


if __name__ == "__main__":
    main()
