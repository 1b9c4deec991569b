"""Months as people type them (YYYY-MM), checked before they reach SQL, a path or a partition."""

from __future__ import annotations

import datetime as dt
import re

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> dt.date:
    """'2026-03' -> date(2026, 3, 1); ValueError naming the value for anything else."""
    match = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValueError(f"{text!r} is not a month: write YYYY-MM, e.g. 2026-03")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)
