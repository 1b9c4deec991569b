"""Per-user taste features, candidate retrieval and feed rules: pure parts, no database."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_ml import taste
from models_ml.feed_rules import FeedRules, position_in_group, select_feed
from models_ml.retrieval import _top_unseen
from models_ml.taste import (
    AFFINITY_FEATURES,
    ATTRIBUTES,
    _user_pieces,
    affinities_before_each_swipe,
    affinities_from_tables,
    affinity_tables,
    collaborative_before_each_swipe,
    fit_posting_factors,
    fold_in,
)

START = dt.datetime(2026, 1, 1)


def swipes(n: int = 1_200, seed: int = 3) -> pl.DataFrame:
    """Swipes over three months, each posting with fixed attributes."""
    rng = np.random.default_rng(seed)
    postings = [f"p{i:02d}" for i in range(40)]
    attributes = {p: {a: f"{a}-{rng.integers(3)}" for a in ATTRIBUTES} for p in postings}
    chosen = rng.choice(postings, n)
    return pl.DataFrame(
        {
            "swipe_id": [f"s{i:05d}" for i in range(n)],
            "user_id": rng.choice([f"u{i}" for i in range(12)], n),
            "job_posting_id": chosen,
            "at": [START + dt.timedelta(hours=int(h)) for h in rng.permutation(n) * 1.8],
            "label": rng.integers(0, 2, n),
            **{a: [attributes[p][a] for p in chosen] for a in ATTRIBUTES},
        }
    )


def taste_features(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.concat(
        [
            frame.select("swipe_id"),
            affinities_before_each_swipe(frame, 0.3),
            collaborative_before_each_swipe(frame),
        ],
        how="horizontal",
    )


@pytest.mark.parametrize("cut_hours", [1_000, 1_700, 2_000])
def test_taste_features_use_nothing_after_the_swipe(cut_hours: int) -> None:
    """Affinities and the collaborative fold-in of early swipes are the same whether or not
    later swipes exist (cuts inside a month, so a month's factors see only earlier months)."""
    full = swipes()
    early = full.filter(pl.col("at") < START + dt.timedelta(hours=cut_hours))
    on_full = taste_features(full).filter(
        pl.col("swipe_id").is_in(early.get_column("swipe_id").implode())
    )
    on_early = taste_features(early)
    assert on_full.sort("swipe_id").equals(on_early.sort("swipe_id"))
    assert on_early.select(pl.col("cf_like").abs().sum()).item() > 0  # the signal is there


def test_affinity_counts_only_earlier_swipes_on_the_same_value() -> None:
    base = {"user_id": ["u"] * 3, "job_posting_id": ["a", "b", "c"], "label": [1, 1, 0]}
    frame = pl.DataFrame(
        {
            **base,
            "swipe_id": ["1", "2", "3"],
            "at": [START, START + dt.timedelta(days=1), START + dt.timedelta(days=2)],
            **{a: ["x", "x", "y"] for a in ATTRIBUTES},
        }
    )
    affinity = affinities_before_each_swipe(frame, prior_rate=0.5).get_column("affinity_industry")
    assert affinity[0] == pytest.approx(0.0)  # nothing known yet, its own like not counted
    assert affinity[1] > 0  # liked an "x" before
    assert affinity[2] == pytest.approx(0.0)  # never swiped a "y" before
    # For unswiped pairs the whole history counts: "x" liked twice, "y" passed once.
    _, tables = affinity_tables(frame, 0.5)
    pairs = pl.DataFrame({"user_id": ["u", "u", "v"], **{a: ["x", "y", "x"] for a in ATTRIBUTES}})
    later = affinities_from_tables(pairs, tables).get_column("affinity_industry")
    assert later[0] > 0 > later[1] and later[2] == 0.0
    assert set(AFFINITY_FEATURES) == {f"affinity_{a}" for a in ATTRIBUTES}


def test_collaborative_signal_follows_people_who_like_the_same_postings() -> None:
    """Users who liked a and b liked c too; a new user who likes a is closer to c than to the
    postings a different crowd likes."""
    likes = [(f"u{i}", p) for i in range(20) for p in ("a", "b", "c")]
    likes += [(f"w{i}", p) for i in range(20) for p in ("x", "y", "z")]
    factors = fit_posting_factors(
        pl.DataFrame(likes, schema=["user_id", "job_posting_id"], orient="row")
    )
    vectors = factors.vectors
    a, c, x = (vectors[factors.index[p]] for p in ("a", "c", "x"))
    assert float(a @ c) > 0.9 and abs(float(a @ x)) < 0.1
    assert not vectors[len(factors.index)].any()  # an unknown posting has no evidence


def test_the_collaborative_signal_is_the_same_computed_a_few_users_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frame = swipes()
    whole = collaborative_before_each_swipe(frame)
    monkeypatch.setattr(taste, "CF_PIECE_ROWS", 7)
    pieces = collaborative_before_each_swipe(frame)
    assert all(total > 0 for total in whole.select(pl.all().abs().sum()).row(0))
    for column in ("cf_like", "cf_pass"):
        np.testing.assert_allclose(pieces[column].to_numpy(), whole[column].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize(("size", "expected"), [(1, 5), (3, 4), (4, 3), (100, 1)])
def test_user_pieces_cover_every_row_once_and_never_split_a_user(size: int, expected: int) -> None:
    groups = np.array([0, 0, 0, 1, 2, 2, 3, 3, 3, 3, 4])
    pieces = _user_pieces(groups, size)
    assert [i for piece in pieces for i in range(len(groups))[piece]] == list(range(len(groups)))
    owner = {int(g): k for k, piece in enumerate(pieces) for g in groups[piece]}
    assert all(owner[int(g)] == k for k, piece in enumerate(pieces) for g in groups[piece])
    assert len(pieces) == expected
    assert _user_pieces(np.array([], dtype=np.int64), size) == []


def test_fold_in_sums_the_vectors_of_what_each_user_liked_and_passed() -> None:
    likes = pl.DataFrame({"user_id": ["u", "v", "v"], "job_posting_id": ["a", "b", "c"]})
    factors = fit_posting_factors(likes, dim=2)
    history = pl.DataFrame(
        {
            "user_id": ["u", "u", "v", "v", "v", "w"],
            "job_posting_id": ["a", "b", "b", "c", "zzz", "a"],
            "label": [1, 0, 1, 1, 0, 1],
        }
    )
    profiles = fold_in(history, factors, ["v", "u"])
    vector = {p: factors.vectors[factors.rows([p])[0]] for p in ("a", "b", "c", "zzz")}
    np.testing.assert_allclose(profiles.liked[0], vector["b"] + vector["c"], rtol=1e-6)
    np.testing.assert_allclose(profiles.passed[0], vector["zzz"], atol=1e-7)  # unknown: zero
    np.testing.assert_allclose(profiles.liked[1], vector["a"], rtol=1e-6)
    np.testing.assert_allclose(profiles.passed[1], vector["b"], rtol=1e-6)
    assert profiles.liked_count.tolist() == [2.0, 1.0]
    assert profiles.passed_count.tolist() == [1.0, 1.0]


def test_the_first_swipe_of_a_user_has_no_collaborative_evidence() -> None:
    frame = swipes().sort("at")
    features = pl.concat([frame, collaborative_before_each_swipe(frame)], how="horizontal")
    first = features.group_by("user_id").agg(pl.all().sort_by("at").first())
    assert (first.get_column("cf_like") == 0).all() and (first.get_column("cf_pass") == 0).all()


def test_top_skips_seen_postings_and_pads_short_rows() -> None:
    scores = np.array([[0.9, 0.8, 0.7, 0.1], [0.5, 0.5, 0.4, 0.3]])
    seen = np.array([[True, False, False, False], [True, True, True, False]])
    top = _top_unseen(np.where(seen, -np.inf, scores), 2)
    assert top.tolist() == [[1, 2], [3, -1]]
    tied = _top_unseen(np.array([[0.5, 0.7, 0.5, 0.5]]), 3)
    assert tied.tolist() == [[1, 0, 2]]


def ranked(users: int = 2, per_user: int = 30) -> pl.DataFrame:
    rng = np.random.default_rng(5)
    n = users * per_user
    return pl.DataFrame(
        {
            "user_id": np.repeat([f"u{i}" for i in range(users)], per_user),
            "job_posting_id": [f"p{i}" for i in range(n)],
            "company_id": rng.choice(
                ["big", "c1", "c2", "c3", "c4"], n, p=[0.6, 0.1, 0.1, 0.1, 0.1]
            ),
            "fresh": rng.random(n) < 0.15,
            "score": np.round(rng.random(n) * 100, 2),
        }
    )


def test_feed_rules_cap_companies_and_reserve_fresh_places() -> None:
    scored = ranked()
    feed = select_feed(scored, 10, FeedRules(per_company=3, fresh_slots=2)).join(
        scored, on=["user_id", "job_posting_id"]
    )
    for _, user in feed.group_by("user_id"):
        user = user.sort("rank")
        assert user.height == 10
        assert user.get_column("rank").to_list() == list(range(1, 11))
        assert user.group_by("company_id").len().get_column("len").max() <= 3
        # Fresh postings that survive the company cap (each company's best 3) get 2 places.
        mine = scored.filter(pl.col("user_id") == user.get_column("user_id")[0])
        eligible = mine.sort("score", descending=True).group_by("company_id").head(3)
        assert user.get_column("fresh").sum() >= min(2, eligible.get_column("fresh").sum())
        assert user.get_column("score").is_sorted(descending=True)
    unconstrained = select_feed(scored, 10, FeedRules.none())
    best = scored.sort("score", descending=True).group_by("user_id").head(10)
    assert set(unconstrained.get_column("job_posting_id")) == set(best.get_column("job_posting_id"))


@pytest.mark.parametrize("ids", [pl.String, pl.Categorical])
def test_position_in_group_is_the_window_it_replaces(ids: type[pl.DataType]) -> None:
    """By the ids' categories' codes (the feed's frames) or by ranking the keys (any other)."""
    rng = np.random.default_rng(4)
    n = 5_000
    frame = pl.DataFrame(
        {
            "user_id": pl.Series(rng.choice([f"u{i}" for i in range(30)], n), dtype=ids),
            "company_id": pl.Series(rng.choice(["a", "b", "c", None], n), dtype=ids),
            "score": rng.random(n),
        }
    ).sort("user_id", "score")
    expected = frame.select(pl.int_range(pl.len()).over("user_id", "company_id")).to_series()
    got = position_in_group(frame, ["user_id", "company_id"])
    assert got.to_list() == expected.to_list()
    assert position_in_group(frame.clear(), ["user_id", "company_id"]).len() == 0
