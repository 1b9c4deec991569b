"""The simulator is deterministic, its distributions are plausible, and its oracle is learnable."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from pipelines.simulate.activity import (
    MonthBatch,
    SimulationState,
    generate_month,
    posting_ids,
    user_ids,
)
from pipelines.simulate.preferences import oracle_probability
from pipelines.simulate.world import SCALES, build_world

START = dt.date(2025, 1, 1)


def simulate(seed: int, months: int, scale: str = "small") -> list[MonthBatch]:
    world = build_world(seed, SCALES[scale], START)
    state = SimulationState()
    return [generate_month(world, m, state) for m in range(months)]


@pytest.fixture(scope="module")
def year() -> list[MonthBatch]:
    return simulate(seed=11, months=12)


def concat(batches: list[MonthBatch], table: str) -> pl.DataFrame:
    return pl.concat(
        [b.tables[table] for b in batches if table in b.tables and b.tables[table].height],
        how="vertical_relaxed",
    )


def test_same_seed_gives_the_same_rows() -> None:
    first, second = simulate(seed=3, months=3), simulate(seed=3, months=3)
    for a, b in zip(first, second, strict=True):
        assert a.tables.keys() == b.tables.keys()
        for name in a.tables:
            assert a.tables[name].equals(b.tables[name]), name
        assert [u.frame.equals(v.frame) for u, v in zip(a.updates, b.updates, strict=True)] == [
            True
        ] * len(a.updates)


def test_different_seeds_differ() -> None:
    a, b = simulate(seed=3, months=1), simulate(seed=4, months=1)
    assert not a[0].tables["user_job_swipes"].equals(b[0].tables["user_job_swipes"])


def test_every_seed_table_gets_rows(year: list[MonthBatch]) -> None:
    tables = {name for batch in year for name, frame in batch.tables.items() if frame.height}
    assert len(tables) == 19


def test_a_user_swipes_a_posting_at_most_once_across_months(year: list[MonthBatch]) -> None:
    swipes = concat(year, "user_job_swipes")
    assert swipes.select(pl.struct("user_id", "job_posting_id").n_unique()).item() == swipes.height


def test_rows_land_in_their_own_month(year: list[MonthBatch]) -> None:
    for batch in year:
        for table, column in (
            ("user_job_swipes", "created_at"),
            ("analytics_events", "timestamp"),
            ("users", "created_at"),
        ):
            frame = batch.tables[table]
            if frame.height:
                months = frame.get_column(column).dt.truncate("1mo").dt.date().unique().to_list()
                assert months == [batch.month], (table, batch.month, months)


def test_swipe_and_funnel_rates_are_realistic(year: list[MonthBatch]) -> None:
    swipes = concat(year, "user_job_swipes")
    applications = concat(year, "job_applications")
    right = swipes.filter(pl.col("direction") != "LEFT").height
    assert 0.2 <= right / swipes.height <= 0.45
    assert 0.02 <= swipes.filter(pl.col("direction") == "SUPER_LIKE").height / swipes.height <= 0.12
    assert 0.25 <= applications.height / right <= 0.6
    counts = applications.group_by("status").len().to_dict(as_series=False)
    by_status = dict(zip(counts["status"], counts["len"], strict=True))
    reached_interview = sum(by_status.get(s, 0) for s in ("INTERVIEW", "OFFER", "ACCEPTED"))
    reached_offer = sum(by_status.get(s, 0) for s in ("OFFER", "ACCEPTED"))
    assert (
        applications.height > reached_interview > reached_offer > by_status.get("ACCEPTED", 0) > 0
    )
    assert 0.01 <= reached_offer / applications.height <= 0.15
    queue = concat(year, "application_queue")
    assert 0.7 <= queue.get_column("success").mean() <= 0.92


def test_users_churn_and_subscriptions_change(year: list[MonthBatch]) -> None:
    users = concat(year, "users")
    swipes = concat(year, "user_job_swipes")
    last_swipe = swipes.group_by("user_id").agg(
        pl.col("created_at").max().dt.truncate("1mo").dt.date()
    )
    still_active = last_swipe.filter(pl.col("created_at") == year[-1].month).height
    signed_up_before_last = users.filter(
        pl.col("created_at") < dt.datetime.combine(year[-1].month, dt.time())
    ).height
    assert 0.2 <= still_active / signed_up_before_last <= 0.8
    updates = pl.concat([u.frame for b in year for u in b.updates if u.table == "subscriptions"])
    assert set(updates.get_column("status")) == {"ACTIVE", "CANCELED"}
    assert {"BASIC", "PRO"} <= set(updates.get_column("plan"))


def test_usage_records_are_unique_per_user_feature_day(year: list[MonthBatch]) -> None:
    usage = concat(year, "usage_records")
    assert usage.select(pl.struct("user_id", "feature", "date").n_unique()).item() == usage.height


def test_oracle_separates_liked_from_disliked_within_the_band() -> None:
    world = build_world(5, SCALES["small"], START)
    rng = np.random.default_rng(0)
    users = rng.integers(0, world.users.count, 40_000)
    postings = rng.integers(0, world.postings.count, 40_000)
    probability = oracle_probability(world, users, postings)
    liked = rng.random(len(users)) < probability
    assert 0.80 <= roc_auc_score(liked, probability) <= 0.92


def test_stored_swipes_follow_the_oracle(year: list[MonthBatch]) -> None:
    """The directions written to the table are draws from the oracle's probabilities."""
    world = build_world(11, SCALES["small"], START)
    swipes = concat(year, "user_job_swipes")
    user_index = {uid: i for i, uid in enumerate(user_ids(world))}
    posting_index = {pid: i for i, pid in enumerate(posting_ids(world))}
    users = np.array([user_index[u] for u in swipes.get_column("user_id")])
    postings = np.array([posting_index[p] for p in swipes.get_column("job_posting_id")])
    probability = oracle_probability(
        world, users, postings, swipes.get_column("position").to_numpy()
    )
    liked = swipes.get_column("direction").to_numpy() != "LEFT"
    assert 0.80 <= roc_auc_score(liked, probability) <= 0.92


def test_screening_world_decides_differently_in_kind_and_keeps_the_additive_world() -> None:
    from pipelines.simulate.preferences import match_logit, screens

    additive = build_world(5, SCALES["small"], START)
    screening = build_world(5, SCALES["small"], START, taste_model="screening")
    # Same people and postings; other ids, so the two worlds never share a ledger.
    assert screening.key != additive.key
    assert np.array_equal(screening.users.skills, additive.users.skills)
    assert additive.key == build_world(5, SCALES["small"], START).key
    rng = np.random.default_rng(1)
    users = rng.integers(0, additive.users.count, 50_000)
    postings = rng.integers(0, additive.postings.count, 50_000)
    assert not np.allclose(
        match_logit(additive, users, postings), match_logit(screening, users, postings)
    )
    # A broken non-negotiable nearly vetoes a posting, whatever else it offers.
    s = screens(screening)
    vetoed = s.remote_only[users] & (screening.postings.remote_type[postings] != 2)
    probability = oracle_probability(screening, users, postings)
    assert vetoed.any() and probability[vetoed].mean() < 0.5 * probability[~vetoed].mean()
    with pytest.raises(ValueError):
        match_logit(
            build_world(5, SCALES["small"], START, taste_model="psychic"), users[:3], postings[:3]
        )
