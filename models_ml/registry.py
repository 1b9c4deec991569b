"""Model artifacts (skops, never pickle) and the promotion gate."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import skops.io as sio

from models_ml.training import MatchModel

# Only these modules' types may be loaded from an artifact (skops refuses anything else).
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "models_ml.", "builtins.", "collections.")
# sklearn estimators hold partial() objects around validation helpers; allowed by exact name.
TRUSTED_NAMES = frozenset({"functools.partial"})
MIN_IMPROVEMENT = 0.0


class UntrustedArtifactError(ValueError):
    """An artifact asks to load a type outside the allow-list."""


def dumps(model: MatchModel) -> tuple[bytes, str]:
    data = sio.dumps(model)
    return data, hashlib.sha256(data).hexdigest()


def loads(data: bytes, expected_sha256: str | None = None) -> MatchModel:
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise UntrustedArtifactError("artifact checksum does not match the registry")
    untrusted = sio.get_untrusted_types(data=data)
    refused = [
        t for t in untrusted if not t.startswith(TRUSTED_PREFIXES) and t not in TRUSTED_NAMES
    ]
    if refused:
        raise UntrustedArtifactError(f"artifact contains types outside the allow-list: {refused}")
    model = sio.loads(data, trusted=untrusted)
    if not isinstance(model, MatchModel):
        raise ValueError(f"the artifact holds a {type(model).__name__}, not a MatchModel")
    return model


@dataclass(frozen=True)
class GateDecision:
    promote: bool
    reason: str


def promotion_gate(
    candidate_auc: float, champion_auc: float | None, minimum_auc: float = 0.55
) -> GateDecision:
    """Promote when there is no champion, or when the candidate beats it on the same month."""
    if candidate_auc < minimum_auc:
        return GateDecision(
            False, f"candidate ROC AUC {candidate_auc:.4f} is below the floor {minimum_auc:.2f}"
        )
    if champion_auc is None:
        return GateDecision(True, f"no champion yet; candidate ROC AUC {candidate_auc:.4f}")
    if candidate_auc > champion_auc + MIN_IMPROVEMENT:
        return GateDecision(
            True,
            f"candidate ROC AUC {candidate_auc:.4f} beats champion {champion_auc:.4f} on the same month",
        )
    return GateDecision(
        False, f"candidate ROC AUC {candidate_auc:.4f} does not beat champion {champion_auc:.4f}"
    )
