"""Reads the seed document itself, so schema tests check against the spec rather than a copy."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import PROJECT_ROOT

SEED_PATH = Path(
    os.environ.get(
        "JOBSWIPE_SEED_PATH",
        PROJECT_ROOT.parent / "shared" / "seed" / "jobswipe-database-architecture.md",
    )
)
_NOT_COLUMNS = {"UNIQUE", "PRIMARY", "FOREIGN", "CONSTRAINT", "CHECK"}


@dataclass(frozen=True)
class SeedSpec:
    tables: dict[str, list[str]]
    column_types: dict[tuple[str, str], str]
    indexes: dict[str, str]
    enums: dict[str, list[str]]


def load_seed_spec(path: Path = SEED_PATH) -> SeedSpec:
    text = path.read_text(encoding="utf-8")
    tables: dict[str, list[str]] = {}
    column_types: dict[tuple[str, str], str] = {}
    for name, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", text, flags=re.S):
        if re.fullmatch(r".*_y\d{4}m\d{2}|.*_\d{4}q\d", name):
            continue
        columns = []
        for line in body.splitlines():
            line = line.split("--")[0].strip().rstrip(",")
            match = re.match(r"(\w+)\s+([\w(), ]+)", line)
            if not match or match.group(1).upper() in _NOT_COLUMNS:
                continue
            columns.append(match.group(1))
            column_types[(name, match.group(1))] = match.group(2).split()[0]
        tables[name] = columns
    indexes = dict(re.findall(r"CREATE INDEX CONCURRENTLY (\w+) ON (\w+)", text))
    enums = {
        name: re.findall(r"'(\w+)'", labels)
        for name, labels in re.findall(r"CREATE TYPE (\w+) AS ENUM \((.*?)\);", text)
    }
    return SeedSpec(tables=tables, column_types=column_types, indexes=indexes, enums=enums)
