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

The feed: the model is registered and served, every active user's 20 recommendations are
written (timed), and for a sample of users the oracle's probability of every unseen open
posting gives the feed's share of the way from a random 20 to the oracle's own top 20, with
popularity's top 20 beside it, the candidate set's recall of the oracle's top 20, and coverage
(distinct postings recommended); see models_ml/feed.py.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import psycopg
from sklearn.metrics import roc_auc_score

from benchmarks.common import Stopwatch, benchmark_server, report, scratch_database
from models_ml.compiled import compile_model
from models_ml.features import TextIndex
from models_ml.feed import FeedQuality, UserFeed, feed_quality
from models_ml.feed_rules import FeedRules, select_feed
from models_ml.retrieval import RetrievalCounts
from models_ml.scoring import score
from models_ml.training import MatchModel, split_by_month, train_model
from pipelines.db.bulk import copy_frame, create_staging_table
from pipelines.db.connection import DatabaseTarget, connect
from pipelines.db.crypto import PiiCipher, new_key_spec
from pipelines.scoring.dataset import Snapshot, load_snapshot, training_frame
from pipelines.scoring.service import (
    champion,
    score_and_recommend,
    scored_candidates,
    train_and_register,
    write_swipe_scores,
)
from pipelines.simulate.activity import posting_ids, user_ids
from pipelines.simulate.preferences import oracle_probability
from pipelines.simulate.world import SCALES, World, build_world
from pipelines.simulate.writer import write_simulation

START = dt.date(2025, 1, 1)
VALIDATION = dt.date(2025, 12, 1)
# The feed is built as of the end of the simulated year, as the app would build it that day:
# postings' ages and the fresh window are then those of a live catalogue.
FEED_AS_OF = dt.datetime(2026, 1, 1)


def main() -> None:
    import argparse

    from pipelines.simulate.preferences import TASTE_MODELS

    parser = argparse.ArgumentParser()
    parser.add_argument("--taste-model", choices=TASTE_MODELS, default="additive")
    taste_model = parser.parse_args().taste_model
    server = benchmark_server()
    cipher = PiiCipher.from_spec(new_key_spec("bench"))
    with scratch_database(server, "model") as target:
        write_simulation(target, 42, "medium", 12, cipher, start=START, taste_model=taste_model)
        began = time.perf_counter()
        with connect(target) as conn:
            snapshot = load_snapshot(conn)
        frame = training_frame(snapshot)
        features_seconds = time.perf_counter() - began
        began = time.perf_counter()
        result = train_model(frame, VALIDATION)
        training_seconds = time.perf_counter() - began

        # The oracle on the same validation swipes.
        world = build_world(42, SCALES["medium"], START, taste_model=taste_model)
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
        x = result.model.matrix(frame)
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
        measured = measure_feed(target, world)
        feed = measured.with_rules

    table = result.metrics_table()
    best_baseline = max(m.roc_auc for m in result.baselines.values())
    report(
        f"match_model_medium_{taste_model}",
        [
            ("taste model of the simulated world", taste_model),
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
            *[
                (f"cold start, {name}: ROC AUC ({int(m['rows']):,} swipes)", f"{m['roc_auc']:.4f}")
                for name, m in table.items()
                if name.startswith("model_cold")
            ],
            (
                "score + recommendations for every active user, written (s)",
                f"{measured.score_and_recommend_seconds:.1f} ({measured.users:,} users)",
            ),
            (
                "recommendations alone: retrieval + ranking for every active user (s)",
                f"{measured.recommend_seconds:.1f} ({measured.candidates_per_user:.0f} candidates per user)",
            ),
            (
                f"feed, mean oracle probability of the top 20 ({feed.users:,} users sampled)",
                f"model {feed.feed:.3f}, popularity {feed.popularity:.3f}, random {feed.random:.3f}, oracle {feed.oracle:.3f}",
            ),
            (
                "feed share of the way from random to the oracle (with the feed rules)",
                f"{feed.share:.3f} (popularity {feed.popularity_share:.3f})",
            ),
            (
                "feed share without the rules (their cost)",
                f"{measured.without_rules.share:.3f} ({feed.share - measured.without_rules.share:+.3f})",
            ),
            (
                "candidate recall of the oracle's top 20 (merged retrievers)",
                f"{feed.candidate_recall:.3f}",
            ),
            (
                "share a perfect ranker of the same candidates would reach",
                f"{feed.candidate_ceiling_share:.3f}",
            ),
            *[
                (f"recall of the {name} retriever alone", f"{value:.3f}")
                for name, value in measured.retriever_recall.items()
            ],
            (
                "coverage: distinct postings recommended (without the rules)",
                f"{feed.coverage:,} ({measured.without_rules.coverage:,})",
            ),
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
            "score_and_recommend_seconds": measured.score_and_recommend_seconds,
            "recommend_seconds": measured.recommend_seconds,
            "retriever_recall": measured.retriever_recall,
            "share_without_rules": measured.without_rules.share,
            "feed": {
                "users": feed.users,
                "model": feed.feed,
                "popularity": feed.popularity,
                "random": feed.random,
                "oracle": feed.oracle,
                "share": feed.share,
                "popularity_share": feed.popularity_share,
                "candidate_recall": feed.candidate_recall,
                "candidate_ceiling_share": feed.candidate_ceiling_share,
                "coverage": feed.coverage,
            },
        },
    )


