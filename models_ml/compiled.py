"""The booster compiled to native code (treelite + tl2cgen) for scoring millions of pairs.

scikit-learn's tree predictor manages about 300k pairs a second on this hardware; the same
trees compiled to C score well over a million. The library is built once per model (about a
second with gcc) into a cache directory keyed by the trees' content. Its output is the
booster's margin, to which the model's own sigmoid calibration is applied, so scores equal
``MatchModel.predict``. Every scoring run re-checks that on a sample of its rows and falls back
to scikit-learn on any difference, as it does without a C compiler.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit

from models_ml.training import MatchModel

logger = logging.getLogger(__name__)
PARITY_SAMPLE = 20_000
PARITY_TOLERANCE = 1e-9


@dataclass
class CompiledScorer:
    predictor: Any
    slope: float
    intercept: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        import tl2cgen

        margin = np.asarray(
            self.predictor.predict(
                tl2cgen.DMatrix(np.ascontiguousarray(x, dtype=np.float64)), pred_margin=True
            )
        ).reshape(-1)
        # sklearn's sigmoid calibration: p = 1 / (1 + exp(a * f + b)).
        return expit(-(self.slope * margin + self.intercept))


def sigmoid_parameters(model: MatchModel) -> tuple[object, float, float]:
    """The frozen booster and the (a, b) of its sigmoid calibration."""
    calibrated = model.classifier.calibrated_classifiers_[0]
    booster = calibrated.estimator.estimator  # FrozenEstimator -> HistGradientBoostingClassifier
    calibrator = calibrated.calibrators[0]
    return booster, float(calibrator.a_), float(calibrator.b_)


def compile_model(model: MatchModel, cache_dir: Path, threads: int = 2) -> CompiledScorer | None:
    """A native scorer for ``model``, or None when it cannot be compiled here."""
    try:
        import tl2cgen
        import treelite
    except ImportError:
        logger.warning("treelite/tl2cgen not installed: scoring with scikit-learn")
        return None
    booster, slope, intercept = sigmoid_parameters(model)
    digest = hashlib.sha256(pickle.dumps(booster._predictors)).hexdigest()[:16]  # type: ignore[attr-defined]
    library = cache_dir / f"booster-{digest}.so"
    try:
        if not library.exists():
            cache_dir.mkdir(parents=True, exist_ok=True)
            # A name of its own per compile: parallel scoring runs compile the same model at
            # once, and two writers of one partial file renamed each other's away.
            handle, name = tempfile.mkstemp(
                dir=cache_dir, prefix=library.stem, suffix=".partial.so"
            )
            os.close(handle)
            partial = Path(name)
            try:
                tl2cgen.export_lib(
                    treelite.sklearn.import_model(booster),
                    toolchain="gcc",
                    libpath=str(partial),
                    params={"parallel_comp": 4},
                    verbose=False,
                )
                # Atomic: a run that loaded the library another run put there keeps its inode.
                os.replace(partial, library)
            finally:
                partial.unlink(missing_ok=True)
        predictor = tl2cgen.Predictor(str(library), nthread=threads)
    except Exception as exc:  # a missing compiler or toolchain must not stop scoring
        logger.warning("could not compile the booster (%s): scoring with scikit-learn", exc)
        return None
    return CompiledScorer(predictor=predictor, slope=slope, intercept=intercept)


def verified(
    model: MatchModel, compiled: CompiledScorer | None, x: np.ndarray
) -> CompiledScorer | None:
    """``compiled`` if it agrees with scikit-learn on a sample of ``x``, else None (fall back)."""
    if compiled is None or len(x) == 0:
        return compiled
    sample = x[np.linspace(0, len(x) - 1, min(len(x), PARITY_SAMPLE)).astype(int)]
    difference = np.abs(compiled.predict(sample) - model.classifier.predict_proba(sample)[:, 1])
    if np.any(difference > PARITY_TOLERANCE):
        logger.warning(
            "compiled scores differ from scikit-learn on %d of %d rows: scoring with scikit-learn",
            int((difference > PARITY_TOLERANCE).sum()),
            len(sample),
        )
        return None
    return compiled
