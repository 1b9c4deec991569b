"""How fresh each served dataset must be: one table that the Dagster freshness checks, the
freshness sensor and `jobswipe status` all read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class FreshnessExpectation:
    group: str  # what the expectation covers: an asset key, or "marts" for every mart
    max_age: dt.timedelta
    why: str


DAILY = dt.timedelta(hours=26)  # a daily duty, with two hours' grace for a slow or retried run

EXPECTATIONS: tuple[FreshnessExpectation, ...] = (
    FreshnessExpectation("job_postings", DAILY, "feeds land at least daily"),
    FreshnessExpectation("posting_quality", DAILY, "daily at 04:30 UTC and after every ingest"),
    FreshnessExpectation("match_scores", DAILY, "daily at 05:00 UTC and after every ingest"),
    FreshnessExpectation("recommendations", DAILY, "daily at 05:00 UTC and after every ingest"),
    FreshnessExpectation(
        "marts", DAILY, "the previous and current month rebuilt daily at 03:00 UTC"
    ),
)


def expectation_for(asset_key: str, group: str | None) -> FreshnessExpectation | None:
    for expectation in EXPECTATIONS:
        if expectation.group in (asset_key, group):
            return expectation
    return None
