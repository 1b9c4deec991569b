"""Train, register, promote, roll back, score and recommend, against the platform database."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import psycopg
from threadpoolctl import threadpool_limits

from models_ml import plots
from models_ml.compiled import PARITY_SAMPLE, CompiledScorer, compile_model, verified
from models_ml.evaluation import evaluate
from models_ml.features import FEATURES, TextIndex
from models_ml.feed_rules import FeedRules, select_feed
from models_ml.registry import GateDecision, dumps, loads, promotion_gate
from models_ml.retrieval import Candidates, RetrievalCounts
from models_ml.scoring import probabilities, score
from models_ml.training import (
    MatchModel,
    TrainingResult,
    month_bounds,
    split_by_month,
    train_model,
    training_sample,
)
from pipelines.db.bulk import copy_frame, update_from_frame
from pipelines.db.connection import DatabaseTarget, connect
from pipelines.db.locks import Writer, hold_shard_locks, hold_writer_lock
from pipelines.faults import failpoint
from pipelines.memory import peak_rss_mb
from pipelines.scoring.dataset import (
    Snapshot,
    described_swipes,
    has_unscored_swipes,
    load_snapshot,
    statement,
    training_frame,
)
from pipelines.scoring.shards import SHARD_COUNT, covers_all, shard_expression
from pipelines.settings import get_settings

# Scores per staging table and UPDATE: each UPDATE's hash join scans user_job_swipes once, so
# few large batches beat many small ones (1M scores: 65 s in 200k batches, 57 s in 500k).
WRITE_BATCH = 500_000
# Candidates per feed selection: chunks hold a few dozen users at large scale, and a selection
# per chunk paid its sorts' and windows' fixed cost thousands of times (docs/benchmarks.md).
FEED_BATCH = 250_000
RECOMMENDATION_SCHEMA = {
    "user_id": pl.String,
    "job_posting_id": pl.String,
    "score": pl.Float64,
    "rank": pl.Int64,
    "model_version": pl.Int64,
}


@dataclass
class TrainReport:
    version: int
    validation_month: dt.date
    result: TrainingResult
    decision: GateDecision
    champion_auc: float | None
    plots: dict[str, Path] = field(default_factory=dict)


def last_complete_month_with_swipes(frame: pl.DataFrame) -> dt.date:
    latest = frame.get_column("at").max()
    if not isinstance(latest, dt.datetime):
        raise ValueError("no swipe has a timestamp")
    return latest.date().replace(day=1)


def champion(conn: psycopg.Connection) -> tuple[int, MatchModel] | None:
    row = conn.execute(statement("registry_champion")).fetchone()
    if row is None:
        return None
    return int(row[0]), loads(bytes(row[1]), row[2])


def train_and_register(
    target: DatabaseTarget,
    validation_month: dt.date | None = None,
    seed: int = 7,
    plots_dir: Path | None = None,
) -> TrainReport:
    """Train on swipes before the validation month, evaluate on it, register, and gate."""
    with connect(target) as conn:
        snapshot = load_snapshot(conn)
    month = validation_month or last_complete_month_with_swipes(snapshot.swipes)
    frame = training_frame(snapshot, keep=training_sample(snapshot.swipes, month))
    result = train_model(frame, month, seed=seed)
    artifact, digest = dumps(result.model)
    with connect(target) as conn:
        current = champion(conn)
        champion_auc = None
        if current is not None:
            _, validation = split_by_month(frame, month)
            champion_auc = float(
                evaluate(
                    validation.get_column("label").to_numpy(),
                    current[1].predict(validation),
                    validation.get_column("user_id").to_numpy(),
                    validation.get_column("relevance").to_numpy(),
                ).roc_auc
            )
        decision = promotion_gate(result.metrics.roc_auc, champion_auc)
        metrics = {
            **result.metrics_table(),
            "champion_roc_auc_same_month": champion_auc,
            "surrogate_r2": round(result.model.surrogate.r2, 4),
            # training_rows is the sample described (models_ml/training.py TRAINING_ROWS).
            "training_swipes_available": snapshot.swipes.filter(
                pl.col("at") < month_bounds(month)[0]
            ).height,
        }
        train_start = frame.get_column("at").min().date()  # type: ignore[union-attr]
        row = conn.execute(
            statement("registry_insert"),
            {
                "train_start": train_start,
                "train_end": month,
                "validation_month": month,
                "training_rows": result.train_rows,
                "validation_rows": result.validation_rows,
                "features": json.dumps(list(FEATURES)),
                "metrics": json.dumps(metrics),
                "status": "CANDIDATE" if decision.promote else "REJECTED",
                "decision": decision.reason,
                "artifact": artifact,
                "artifact_sha256": digest,
            },
        ).fetchone()
        if row is None:
            raise RuntimeError("the statement returned no row")
        version = int(row[0])
        if decision.promote:
            _make_champion(conn, version)
    report = TrainReport(
        version=version,
        validation_month=month,
        result=result,
        decision=decision,
        champion_auc=champion_auc,
    )
    if plots_dir is not None:
        report.plots = save_plots(result, frame, plots_dir / f"model_v{version}")
    return report


def _make_champion(conn: psycopg.Connection, version: int) -> None:
    """Serve ``version``; its next scoring run rescores every swipe."""
    conn.execute(statement("registry_retire_champion"))
    conn.execute(statement("registry_promote"), {"version": version})


def _full_rescore_due(conn: psycopg.Connection, version: int, shards: Sequence[int]) -> bool:
    """True until this version has rescored every swipe of each of ``shards``."""
    row = conn.execute(
        statement("scoring_shards_due"), {"version": version, "shards": list(shards)}
    ).fetchone()
    return row is None or bool(row[0])


def rollback(target: DatabaseTarget, to_version: int | None = None) -> int:
    """Serve an earlier model again: ``to_version``, or the last one retired before the champion."""
    with connect(target) as conn:
        if to_version is None:
            row = conn.execute(statement("registry_rollback_target")).fetchone()
            if row is None:
                raise ValueError("no earlier model to roll back to")
            to_version = int(row[0])
        if (
            conn.execute(statement("registry_version_exists"), {"version": to_version}).fetchone()
            is None
        ):
            raise ValueError(f"no model version {to_version}")
        _make_champion(conn, to_version)
        conn.execute(
            statement("registry_note_rollback"),
            {
                "note": f"; rolled back to at {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}",
                "version": to_version,
            },
        )
    return to_version


def save_plots(result: TrainingResult, frame: pl.DataFrame, directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    _, validation = split_by_month(frame, result.validation_month)
    labels = result.validation_labels
    curves = {
        f"model ({result.metrics.roc_auc:.3f})": result.validation_scores,
        f"popularity ({result.baselines['popularity'].roc_auc:.3f})": validation.get_column(
            "posting_prior_right_rate"
        ).to_numpy(),
        f"content ({result.baselines['content_similarity'].roc_auc:.3f})": validation.get_column(
            "content_similarity"
        ).to_numpy(),
    }
    pictures = {
        "roc_curve": plots.roc_plot(labels, curves),
        "calibration": plots.calibration_plot(labels, result.validation_scores),
        "score_distribution": plots.score_distribution_plot(labels, result.validation_scores),
    }
    paths = {}
    for name, png in pictures.items():
        path = directory / f"{name}.png"
        path.write_bytes(png)
        paths[name] = path
    return paths


@dataclass
class ScoringReport:
    model_version: int
    full_rescore: bool
    swipes_scored: int
    swipes_updated: int
    postings_updated: int
    recommendations: int
    users_recommended: int
    shards: list[int] = field(default_factory=lambda: list(range(SHARD_COUNT)))
    # Wall seconds of each phase: snapshot, recommendations, swipe features and scores, write.
    seconds: dict[str, float] = field(default_factory=dict)
    # The process's peak RSS (MB) at the end of each phase: the phase where it rises holds the
    # run's peak.
    peak_mb: dict[str, float] = field(default_factory=dict)


class Phases:
    """Wall time between marks and the peak RSS so far at each, by phase name (what a run
    reports of where its time and memory went)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self._last = time.perf_counter()

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = round(now - self._last, 2)
        self.peak_mb[phase] = round(peak_rss_mb())
        self._last = now


