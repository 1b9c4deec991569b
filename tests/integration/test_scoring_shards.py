"""Scoring scales out by user shard: any split of the shards into runs writes exactly what one
run over all of them writes, and PostgreSQL's user_shard() agrees with Python's shard_of()."""

from __future__ import annotations

import datetime as dt

import psycopg

from pipelines.db.connection import DatabaseTarget
from pipelines.scoring.service import score_and_recommend
from pipelines.scoring.shards import SHARD_COUNT, shard_of, split_into_ranges

AS_OF = dt.datetime(2025, 7, 1, 12, 0)
WRITTEN = {
    "recommendations": "SELECT user_id, job_posting_id, score, rank, model_version FROM recommendations ORDER BY 1, 4",
    "swipe scores": "SELECT id, match_score, confidence, match_factors::text, is_correct_match FROM user_job_swipes ORDER BY id",
    "postings": "SELECT id, quality_score, right_swipe_count, left_swipe_count, view_count, application_count FROM job_postings ORDER BY id",
}


def written(target: DatabaseTarget) -> dict[str, list[tuple]]:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        return {name: conn.execute(query).fetchall() for name, query in WRITTEN.items()}


def test_shards_in_separate_runs_write_what_one_run_writes(databases, scored_template) -> None:  # type: ignore[no-untyped-def]
    one_run = databases.clone(scored_template, "shards_one")
    split = databases.clone(scored_template, "shards_split")
    for target in (one_run, split):  # scores differ from the template's after this
        with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
            conn.execute("UPDATE user_job_swipes SET match_score = NULL")
            conn.execute("DELETE FROM recommendations")
    whole = score_and_recommend(one_run, full=True, as_of=AS_OF)
    assert whole.recommendations > 0 and whole.swipes_scored > 0
    # Posting quality belongs to the run over every shard (the Dagster asset posting_quality
    # runs it beside sharded runs), so the split runs take it from there.
    from pipelines.scoring.service import refresh_posting_quality

    refresh_posting_quality(split)
    parts = []
    for first, last in split_into_ranges(SHARD_COUNT, 3)[::-1]:  # in any order
        parts.append(
            score_and_recommend(
                split, full=True, as_of=AS_OF, shards=range(int(first), int(last) + 1)
            )
        )
    assert sum(p.swipes_scored for p in parts) == whole.swipes_scored
    assert sum(p.recommendations for p in parts) == whole.recommendations
    assert written(split) == written(one_run)


def test_postgres_and_python_agree_on_every_users_shard(scored_template) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(**scored_template.libpq_kwargs) as conn:  # type: ignore[arg-type]
        rows = conn.execute("SELECT id::text, user_shard(id, %s) FROM users", (SHARD_COUNT,))
        pairs = rows.fetchall()
    assert len(pairs) > 100
    assert all(shard_of(user) == shard for user, shard in pairs)
    assert len({shard for _, shard in pairs}) == SHARD_COUNT  # every shard has users


def test_shard_ranges_cover_every_shard_once() -> None:
    for parts in (1, 2, 3, 5, 16, 40):
        ranges = split_into_ranges(SHARD_COUNT, parts)
        covered = [s for first, last in ranges for s in range(int(first), int(last) + 1)]
        assert covered == list(range(SHARD_COUNT))
