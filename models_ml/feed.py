"""How good a feed is, measured against the truth: for each user, the mean true probability
(the simulator's oracle) of the postings a feed shows, against a random choice of unseen
postings, the most popular unseen ones and the best ones the oracle could pick.

share = (feed - random) / (oracle - random): 0 is no better than random, 1 is the ceiling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class UserFeed:
    """One user's unseen open postings: the oracle's probability for each, and which of them the
    feed recommended, which reached its candidate set, and their popularity."""

    probabilities: np.ndarray
    recommended: np.ndarray  # indices into probabilities
    candidates: np.ndarray  # indices into probabilities
    popularity: np.ndarray  # right swipes so far, per posting


@dataclass(frozen=True)
class FeedQuality:
    users: int
    feed: float
    popularity: float
    random: float
    oracle: float
    candidate_recall: float
    coverage: int
    # The oracle's own best 20 among the candidates: what a perfect ranker of this candidate set
    # would show (the gap from it to ``feed`` is the ranker's, from ``oracle`` to it retrieval's).
    candidate_ceiling: float = float("nan")

    @property
    def share(self) -> float:
        return _share(self.feed, self.random, self.oracle)

    @property
    def candidate_ceiling_share(self) -> float:
        return _share(self.candidate_ceiling, self.random, self.oracle)

    @property
    def popularity_share(self) -> float:
        return _share(self.popularity, self.random, self.oracle)


def _share(value: float, random: float, oracle: float) -> float:
    return (value - random) / (oracle - random) if oracle > random else 0.0


def feed_quality(feeds: list[UserFeed], top_n: int = 20, coverage: int = 0) -> FeedQuality:
    """Means over users (each user counts once); ``coverage`` is passed through (the distinct
    postings recommended across all users, which a sample of users cannot tell)."""
    feed, popular, random, oracle, recall, ceiling = [], [], [], [], [], []
    for user in feeds:
        if len(user.recommended) == 0 or len(user.probabilities) < top_n:
            continue
        best = np.argsort(-user.probabilities, kind="stable")[:top_n]
        most_liked = np.argsort(-user.popularity, kind="stable")[:top_n]
        feed.append(user.probabilities[user.recommended].mean())
        popular.append(user.probabilities[most_liked].mean())
        random.append(user.probabilities.mean())
        oracle.append(user.probabilities[best].mean())
        recall.append(np.isin(best, user.candidates).mean())
        if len(user.candidates):
            ranked = np.sort(user.probabilities[user.candidates])[::-1][:top_n]
            ceiling.append(ranked.mean())
    if not feed:
        raise ValueError("no user with recommendations and enough unseen postings")
    return FeedQuality(
        users=len(feed),
        feed=float(np.mean(feed)),
        popularity=float(np.mean(popular)),
        random=float(np.mean(random)),
        oracle=float(np.mean(oracle)),
        candidate_recall=float(np.mean(recall)),
        coverage=coverage,
        candidate_ceiling=float(np.mean(ceiling)) if ceiling else float("nan"),
    )
