"""Shared benchmark plumbing: a scratch database per measurement, timing, reporting.

Benchmarks print ratios against a baseline measured in the same run, on the same server
(DATABASE_URL's server, else 127.0.0.1:5432, else the embedded one).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipelines.db.admin import create_database, drop_database, is_reachable
from pipelines.db.connection import DatabaseTarget
from pipelines.db.embedded import start_embedded_server
from pipelines.db.migrate import upgrade

console = Console()
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def benchmark_server() -> DatabaseTarget:
    url = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    server = DatabaseTarget.from_string(url)
    if is_reachable(server):
        return server
    return DatabaseTarget.from_string(
        start_embedded_server(Path(tempfile.gettempdir()) / "jobswipe-bench-pgdata")
    )


@contextmanager
def scratch_database(
    server: DatabaseTarget, label: str, migrate: bool = True
) -> Iterator[DatabaseTarget]:
    name = f"jobswipe_bench_{label}_{secrets.token_hex(3)}"
    target = create_database(server, name)
    try:
        if migrate:
            upgrade(target)
        yield target
    finally:
        drop_database(server, name)


class Stopwatch:
    def __init__(self) -> None:
        self.seconds = 0.0

    @contextmanager
    def running(self) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - began


def report(name: str, rows: list[tuple[str, str]], payload: dict[str, object]) -> None:
    table = Table(title=name)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str))
