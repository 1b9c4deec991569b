import datetime as dt

from pipelines.partitions import dbt_vars_for_window, months_to_refresh


def test_dbt_vars_cover_the_window_with_an_exclusive_end() -> None:
    assert dbt_vars_for_window(dt.datetime(2026, 3, 1), dt.datetime(2026, 4, 1)) == {
        "min_date": "2026-03-01 00:00:00",
        "max_date": "2026-04-01 00:00:00",
    }


def test_daily_refresh_covers_previous_and_current_month() -> None:
    assert months_to_refresh(dt.date(2026, 1, 15)) == ["2025-12-01", "2026-01-01"]
    assert months_to_refresh(dt.date(2026, 3, 1)) == ["2026-02-01", "2026-03-01"]
