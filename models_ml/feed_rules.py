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
        company_rank = pl.int_range(pl.len()).over("user_id", pl.col("company_id").fill_null(""))
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