@dataclass
class ModelScorer:
    """A model's probabilities by its compiled trees, compiled on first use and kept only if
    they agree with scikit-learn on the first rows given (models_ml.compiled.verified)."""

    model: MatchModel
    compiled: CompiledScorer | None = None
    checked: bool = False

    def ready(self, features: pl.DataFrame) -> CompiledScorer | None:
        """The compiled scorer to use on ``features`` (checked on them if not yet checked)."""
        if not self.checked and features.height:
            self.ready_for(self.model.matrix(features[_parity_rows(features.height)]))
        return self.compiled

    def ready_for(self, x: np.ndarray) -> CompiledScorer | None:
        """ready() for the model's matrix ``x`` of the rows to score."""
        if not self.checked and len(x):
            self.compiled = verified(
                self.model,
                compile_model(self.model, get_settings().artifacts_dir / "compiled"),
                x[_parity_rows(len(x))],
            )
            self.checked = True
        return self.compiled


def _parity_rows(rows: int) -> np.ndarray:
    """Up to PARITY_SAMPLE rows, spread evenly, on which the compiled trees are checked."""
    return np.linspace(0, rows - 1, min(rows, PARITY_SAMPLE)).astype(np.int64)


def refresh_posting_quality(target: DatabaseTarget) -> int:
    """Posting counters and quality scores recomputed from the facts; returns the rows changed."""
    with connect(target) as conn, conn.cursor() as cur:
        hold_writer_lock(cur, Writer.SCORES)
        cur.execute(statement("posting_quality"))
        return cur.rowcount


