"""Named SQL statements kept as .sql files inside packages (never inline strings)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def read_sql(package: str, name: str) -> str:
    """The text of ``<package>/<name>.sql``."""
    return files(package).joinpath(f"{name}.sql").read_text(encoding="utf-8")
