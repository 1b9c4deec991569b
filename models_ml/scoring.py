"""From features to what the app stores: a 0-100 match score, a confidence, the top factors."""

from __future__ import annotations

import numpy as np
import polars as pl

from models_ml.compiled import CompiledScorer
from models_ml.training import MatchModel


def confidence(probabilities: np.ndarray) -> np.ndarray:
    """1 - binary entropy: 1 when the model is sure either way, 0 at a coin flip."""
    p = np.clip(probabilities, 1e-9, 1 - 1e-9)
    return 1.0 + (p * np.log2(p) + (1 - p) * np.log2(1 - p))


def probabilities(
    model: MatchModel, x: np.ndarray, compiled: CompiledScorer | None = None
) -> np.ndarray:
    """The calibrated right-swipe probability: native code when compiled, scikit-learn otherwise."""
    return compiled.predict(x) if compiled is not None else model.classifier.predict_proba(x)[:, 1]


def score(
    model: MatchModel,
    features: pl.DataFrame,
    with_factors: bool = True,
    top_k: int = 3,
    compiled: CompiledScorer | None = None,
) -> pl.DataFrame:
    """match_score (0-100), confidence (0-1) and match_factors (JSON) per row of ``features``."""
    x = model.matrix(features)
    probability = probabilities(model, x, compiled)
    columns = {
        "match_score": np.round(probability * 100.0, 2),
        "confidence": np.round(confidence(probability), 4),
    }
    frame = pl.DataFrame(columns)
    if with_factors:
        frame = frame.with_columns(model.surrogate.top_factors_json(x, top_k))
    return frame