def score_and_recommend(
    target: DatabaseTarget,
    top_n: int = 20,
    full: bool | None = None,
    shards: Sequence[int] | None = None,
    as_of: dt.datetime | None = None,
) -> ScoringReport:
    """With the champion: swipe scores and recommendations for the users of ``shards`` (every
    shard by default, which also refreshes posting quality and counters).

    Swipe scores: every swipe when ``full`` or when the champion has not yet scored the shard
    (new or restored); otherwise only swipes without a score. A swipe's score then stays the
    one its model gave, rather than drifting whenever an ingest shifts the text statistics.
    Recommendations are ranked as of ``as_of`` (now by default). Any split of the shards into
    runs writes what one run over all of them writes.
    """
    selected = sorted(set(range(SHARD_COUNT) if shards is None else shards))
    every_shard = covers_all(selected)
    phases = Phases()
    with connect(target) as conn:
        current = champion(conn)
        if current is None:
            raise ValueError("no champion model: train one first")
        version, model = current
        if full is None:
            full = _full_rescore_due(conn, version, selected)
        # No swipe to score (a refresh after an ingest, with no new swipe): only what the
        # recommendations read of each swipe, and no history features to build, which would
        # still sum every group of the whole history to describe nothing.
        scoring = full or has_unscored_swipes(conn, selected)
        snapshot = load_snapshot(conn, feed_only=not scoring)
    text = snapshot.text_index()
    phases.mark("snapshot")
    # Content features only for the swipes this run scores (its shards' swipes; only unscored ones
    # unless a full rescore is due); history features still see every swipe.
    wanted = [
        *([] if every_shard else [shard_expression().is_in(selected)]),
        *([] if full else [pl.col("unscored")]),
    ]
    keep = pl.all_horizontal(wanted) if wanted else None
    scorer = ModelScorer(model)
    # Recommendations first, then the swipes: what each phase holds (the retrieval tables, every
    # swipe's scores) is never alive beside the other's.
    recommendations = recommend(
        snapshot, model, text, version, top_n, compiled=scorer, shards=selected, now=as_of
    )
    phases.mark("recommendations")
    to_score = scoring and (keep is None or bool(snapshot.swipes.select(keep).to_series().any()))
    with ScoreSpool() as spool:
        # A slice of swipes at a time: every swipe's features and matrix at once are gigabytes
        # at large scale, and so are ten million scores with their factors, which wait on disk
        # for the write.
        for features in described_swipes(snapshot, text, keep=keep) if to_score else ():
            spool.add(
                score(model, features, compiled=scorer.ready(features)).select(
                    features.get_column("swipe_id").alias("id"),
                    features.get_column("at"),
                    "match_score",
                    "confidence",
                    "match_factors",
                    ((pl.col("match_score") >= 50) == (features.get_column("label") == 1)).alias(
                        "is_correct_match"
                    ),
                )
            )
        del snapshot, text
        phases.mark("swipe features and scores")
        swipes_updated, postings_updated = _write_scores_and_recommendations(
            target, spool, recommendations, version, selected, every_shard, full, as_of
        )
    phases.mark("write")
    return ScoringReport(
        version,
        full,
        spool.rows,
        swipes_updated,
        postings_updated,
        recommendations.height,
        recommendations.get_column("user_id").n_unique() if recommendations.height else 0,
        selected,
        phases.seconds,
        phases.peak_mb,
    )


