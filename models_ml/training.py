"""Training the match-score model on a time split, against two baselines on the same split."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from models_ml.evaluation import Metrics, evaluate
from models_ml.explain import LinearSurrogate
from models_ml.features import (
    CATEGORICAL,
    CONTENT_FEATURES,
    FEATURES,
    matrix,
    matrix_of_columns,
)
from models_ml.retrieval import LinearRetriever

CALIBRATION_SHARE = 0.15
# Cold start, measured apart: users with fewer swipes than this before the swipe, and postings
# nobody had swiped. Their scores rest on content and stated preferences.
COLD_USER_SWIPES = 5
# Swipes before the validation month that training describes at most. Beyond about two million
# the trees gain nothing measurable, while features and matrices grow with every row (ten million
# swipes at large scale: 23 GB); a uniform sample of the earlier swipes keeps every month's,
# user's and outcome's share, so it needs no weights to stay unbiased (docs/benchmarks.md).
TRAINING_ROWS = 2_000_000


@dataclass
class MatchModel:
    """The calibrated classifier plus what scoring needs around it."""

    classifier: CalibratedClassifierCV
    surrogate: LinearSurrogate
    prior_rate: float
    features: tuple[str, ...] = FEATURES
    # The feed's first stage (models_ml/retrieval.py); models trained before it had none.
    retriever: LinearRetriever | None = None

    def matrix(self, features: pl.DataFrame) -> np.ndarray:
        """The columns this model was trained on, in its order."""
        return matrix(features, self.features)

    def matrix_of_columns(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """``matrix`` of feature columns held as arrays (features.matrix_of_columns)."""
        return matrix_of_columns(columns, self.features)

    def predict(self, features: pl.DataFrame) -> np.ndarray:
        return self.classifier.predict_proba(self.matrix(features))[:, 1]


@dataclass
class TrainingResult:
    model: MatchModel
    validation_month: dt.date
    train_rows: int
    validation_rows: int
    metrics: Metrics
    baselines: dict[str, Metrics]
    validation_scores: np.ndarray
    validation_labels: np.ndarray
    extra: dict[str, float] = field(default_factory=dict)

    cold_start: dict[str, Metrics] = field(default_factory=dict)

    def metrics_table(self) -> dict[str, dict[str, float]]:
        return {
            "model": self.metrics.as_dict(),
            **{name: m.as_dict() for name, m in self.baselines.items()},
            **{f"model_{name}": m.as_dict() for name, m in self.cold_start.items()},
        }


def month_bounds(validation_month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The validation month as [start, end): midnight of its first day and of the next month's."""
    start = dt.datetime.combine(validation_month, dt.time())
    end = dt.datetime.combine((validation_month + dt.timedelta(days=32)).replace(day=1), dt.time())
    return start, end


