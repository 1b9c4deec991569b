"""The feed's share of the way from random to the oracle, on feeds whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from models_ml.feed import UserFeed, feed_quality

PROBABILITIES = np.linspace(0.05, 0.95, 100)  # posting i has probability 0.05 + 0.9 i / 99


def user(recommended: np.ndarray, candidates: np.ndarray) -> UserFeed:
    return UserFeed(PROBABILITIES, recommended, candidates, popularity=np.arange(100) % 7)


def test_the_oracles_own_picks_reach_the_ceiling_and_random_picks_do_not() -> None:
    best = np.arange(80, 100)
    perfect = feed_quality([user(best, best)], top_n=20, coverage=20)
    assert perfect.share == pytest.approx(1.0) and perfect.candidate_recall == 1.0
    assert perfect.oracle == pytest.approx(PROBABILITIES[80:].mean())
    assert perfect.random == pytest.approx(PROBABILITIES.mean())
    middle = feed_quality([user(np.arange(40, 60), np.arange(0, 90))], top_n=20)
    assert middle.share == pytest.approx(0.0, abs=1e-12)  # the middle 20 average the mean
    assert middle.candidate_recall == pytest.approx(10 / 20)  # 80..89 of the best 80..99
    worst = feed_quality([user(np.arange(0, 20), np.arange(0, 20))], top_n=20)
    assert worst.share == pytest.approx(-1.0) and worst.candidate_recall == 0.0


def test_users_without_recommendations_are_left_out_and_none_at_all_is_an_error() -> None:
    quality = feed_quality(
        [user(np.arange(80, 100), np.arange(100)), user(np.array([], dtype=int), np.arange(5))]
    )
    assert quality.users == 1
    with pytest.raises(ValueError):
        feed_quality([user(np.array([], dtype=int), np.arange(5))])