def _write_scores_and_recommendations(
    target: DatabaseTarget,
    spool: ScoreSpool,
    recommendations: pl.DataFrame,
    version: int,
    selected: list[int],
    every_shard: bool,
    full: bool,
    as_of: dt.datetime | None,
) -> tuple[int, int]:
    """Posting quality, the shards' recommendations and the spooled swipe scores, all in one
    transaction; returns the swipes and postings updated."""
    scored_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    postings_updated = 0
    with connect(target) as conn, conn.cursor() as cur:
        # One transaction for every write below; its commit need not wait for the WAL flush
        # (a crash loses the whole rescoring, which simply runs again).
        cur.execute("SET LOCAL synchronous_commit = off")
        if every_shard:
            hold_writer_lock(cur, Writer.SCORES)
            cur.execute(statement("posting_quality"))
            postings_updated = cur.rowcount
        # Runs over other shards write their own users' rows meanwhile.
        hold_shard_locks(cur, selected)
        _refresh_recommendations(cur, recommendations, selected)
        cur.execute(
            statement("recommendation_history_record"), {"recommended_at": as_of or scored_at}
        )
        # Swipe rows last: an app insert that duplicates a swipe being rescored must wait for
        # this transaction to learn whether the duplicate is real, so the rows stay locked
        # for the shortest time the all-or-nothing write allows (docs/reliability.md).
        updated = write_swipe_scores(cur, spool.frames(), scored_at)
        failpoint("scoring.write_back")
        if full:
            cur.execute(
                statement("scoring_shards_mark_scored"),
                {"version": version, "shards": selected, "scored_at": scored_at},
            )
            cur.execute(
                statement("registry_mark_swipes_scored"),
                {"scored_at": scored_at, "version": version, "shard_count": SHARD_COUNT},
            )
    return updated, postings_updated


def _refresh_recommendations(
    cur: psycopg.Cursor, recommendations: pl.DataFrame, shards: list[int]
) -> None:
    """The shards' recommendations become ``recommendations``, in place: pairs no longer
    recommended deleted, pairs recommended again updated, new pairs inserted. Most of a day's
    pairs are recommended again, and an update that keeps a row's keys is spared the foreign-key
    checks that deleting and inserting every row paid three times a row (docs/benchmarks.md)."""
    cur.execute(statement("recommendations_stage"))
    copy_frame(cur, "fresh_recommendations", recommendations)
    cur.execute("ANALYZE fresh_recommendations")
    cur.execute(
        statement("recommendations_drop_stale"), {"shards": shards, "shard_count": SHARD_COUNT}
    )
    failpoint("scoring.recommendations")
    cur.execute(statement("recommendations_update_kept"))
    cur.execute(statement("recommendations_insert_new"))


