"""Medium scale (10k users, ~1M swipes): run with JOBSWIPE_SLOW=1; CI runs the small scale."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from pipelines.simulate.writer import write_simulation

pytestmark = pytest.mark.slow


def test_medium_scale_writes_about_a_million_swipes(databases, migrated_template, cipher) -> None:  # type: ignore[no-untyped-def]
    target = databases.clone(migrated_template, "medium")
    report = write_simulation(
        target, seed=42, scale_name="medium", months=12, cipher=cipher, start=dt.date(2025, 1, 1)
    )
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        swipes, users = conn.execute(
            "SELECT (SELECT count(*) FROM user_job_swipes), (SELECT count(*) FROM users)"
        ).fetchone()  # type: ignore[misc]
    assert users == 10_000
    assert 800_000 <= swipes <= 1_200_000
    assert report.rows_written > 3_000_000
