"""The monthly partitions marts and the model share: one Dagster partition = one calendar month."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from pipelines.settings import get_settings


def monthly_partitions() -> dg.MonthlyPartitionsDefinition:
    # end_offset=1 makes the month in progress a partition too, so the daily schedule can refresh it.
    return dg.MonthlyPartitionsDefinition(start_date=get_settings().first_data_month, end_offset=1)


def dbt_vars_for_window(start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    """dbt vars for a partition window; the end is exclusive (models filter `< max_date`)."""
    return {
        "min_date": start.strftime("%Y-%m-%d %H:%M:%S"),
        "max_date": end.strftime("%Y-%m-%d %H:%M:%S"),
    }


def months_to_refresh(today: dt.date) -> list[str]:
    """Partition keys of the previous and the current month: late data lands in either."""
    this_month = today.replace(day=1)
    previous = (this_month - dt.timedelta(days=1)).replace(day=1)
    return [previous.isoformat(), this_month.isoformat()]
