"""From ranked candidates to the feed a user is shown: the top N under the rules the app
expects of a feed.

- **Diversity**: at most ``per_company`` postings from one company in a user's feed, so one
  employer with many similar openings cannot fill it.
- **Freshness**: up to ``fresh_slots`` places go to the best-ranked fresh postings (published
  in the last days), so new postings are seen before anyone has swiped them; they take a place
  only if the user has fresh candidates.

What the rules cost in feed quality is measured by the benchmark (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class FeedRules:
    per_company: int | None = 3
    fresh_slots: int = 2

    @classmethod
    def none(cls) -> FeedRules:
        return cls(per_company=None, fresh_slots=0)


def select_feed(scored: pl.DataFrame, top_n: int, rules: FeedRules) -> pl.DataFrame:
    """``scored``: user_id, job_posting_id, company_id, fresh, score. Returns each user's feed
    (user_id, job_posting_id, score, rank 1..top_n by score)."""
    ordered = scored.sort(["user_id", "score", "job_posting_id"], descending=[False, True, False])
    if rules.per_company is not None:
        company_rank = position_in_group(ordered, ["user_id", "company_id"])
        ordered = ordered.filter(
            pl.col("company_id").is_null() | (company_rank < rules.per_company)
        )
    fresh_rank = pl.int_range(pl.len()).over("user_id", "fresh")
    ordered = ordered.with_columns(
        (pl.col("fresh") & (fresh_rank < rules.fresh_slots)).alias("_reserved")
    )
    reserved = pl.col("_reserved").sum().over("user_id")
    open_rank = pl.int_range(pl.len()).over("user_id", "_reserved")
    feed = ordered.filter(pl.col("_reserved") | (open_rank < top_n - reserved))
    return (
        feed.sort(["user_id", "score", "job_posting_id"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("user_id").alias("rank"))
        .filter(pl.col("rank") <= top_n)
        .select("user_id", "job_posting_id", "score", "rank")
    )


def position_in_group(frame: pl.DataFrame, keys: list[str]) -> pl.Series:
    """Per row, how many earlier rows of ``frame`` share its ``keys`` (0 for the first): what
    ``pl.int_range(pl.len()).over(keys)`` gives, by one stable sort of group codes. Polars
    evaluates that window group by group, a microsecond or two each, and a user's candidates
    fall in hundreds of user x company groups, most of them one row: it was half of the
    feed's selection time (docs/benchmarks.md)."""
    groups = _group_codes(frame, keys)
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    index = np.arange(len(groups))
    starts = np.r_[True, ordered[1:] != ordered[:-1]] if len(groups) else np.zeros(0, dtype=bool)
    first = np.maximum.accumulate(np.where(starts, index, 0)) if len(groups) else index
    position = np.empty(len(groups), dtype=np.int64)
    position[order] = index - first
    return pl.Series("position", position)


def _group_codes(frame: pl.DataFrame, keys: list[str]) -> np.ndarray:
    """One integer per row, equal for rows equal on ``keys`` (null a value of its own): the
    categories' own codes combined, where the keys are categorical (the ids are), which costs
    a quarter of ranking the keys' struct (docs/benchmarks.md)."""
    codes = np.zeros(frame.height, dtype=np.int64)
    span = 1
    for key in keys:
        column = frame.get_column(key)
        if column.dtype != pl.Categorical:
            return frame.select(pl.struct(keys).rank("dense")).to_series().to_numpy()
        # +1 so that null (-1) becomes 0 and every code is at least 0.
        values = column.to_physical().cast(pl.Int64).fill_null(-1).to_numpy() + 1
        width = int(values.max(initial=0)) + 1
        if span > (2**62) // width:
            return frame.select(pl.struct(keys).rank("dense")).to_series().to_numpy()
        codes = codes * width + values
        span *= width
    return codes
