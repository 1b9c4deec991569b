"""Honest metrics for ranking swipes: discrimination, calibration, and per-user ranking."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, log_loss, ndcg_score, roc_auc_score


@dataclass(frozen=True)
class Metrics:
    roc_auc: float
    pr_auc: float
    log_loss: float
    calibration_error: float
    ndcg_at_10: float
    rows: int
    positive_rate: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(float(v), 4) for k, v in asdict(self).items()}


def expected_calibration_error(
    labels: np.ndarray, probabilities: np.ndarray, bins: int = 10
) -> float:
    """Mean |observed rate - predicted probability| over equal-width bins, weighted by size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(labels[mask].mean() - probabilities[mask].mean())
    return float(error)


def ndcg_per_user(
    user_ids: np.ndarray, relevance: np.ndarray, scores: np.ndarray, k: int = 10
) -> float:
    """NDCG@k of each user's swipes ranked by score, averaged over users with a positive and
    at least two swipes (otherwise the ranking says nothing)."""
    frame = pl.DataFrame({"user": user_ids, "relevance": relevance, "score": scores})
    values = []
    for _, group in frame.group_by("user"):
        if group.height < 2 or group.get_column("relevance").sum() == 0:
            continue
        values.append(
            ndcg_score(
                [group.get_column("relevance").to_numpy()],
                [group.get_column("score").to_numpy()],
                k=k,
            )
        )
    return float(np.mean(values)) if values else float("nan")


def evaluate(
    labels: np.ndarray, probabilities: np.ndarray, user_ids: np.ndarray, relevance: np.ndarray
) -> Metrics:
    clipped = np.clip(probabilities, 1e-6, 1 - 1e-6)
    return Metrics(
        roc_auc=float(roc_auc_score(labels, probabilities)),
        pr_auc=float(average_precision_score(labels, probabilities)),
        log_loss=float(log_loss(labels, clipped, labels=[0, 1])),
        calibration_error=expected_calibration_error(labels, probabilities),
        ndcg_at_10=ndcg_per_user(user_ids, relevance, probabilities),
        rows=len(labels),
        positive_rate=float(labels.mean()),
    )
