"""SQL the simulator reads with (kept as .sql files)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def load_sql(name: str) -> str:
    return files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")
