"""Pictures of a trained model: ROC curves against the baselines, calibration, score spread."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_curve


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def roc_plot(labels: np.ndarray, curves: dict[str, np.ndarray]) -> bytes:
    figure, axis = plt.subplots(figsize=(5, 5))
    for name, scores in curves.items():
        fpr, tpr, _ = roc_curve(labels, scores)
        axis.plot(fpr, tpr, label=name)
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    axis.set(
        xlabel="false positive rate", ylabel="true positive rate", title="ROC, validation month"
    )
    axis.legend(loc="lower right")
    return _png(figure)


def calibration_plot(labels: np.ndarray, probabilities: np.ndarray) -> bytes:
    observed, predicted = calibration_curve(labels, probabilities, n_bins=10, strategy="quantile")
    figure, axis = plt.subplots(figsize=(5, 5))
    axis.plot(predicted, observed, marker="o", label="model")
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect")
    axis.set(
        xlabel="predicted probability of a right swipe",
        ylabel="observed right-swipe rate",
        title="Calibration",
    )
    axis.legend(loc="upper left")
    return _png(figure)


def score_distribution_plot(labels: np.ndarray, probabilities: np.ndarray) -> bytes:
    figure, axis = plt.subplots(figsize=(6, 4))
    bins = np.linspace(0, 100, 41).tolist()
    axis.hist(probabilities[labels == 0] * 100, bins=bins, alpha=0.6, label="left swipes")
    axis.hist(probabilities[labels == 1] * 100, bins=bins, alpha=0.6, label="right swipes")
    axis.set(
        xlabel="match score", ylabel="swipes", title="Match scores by outcome, validation month"
    )
    axis.legend()
    return _png(figure)


def funnel_plot(months: list[str], stages: list[str], counts: list[list[int]]) -> bytes:
    """Stage counts per month (one line each), with the latest month's conversion annotated."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    positions = np.arange(len(stages))
    for month, row in zip(months, counts, strict=True):
        left.plot(positions, row, marker="o", label=month)
    left.set_yscale("log")
    left.set_xticks(positions, stages, rotation=30, ha="right")
    left.set(ylabel="count (log scale)", title="Application funnel by month of swipe")
    left.legend(fontsize=8)
    latest = counts[-1]
    bars = right.barh(positions[::-1], latest, color="tab:blue")
    right.set_yticks(positions[::-1], stages)
    for bar, value, previous in zip(bars, latest, [latest[0], *latest[:-1]], strict=True):
        rate = f" {value:,} ({value / previous:.0%} of previous)" if previous else f" {value:,}"
        right.text(
            bar.get_width(), bar.get_y() + bar.get_height() / 2, rate, va="center", fontsize=8
        )
    right.set_xscale("log")
    right.set(title=f"Funnel, {months[-1]}", xlabel="count (log scale)")
    return _png(figure)
