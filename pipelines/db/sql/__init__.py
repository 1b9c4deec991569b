"""Named SQL statements used from Python, kept as .sql files rather than inline strings."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def load_sql(name: str) -> str:
    return files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")
