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
    bins = np.linspace(0, 100, 41)
    axis.hist(probabilities[labels == 0] * 100, bins=bins, alpha=0.6, label="left swipes")
    axis.hist(probabilities[labels == 1] * 100, bins=bins, alpha=0.6, label="right swipes")
    axis.set(
        xlabel="match score", ylabel="swipes", title="Match scores by outcome, validation month"
    )
    axis.legend()
    return _png(figure)
