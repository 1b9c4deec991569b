"""Pure parts of the match-score model: leakage, the gate, artifacts, metrics."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest

from models_ml.evaluation import evaluate, expected_calibration_error, ndcg_per_user
from models_ml.explain import FACTOR_LABELS, LinearSurrogate
from models_ml.features import FEATURES, behaviour_before_each_swipe
from models_ml.registry import UntrustedArtifactError, loads, promotion_gate
from models_ml.scoring import confidence


def swipes(n: int = 400, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = dt.datetime(2026, 1, 1)
    return pl.DataFrame(
        {
            "swipe_id": [f"s{i:04d}" for i in range(n)],
            "user_id": rng.choice(["u1", "u2", "u3", "u4"], n),
            "job_posting_id": rng.choice([f"p{i}" for i in range(20)], n),
            "company_id": rng.choice(["c1", "c2", "c3"], n),
            "at": [start + dt.timedelta(hours=int(h)) for h in rng.permutation(n)],
            "label": rng.integers(0, 2, n),
        }
    )


def test_behaviour_features_use_nothing_after_the_swipe() -> None:
    """Features of early swipes are the same whether or not later swipes exist."""
    full = swipes()
    cutoff = dt.datetime(2026, 1, 1) + dt.timedelta(hours=200)
    early = full.filter(pl.col("at") < cutoff)
    on_full = pl.concat(
        [full.select("swipe_id"), behaviour_before_each_swipe(full, 0.3)], how="horizontal"
    )
    on_early = pl.concat(
        [early.select("swipe_id"), behaviour_before_each_swipe(early, 0.3)], how="horizontal"
    )
    assert (
        on_full.filter(pl.col("swipe_id").is_in(early.get_column("swipe_id").implode()))
        .sort("swipe_id")
        .equals(on_early.sort("swipe_id"))
    )


def test_a_swipe_never_sees_its_own_outcome() -> None:
    frame = pl.DataFrame(
        {"swipe_id": ["a", "b"], "user_id": ["u", "u"], "job_posting_id": ["p", "q"], "company_id": ["c", "c"],
         "at": [dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)], "label": [1, 0]}
    )  # fmt: skip
    features = behaviour_before_each_swipe(frame, prior_rate=0.5)
    assert features.get_column("user_prior_swipes").to_list() == [0.0, 1.0]
    first_rate, second_rate = features.get_column("user_prior_right_rate").to_list()
    assert first_rate == pytest.approx(0.5)  # only the prior: its own right swipe is not counted
    assert second_rate == pytest.approx((1 + 5 * 0.5) / (1 + 5))


@pytest.mark.parametrize(
    ("candidate", "champion", "promote"),
    [
        (0.80, None, True),
        (0.81, 0.80, True),
        (0.80, 0.80, False),
        (0.79, 0.80, False),
        (0.52, None, False),
    ],
)
def test_promotion_gate(candidate: float, champion: float | None, promote: bool) -> None:
    decision = promotion_gate(candidate, champion)
    assert decision.promote is promote
    assert f"{candidate:.4f}" in decision.reason


def test_artifacts_with_a_wrong_checksum_are_refused() -> None:
    with pytest.raises(UntrustedArtifactError, match="checksum"):
        loads(b"not a model", expected_sha256="0" * 64)


def test_confidence_is_certainty() -> None:
    assert confidence(np.array([0.5]))[0] == pytest.approx(0.0, abs=1e-9)
    assert confidence(np.array([0.0, 1.0])) == pytest.approx([1.0, 1.0], abs=1e-6)
    assert confidence(np.array([0.9]))[0] == pytest.approx(confidence(np.array([0.1]))[0])


def test_metrics_reward_good_rankings() -> None:
    labels = np.array([0, 0, 1, 1, 0, 1])
    users = np.array(["a", "a", "a", "b", "b", "b"])
    perfect = np.array([0.1, 0.2, 0.9, 0.8, 0.1, 0.7])
    assert ndcg_per_user(users, labels, perfect) == pytest.approx(1.0)
    assert ndcg_per_user(users, labels, 1 - perfect) < 0.7
    assert expected_calibration_error(
        np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.5, 0.5])
    ) == pytest.approx(0.0)
    metrics = evaluate(labels, perfect, users, labels)
    assert metrics.roc_auc == pytest.approx(1.0) and metrics.rows == 6


def test_match_factors_are_the_largest_contributions_signed_and_worded() -> None:
    rng = np.random.default_rng(4)
    surrogate = LinearSurrogate(
        coefficients=rng.normal(size=len(FEATURES)), centre=np.zeros(len(FEATURES)), r2=0.5
    )
    x = rng.normal(size=(500, len(FEATURES)))
    x[0] = np.nan  # every value missing: contributions of 0 still give k worded factors
    documents = [json.loads(text) for text in surrogate.top_factors_json(x, k=3)]
    contributions = surrogate.contributions(x)
    for row, document in zip(contributions, documents, strict=True):
        factors = document["top_factors"]
        assert len(factors) == 3
        names = [f["factor"] for f in factors]
        magnitudes = np.abs(row[[FEATURES.index(n) for n in names]])
        assert magnitudes.min() >= np.delete(np.abs(row), [FEATURES.index(n) for n in names]).max()
        assert list(magnitudes) == sorted(magnitudes, reverse=True)
        for factor in factors:
            value = row[FEATURES.index(factor["factor"])]
            assert factor["contribution"] == pytest.approx(value, abs=5e-4)
            positive, negative = FACTOR_LABELS[factor["factor"]]
            assert factor["label"] == (positive if round(value, 3) >= 0 else negative)


class Smuggled:
    """A type no artifact may carry."""

    def __init__(self) -> None:
        self.payload = "anything"


def test_artifacts_with_a_disallowed_type_are_refused() -> None:
    import skops.io as sio

    data = sio.dumps({"model": Smuggled()})
    with pytest.raises(UntrustedArtifactError, match="outside the allow-list") as refused:
        loads(data)
    assert "Smuggled" in str(refused.value)


def test_artifacts_holding_something_else_than_a_match_model_are_refused() -> None:
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(ValueError, match="not a MatchModel"):
        loads(sio.dumps(LogisticRegression()))


def test_every_feature_is_worded_both_ways() -> None:
    assert set(FEATURES) <= set(FACTOR_LABELS)
    for name in FEATURES:
        positive, negative = FACTOR_LABELS[name]
        assert positive and negative, name


def _swipes_over_months(per_month: list[int]) -> pl.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for month, count in enumerate(per_month, start=1):
        for i in range(count):
            rows.append(
                {
                    "swipe_id": f"{rng.integers(0, 2**63):032x}"[-32:],
                    "at": dt.datetime(2025, month, 1 + i % 28, 12),
                }
            )
    return pl.DataFrame(rows)


def test_the_training_sample_is_uniform_over_counter_minted_ids() -> None:
    """Ids whose low bits are a counter (the simulator mints them so) are sampled uniformly
    too, not as a prefix of the history: a draw on the raw low bits kept every swipe."""
    from models_ml.training import training_sample, uuid_draw

    swipes = (
        _swipes_over_months([2_000, 4_000, 6_000, 3_000])
        .with_row_index("n")
        .select(
            pl.format(
                "a3b5a437-0009-400b-8000-{}", pl.col("n").cast(pl.String).str.pad_start(12, "0")
            ).alias("swipe_id"),
            "at",
        )
    )
    kept = swipes.filter(training_sample(swipes, dt.date(2025, 4, 1), rows=3_000))  # type: ignore[arg-type]
    earlier = kept.filter(pl.col("at") < dt.datetime(2025, 4, 1))
    assert 2_700 <= earlier.height <= 3_300
    for month, count in ((1, 2_000), (2, 4_000), (3, 6_000)):
        share = earlier.filter(pl.col("at").dt.month() == month).height / count
        assert 0.2 <= share <= 0.3, (month, share)
    draws = swipes.select(uuid_draw("swipe_id")).to_series()
    assert draws.max() < 2**32  # type: ignore[operator]
    # Spread over the whole range, in every sixteenth of it.
    assert np.bincount((draws.to_numpy() // 2**28).astype(np.int64), minlength=16).min() > 700
    # Stable: pinned values (the definition in plain integers gives the same; a change to the
    # mixing would silently redraw every training sample).
    pinned = pl.DataFrame(
        {"x": ["00000000-0000-0000-0000-000000000001", "a3b5a437-0009-400b-8000-000000188b03"]}
    ).select(uuid_draw("x"))
    assert pinned.to_series().to_list() == [2349025055, 1803269228]


def test_the_training_sample_bounds_earlier_swipes_and_keeps_the_validation_month() -> None:
    from models_ml.training import training_sample

    swipes = _swipes_over_months([2_000, 4_000, 6_000, 3_000])
    validation = dt.date(2025, 4, 1)
    keep = training_sample(swipes, validation, rows=3_000)
    assert keep is not None
    kept = swipes.filter(keep)
    earlier = kept.filter(pl.col("at") < dt.datetime(2025, 4, 1))
    assert 2_700 <= earlier.height <= 3_300  # about `rows` of the 12,000 earlier swipes
    assert kept.filter(pl.col("at") >= dt.datetime(2025, 4, 1)).height == 3_000  # all of them
    # Uniform over the earlier months: each keeps about a quarter of its swipes.
    shares = [
        earlier.filter(pl.col("at").dt.month() == m).height / n
        for m, n in ((1, 2_000), (2, 4_000), (3, 6_000))
    ]
    assert all(0.2 <= share <= 0.3 for share in shares), shares
    # The same draw every time, and none at all when the history is small enough.
    assert swipes.filter(training_sample(swipes, validation, rows=3_000)).equals(kept)  # type: ignore[arg-type]
    assert training_sample(swipes, validation, rows=20_000) is None


def test_the_matrix_of_feature_arrays_is_the_matrix_of_their_frame() -> None:
    """The feed builds the ranker's matrix from arrays, training and swipe scoring from frames:
    both round to six decimals and zero a column with no value at all, so the trees see the same
    numbers either way."""
    from models_ml.features import matrix, matrix_of_columns

    rng = np.random.default_rng(3)
    columns = {name: rng.normal(size=50) / 3.0 for name in FEATURES}
    columns[FEATURES[0]] = np.full(50, np.nan)  # no value at all
    columns[FEATURES[1]][::7] = np.nan  # some missing
    columns[FEATURES[2]][0] = 1.0000000000000002
    frame = pl.DataFrame(columns)
    from_arrays, from_frame = matrix_of_columns(columns), matrix(frame)
    assert from_arrays.flags.c_contiguous
    assert np.array_equal(from_arrays, from_frame, equal_nan=True)
    assert (from_arrays[:, 0] == 0).all() and np.isnan(from_arrays[::7, 1]).all()
    assert from_arrays[0, 2] == 1.0
    # Only the model's columns, in its order, whatever else the arrays hold.
    names = (FEATURES[3], FEATURES[1])
    assert np.array_equal(
        matrix_of_columns(columns | {"extra": np.zeros(50)}, names),
        matrix(frame, names),
        equal_nan=True,
    )