def uuid_draw(column: str) -> pl.Expr:
    """A number in [0, 2**32) per UUID, uniform whatever the UUIDs' structure, and the same in
    every process and polars version (pl.hash is neither promised).

    Not the UUID's own low bits: ids minted from a counter (the simulator's, some ORMs') carry
    it there, and a threshold on a counter keeps a prefix of the history, not a sample. The
    four 32-bit words are mixed by odd multipliers and a murmur-style finaliser, every product
    kept below 2**64.
    """
    hexits = pl.col(column).str.replace_all("-", "", literal=True)
    modulus = 2**32
    words = [
        hexits.str.slice(8 * i, 8)
        .str.to_integer(base=16, strict=False)
        .fill_null(0)
        .cast(pl.UInt64)
        for i in range(4)
    ]
    mixed = pl.lit(0, dtype=pl.UInt64)
    for word, multiplier in zip(
        words, (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F), strict=True
    ):
        mixed = (mixed * 0x01000193 % modulus + word * multiplier % modulus) % modulus
    mixed = (mixed ^ (mixed // 2**16)) * 0x85EBCA6B % modulus
    mixed = (mixed ^ (mixed // 2**13)) * 0xC2B2AE35 % modulus
    return mixed ^ (mixed // 2**16)


def training_sample(
    swipes: pl.DataFrame, validation_month: dt.date, rows: int = TRAINING_ROWS
) -> pl.Expr | None:
    """Which swipes training describes: every swipe of the validation month and, when more
    than ``rows`` came before it, a uniform sample of about ``rows`` of those (None: all).

    The draw hashes the swipe's UUID (uuid_draw), so the same swipes are drawn on every run
    and in every process; history features still see every swipe (training_frame's keep).
    """
    start, end = month_bounds(validation_month)
    earlier = swipes.filter(pl.col("at") < start).height
    if earlier <= rows:
        return None
    sampled = (pl.col("at") < start) & (uuid_draw("swipe_id") < int(rows / earlier * 2**32))
    return sampled | ((pl.col("at") >= start) & (pl.col("at") < end))


def split_by_month(
    frame: pl.DataFrame, validation_month: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Train on every swipe before the validation month; validate on that month only."""
    start, end = month_bounds(validation_month)
    train = frame.filter(pl.col("at") < start)
    validation = frame.filter((pl.col("at") >= start) & (pl.col("at") < end))
    return train, validation


def train_model(frame: pl.DataFrame, validation_month: dt.date, seed: int = 7) -> TrainingResult:
    """``frame``: FEATURES + label, relevance, user_id, at. Applications weigh double as positives."""
    train, validation = split_by_month(frame, validation_month)
    if train.height < 200 or validation.height < 50:
        raise ValueError(
            f"not enough swipes to train: {train.height} before {validation_month}, {validation.height} in it"
        )
    train = train.sort("at")
    cut = int(train.height * (1 - CALIBRATION_SHARE))
    fit_part, calibration_part = train.slice(0, cut), train.slice(cut)
    categorical = [FEATURES.index(c) for c in CATEGORICAL]
    booster = HistGradientBoostingClassifier(
        # 35 trees: scoring speed (pairs per second) falls in proportion to the tree count, and
        # 35 lose 0.0007 validation AUC against 50 and 0.0023 against 200 (docs/benchmarks.md).
        max_iter=35, learning_rate=0.3, max_leaf_nodes=31, l2_regularization=1.0,
        categorical_features=categorical, random_state=seed, early_stopping=False,
    )  # fmt: skip
    weights = np.where(fit_part.get_column("relevance").to_numpy() > 1, 2.0, 1.0)
    booster.fit(matrix(fit_part), fit_part.get_column("label").to_numpy(), sample_weight=weights)
    # Sigmoid rather than isotonic: isotonic's steps tie many pairs at one score, and ties blur
    # the ranking the feed is made of.
    calibrated = CalibratedClassifierCV(FrozenEstimator(booster), method="sigmoid")
    calibrated.fit(matrix(calibration_part), calibration_part.get_column("label").to_numpy())
    prior = float(train.get_column("label").to_numpy().mean())
    surrogate = LinearSurrogate.fit(
        matrix(train.sample(min(train.height, 50_000), seed=seed)), booster
    )
    model = MatchModel(
        classifier=calibrated,
        surrogate=surrogate,
        prior_rate=prior,
        retriever=LinearRetriever.fit(fit_part, seed=seed),
    )

    labels = validation.get_column("label").to_numpy()
    users = validation.get_column("user_id").to_numpy()
    relevance = validation.get_column("relevance").to_numpy()
    scores = model.predict(validation)
    baselines = {
        "popularity": evaluate(
            labels, validation.get_column("posting_prior_right_rate").to_numpy(), users, relevance
        ),
        "content_similarity": _content_baseline(train, validation, seed),
    }
    return TrainingResult(
        model=model,
        validation_month=validation_month,
        train_rows=train.height,
        validation_rows=validation.height,
        metrics=evaluate(labels, scores, users, relevance),
        baselines=baselines,
        validation_scores=scores,
        validation_labels=labels,
        cold_start=cold_start_metrics(validation, scores),
    )


def cold_start_metrics(validation: pl.DataFrame, scores: np.ndarray) -> dict[str, Metrics]:
    """The model's metrics on cold-start swipes alone: users with fewer than COLD_USER_SWIPES
    swipes before, postings with none (only where both outcomes occur)."""
    groups = {
        "cold_users": validation.get_column("user_prior_swipes").to_numpy() < COLD_USER_SWIPES,
        "cold_postings": validation.get_column("posting_prior_swipes").to_numpy() == 0,
    }
    labels = validation.get_column("label").to_numpy()
    users = validation.get_column("user_id").to_numpy()
    relevance = validation.get_column("relevance").to_numpy()
    metrics = {}
    for name, mask in groups.items():
        if mask.sum() >= 20 and 0 < labels[mask].sum() < mask.sum():
            metrics[name] = evaluate(labels[mask], scores[mask], users[mask], relevance[mask])
    return metrics


def _content_baseline(train: pl.DataFrame, validation: pl.DataFrame, seed: int) -> Metrics:
    """A logistic regression on the content similarities alone (what the posting and profile say)."""
    baseline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200, random_state=seed))
    baseline.fit(
        train.select(list(CONTENT_FEATURES)).to_numpy(), train.get_column("label").to_numpy()
    )
    scores = baseline.predict_proba(validation.select(list(CONTENT_FEATURES)).to_numpy())[:, 1]
    return evaluate(
        validation.get_column("label").to_numpy(),
        scores,
        validation.get_column("user_id").to_numpy(),
        validation.get_column("relevance").to_numpy(),
    )