class ScoreSpool:
    """Scored slices kept in files of their own until the write, in the order they came: a full
    rescore at large scale is ten million scores with their factors (about 2 GB), which held
    in memory were the largest thing alive beside the snapshot."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="jobswipe-scores-")
        self._files: list[Path] = []
        self.rows = 0

    def __enter__(self) -> ScoreSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._directory.cleanup()

    def add(self, scores: pl.DataFrame) -> None:
        path = Path(self._directory.name) / f"{len(self._files):06d}.arrow"
        scores.write_ipc(path)
        self._files.append(path)
        self.rows += scores.height

    def frames(self) -> Iterator[pl.DataFrame]:
        for path in self._files:
            yield pl.read_ipc(path)


def write_swipe_scores(
    cur: psycopg.Cursor,
    scores: pl.DataFrame | Iterable[pl.DataFrame],
    scored_at: dt.datetime,
) -> int:
    """Scores onto swipes inside the caller's transaction; returns the rows updated.

    ``scores`` (one frame, or frames one after another) has the swipe ``id``, its time ``at``
    and the seed's score columns. Only rows whose score columns change are written, with
    updated_at set here so the touch trigger stays out of the way.
    """
    # Each UPDATE hash-joins a staging batch to user_job_swipes; with the default 4 MB work_mem
    # the hash spills to disk (1M scores in 200k batches: 82 s, against 65 s with 256 MB).
    cur.execute("SET LOCAL work_mem = '256MB'")
    updated = 0
    for number, batch in enumerate(_write_batches(scores)):
        # Swipes reach the heap in arrival order, so writing them in swipe-time order walks the
        # table and its time-correlated indexes front to back instead of at random (a shuffled
        # order took 1.6x as long). Frames handed over one by one come in the snapshot's page
        # order, which is arrival order too; each batch is sorted within.
        ordered = batch if batch.get_column("at").is_sorted() else batch.sort("at", "id")
        updated += update_from_frame(
            cur,
            "user_job_swipes",
            "id",
            ordered.drop("at"),
            staging=f"swipe_scores_{number}",
            keep_stored_when_null=False,
            touch_column=("updated_at", scored_at),
        )
    return updated


def _write_batches(scores: pl.DataFrame | Iterable[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """Frames of WRITE_BATCH rows (the last smaller), gathered from frames one after another;
    one frame is sorted whole first."""
    if isinstance(scores, pl.DataFrame):
        scores = [scores if scores.get_column("at").is_sorted() else scores.sort("at", "id")]
    pending: list[pl.DataFrame] = []
    rows = 0
    for frame in scores:
        pending.append(frame)
        rows += frame.height
        while rows >= WRITE_BATCH:
            gathered = pl.concat(pending)
            yield gathered.slice(0, WRITE_BATCH)
            pending, rows = [gathered.slice(WRITE_BATCH)], rows - WRITE_BATCH
    if rows:
        yield pl.concat(pending)


def recommendation_violations(target: DatabaseTarget) -> int:
    """Recommendations the feed must never show: already swiped pairs, postings no longer open."""
    with connect(target) as conn:
        row = conn.execute(statement("recommendation_violations")).fetchone()
    if row is None:
        raise RuntimeError("the statement returned no row")
    return int(row[0])


def recommend(
    snapshot: Snapshot,
    model: MatchModel,
    text: TextIndex,
    version: int,
    top_n: int,
    compiled: CompiledScorer | ModelScorer | None = None,
    shards: Sequence[int] | None = None,
    now: dt.datetime | None = None,
    rules: FeedRules | None = None,
    counts: RetrievalCounts | None = None,
) -> pl.DataFrame:
    """Each active user's (of ``shards``, default all) top-N unseen open postings: candidates
    from the merged retrievers, ranked by the model as of ``now``, under the feed rules."""
    rules = rules or FeedRules()
    frames = [
        select_feed(scored, top_n, rules)
        for scored in _gathered(
            scored_candidates(snapshot, model, text, shards, compiled, now, counts), FEED_BATCH
        )
    ]
    if not frames:
        return pl.DataFrame(schema=RECOMMENDATION_SCHEMA)
    result = pl.concat(frames)
    return result.with_columns(pl.lit(version).alias("model_version")).select(
        "user_id", "job_posting_id", "score", "rank", "model_version"
    )


def _gathered(frames: Iterable[pl.DataFrame], rows: int) -> Iterator[pl.DataFrame]:
    """``frames`` concatenated into frames of at least ``rows`` rows (the last may be smaller),
    in order."""
    pending: list[pl.DataFrame] = []
    gathered = 0
    for frame in frames:
        pending.append(frame)
        gathered += frame.height
        if gathered >= rows:
            yield pl.concat(pending)
            pending, gathered = [], 0
    if pending:
        yield pl.concat(pending)


def scored_candidates(
    snapshot: Snapshot,
    model: MatchModel,
    text: TextIndex,
    shards: Sequence[int] | None = None,
    compiled: CompiledScorer | ModelScorer | None = None,
    now: dt.datetime | None = None,
    counts: RetrievalCounts | None = None,
    threads: int | None = None,
) -> Iterator[pl.DataFrame]:
    """Every active user's (of ``shards``) candidates with the model's score (0-100), the
    retriever that found each, its company and whether it is fresh; a frame per chunk of users,
    in the users' order whatever the ``threads`` (default: the scoring_threads setting)."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    active = snapshot.users.filter(pl.col("is_active"))
    if shards is not None and not covers_all(shards):
        active = active.filter(shard_expression().is_in(list(shards)))
    attributes = snapshot.posting_attributes(text)
    retrieval = Candidates.build(
        active, snapshot.postings, snapshot.swipes, attributes, text, model.retriever, now, counts
    )

    def scored(piece: tuple[int, int]) -> pl.DataFrame:
        keys, features = retrieval.candidate_arrays(*piece)
        x = model.matrix_of_columns(features)
        native = compiled.ready_for(x) if isinstance(compiled, ModelScorer) else compiled
        return keys.with_columns(
            pl.Series("score", np.round(probabilities(model, x, native) * 100.0, 2))
        )

    pieces = retrieval.chunk_slices()
    if not pieces:
        return
    # The first chunk alone: it builds the run-wide tables and checks the compiled scorer,
    # which the others then only read.
    yield scored(pieces[0])
    yield from _in_order(scored, pieces[1:], threads or get_settings().scoring_threads)


def _in_order(
    work: Callable[[tuple[int, int]], pl.DataFrame], pieces: Sequence[tuple[int, int]], threads: int
) -> Iterator[pl.DataFrame]:
    """work(piece) for each piece, by ``threads`` threads, yielded in order with at most
    ``threads`` results waiting (not every chunk's candidates at once).

    The chunks' matrix products run on one BLAS thread each: the threads already keep the
    cores busy, and OpenBLAS starting its own threads for every product beside them made the
    recommendations phase about a third slower (docs/benchmarks.md)."""
    if threads <= 1:
        yield from map(work, pieces)
        return
    with (
        threadpool_limits(limits=1, user_api="blas"),
        ThreadPoolExecutor(max_workers=threads, thread_name_prefix="feed") as pool,
    ):
        pending: deque[Future[pl.DataFrame]] = deque()
        for piece in pieces:
            pending.append(pool.submit(work, piece))
            if len(pending) >= threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
