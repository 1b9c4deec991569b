"""History features of some swipes only (models_ml/history.py): the same as of every swipe."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from models_ml.features import behaviour_before_each_swipe
from models_ml.history import PriorTotals
from models_ml.taste import (
    ATTRIBUTES,
    affinities_before_each_swipe,
    revealed_before_each_swipe,
)

START = dt.datetime(2026, 1, 1)


def history(n: int = 3_000, seed: int = 5) -> pl.DataFrame:
    """Coded swipes as coded_history gives them, in no particular order, with ties in time
    (a quarter-hour grid) so the swipe id has to break them."""
    rng = np.random.default_rng(seed)
    postings = rng.integers(0, 60, n)
    salary = np.where(rng.random(60) < 0.3, np.nan, rng.normal(11.3, 0.3, 60))
    return pl.DataFrame(
        {
            "swipe_id": rng.permutation(n).astype(np.uint32),
            "user_id": rng.integers(0, 25, n).astype(np.uint32),
            "job_posting_id": postings.astype(np.uint32),
            "company_id": (postings % 11).astype(np.uint32),
            **{
                a: ((postings * (i + 3)) % (i + 2)).astype(np.uint32)
                for i, a in enumerate(ATTRIBUTES)
            },
            "at": [START + dt.timedelta(minutes=15 * int(m)) for m in rng.integers(0, n // 3, n)],
            "label": rng.integers(0, 2, n),
            "log_salary": salary[postings],
            "level_index": rng.integers(0, 7, 60)[postings],
        }
    ).with_columns(pl.col("log_salary").fill_nan(None))


def every_history_feature(source: pl.DataFrame | PriorTotals) -> pl.DataFrame:
    return pl.concat(
        [
            behaviour_before_each_swipe(source, 0.3),
            affinities_before_each_swipe(source, 0.3),
            revealed_before_each_swipe(source),
        ],
        how="horizontal",
    )


def masks(frame: pl.DataFrame) -> dict[str, pl.Series]:
    rng = np.random.default_rng(1)
    newest = frame.get_column("at") >= frame.get_column("at").quantile(0.95)
    return {
        "the newest swipes (a day's rescoring)": newest,
        "the newest and a few old ones left unscored": newest
        | pl.Series(rng.random(frame.height) < 0.01),
        "a sample over all time (training)": pl.Series(rng.random(frame.height) < 0.2),
        "one swipe": pl.Series(np.arange(frame.height) == 7),
    }


@pytest.mark.parametrize("case", list(masks(history())))
def test_the_described_swipes_get_what_every_swipe_would(case: str) -> None:
    frame = history()
    describe = masks(frame)[case]
    expected = every_history_feature(frame).filter(describe)
    totals = PriorTotals.of(frame, describe)
    got = every_history_feature(totals)
    assert got.height == int(describe.sum())
    # Counts are exact; sums of log pay are added in another order, so equal to rounding.
    assert_frame_equal(got, expected, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)
    if case.startswith("the newest swipes"):
        # The past before the first described swipe was grouped, not sorted with the rest.
        assert totals.recent.height < frame.height // 10


def test_no_described_swipe_gives_no_rows() -> None:
    frame = history(200)
    got = every_history_feature(PriorTotals.of(frame, pl.Series([False] * frame.height)))
    assert got.height == 0
    assert got.columns == every_history_feature(frame).columns