@dataclass
class FeedMeasurement:
    with_rules: FeedQuality
    without_rules: FeedQuality
    retriever_recall: dict[str, float]  # each retriever's own candidates, alone
    score_and_recommend_seconds: float
    recommend_seconds: float
    users: int
    candidates_per_user: float


def measure_feed(
    target: DatabaseTarget, world: World, sample: int = 2_000, top_n: int = 20, seed: int = 7
) -> FeedMeasurement:
    """Serve the model and write every active user's recommendations (timed, with the swipe
    scores), time the recommendations alone (retrieval and ranking for every active user),
    then measure the feeds against the oracle on a sample of those users, with the feed rules
    and without them."""
    train_and_register(target, validation_month=VALIDATION)
    began = time.perf_counter()
    served = score_and_recommend(target, top_n=top_n, as_of=FEED_AS_OF)
    seconds = time.perf_counter() - began
    with connect(target) as conn:
        snapshot = load_snapshot(conn)
        current = champion(conn)
    assert current is not None
    _, model = current
    text = snapshot.text_index()
    now = FEED_AS_OF
    began = time.perf_counter()
    scored = pl.concat(list(scored_candidates(snapshot, model, text, now=now)))
    recommend_seconds = time.perf_counter() - began
    feeds = {
        "rules": select_feed(scored, top_n, FeedRules()),
        "none": select_feed(scored, top_n, FeedRules.none()),
    }
    user_index = {u: i for i, u in enumerate(user_ids(world))}
    posting_index = {p: i for i, p in enumerate(posting_ids(world))}
    open_postings = snapshot.postings.filter(pl.col("is_open")).get_column("job_posting_id")
    open_index = np.array([posting_index[p] for p in open_postings])
    rights = dict(snapshot.swipes.group_by("job_posting_id").agg(pl.col("label").sum()).iter_rows())
    popularity = np.array([rights.get(p, 0) for p in open_postings], dtype=float)
    seen_by_user = dict(
        snapshot.swipes.group_by("user_id").agg(pl.col("job_posting_id")).iter_rows()
    )

    def sets(frame: pl.DataFrame) -> dict[str, set[str]]:
        return {u: set(g) for u, g in frame.group_by("user_id").agg("job_posting_id").iter_rows()}

    shown = {name: sets(feed) for name, feed in feeds.items()}
    candidate_sets = sets(scored)
    # Each retriever alone: the candidates it would have contributed without the others.
    alone = {
        name: sets(frame)
        for name, frame in (
            (name, pl.concat(list(retrieval_alone(snapshot, model, text, now, name))))
            for name in ("linear", "content", "collaborative")
        )
    }
    users = sorted(shown["rules"])
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(users), size=min(sample, len(users)), replace=False)
    position = {p: i for i, p in enumerate(open_postings)}
    per_rules: dict[str, list[UserFeed]] = {name: [] for name in feeds}
    recall: dict[str, list[float]] = {name: [] for name in alone}
    for i in chosen:
        user = users[i]
        swiped = set(seen_by_user.get(user, []))
        unseen = [p for p in open_postings if p not in swiped]
        local = {p: k for k, p in enumerate(unseen)}
        rows = np.array([position[p] for p in unseen])
        probabilities = oracle_probability(
            world, np.full(len(rows), user_index[user]), open_index[rows]
        )
        candidates = np.array([local[p] for p in candidate_sets.get(user, ()) if p in local])
        for name in feeds:
            per_rules[name].append(
                UserFeed(
                    probabilities,
                    np.array([local[p] for p in shown[name].get(user, ()) if p in local]),
                    candidates,
                    popularity[rows],
                )
            )
        best = np.argsort(-probabilities, kind="stable")[:top_n]
        for name, found in alone.items():
            hits = [local[p] for p in found.get(user, ()) if p in local]
            recall[name].append(float(np.isin(best, hits).mean()))
    qualities = {
        name: feed_quality(
            per_rules[name], top_n, coverage=feed.get_column("job_posting_id").n_unique()
        )
        for name, feed in feeds.items()
    }
    return FeedMeasurement(
        with_rules=qualities["rules"],
        without_rules=qualities["none"],
        retriever_recall={name: float(np.mean(values)) for name, values in recall.items()},
        score_and_recommend_seconds=seconds,
        recommend_seconds=recommend_seconds,
        users=served.users_recommended,
        candidates_per_user=scored.height / max(scored.get_column("user_id").n_unique(), 1),
    )


def retrieval_alone(
    snapshot: Snapshot, model: MatchModel, text: TextIndex, now: dt.datetime, name: str
) -> Iterator[pl.DataFrame]:
    """The candidates of one retriever on its own (the others' counts set to zero)."""
    counts = RetrievalCounts(
        **{
            field: (getattr(RetrievalCounts(), field) if field == name else 0)
            for field in ("linear", "content", "collaborative", "fresh", "popular")
        }
    )
    for frame in scored_candidates(snapshot, model, text, now=now, counts=counts):
        yield frame.select("user_id", "job_posting_id")


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
