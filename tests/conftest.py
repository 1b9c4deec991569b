"""Shared fixtures: a real PostgreSQL server, one migrated template, cheap per-test databases.

The server is JOBSWIPE_TEST_SERVER_URL (default: the machine's PostgreSQL on 127.0.0.1:5432);
when it is not reachable the tests start the embedded server instead. Every database a test
session creates is dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pipelines.db.admin import create_database, drop_database, is_reachable
from pipelines.db.connection import DatabaseTarget
from pipelines.db.crypto import PiiCipher, new_key_spec
from pipelines.db.embedded import start_embedded_server
from pipelines.db.migrate import upgrade
from pipelines.ingest.load import feed_files, ingest_file
from pipelines.scoring.service import score_and_recommend, train_and_register
from pipelines.simulate.writer import write_simulation

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
DEFAULT_TEST_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
# Keys, landing files, compiled models and plots of a test session stay out of the user's home.
os.environ.setdefault("JOBSWIPE_STATE_DIR", tempfile.mkdtemp(prefix="jobswipe-test-state-"))
SESSION_TAG = f"{os.getpid()}_{secrets.token_hex(2)}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("JOBSWIPE_SLOW") == "1":
        return
    skip_slow = pytest.mark.skip(reason="scale test: set JOBSWIPE_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture(scope="session")
def pg_server() -> DatabaseTarget:
    server = DatabaseTarget.from_string(
        os.environ.get("JOBSWIPE_TEST_SERVER_URL", DEFAULT_TEST_SERVER)
    )
    if is_reachable(server):
        return server
    data_dir = Path(tempfile.gettempdir()) / "jobswipe-test-pgdata"
    return DatabaseTarget.from_string(start_embedded_server(data_dir))


class DatabaseFactory:
    """Creates databases on the test server and drops them all at the end of the session."""

    def __init__(self, server: DatabaseTarget) -> None:
        self.server = server
        self.created: list[str] = []

    def empty(self, label: str) -> DatabaseTarget:
        name = f"jobswipe_t_{label}_{SESSION_TAG}_{len(self.created)}"
        self.created.append(name)
        return create_database(self.server, name)

    def clone(self, template: DatabaseTarget, label: str) -> DatabaseTarget:
        name = f"jobswipe_t_{label}_{SESSION_TAG}_{len(self.created)}"
        self.created.append(name)
        with psycopg.connect(
            **self.server.with_database("postgres").libpq_kwargs, autocommit=True
        ) as conn:  # type: ignore[arg-type]
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template.database)
                )
            )
        return self.server.with_database(name)

    def drop_all(self) -> None:
        for name in reversed(self.created):
            drop_database(self.server, name)


@pytest.fixture(scope="session")
def databases(pg_server: DatabaseTarget) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(pg_server)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def migrated_template(databases: DatabaseFactory) -> DatabaseTarget:
    target = databases.empty("template")
    upgrade(target)
    return target


@pytest.fixture
def migrated_db(databases: DatabaseFactory, migrated_template: DatabaseTarget) -> DatabaseTarget:
    """A freshly migrated database of this test's own."""
    return databases.clone(migrated_template, "db")


@pytest.fixture
def conn(migrated_db: DatabaseTarget) -> Iterator[psycopg.Connection]:
    with psycopg.connect(**migrated_db.libpq_kwargs) as connection:  # type: ignore[arg-type]
        yield connection


@pytest.fixture(scope="session")
def cipher() -> PiiCipher:
    return PiiCipher.from_spec(new_key_spec("test-k1"))


@pytest.fixture(scope="session")
def scored_template(databases, migrated_template, cipher, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Postings, six simulated months, a champion model and its scores."""
    target = databases.clone(migrated_template, "faults")
    for path in feed_files(FEEDS):
        ingest_file(target, path)
    write_simulation(
        target, seed=5, scale_name="small", months=6, cipher=cipher, start=dt.date(2025, 1, 1)
    )
    train_and_register(
        target, validation_month=dt.date(2025, 6, 1), plots_dir=tmp_path_factory.mktemp("plots")
    )
    score_and_recommend(target)
    # Retention has work to do: a long-deleted account and events past three years.
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        conn.execute(
            "UPDATE users SET is_deleted = true, deleted_at = now() - interval '8 years' "
            "WHERE id IN (SELECT id FROM users ORDER BY created_at LIMIT 3)"
        )
        conn.execute(
            'INSERT INTO analytics_events (event_type, event_category, event_name, "timestamp") '
            "SELECT 'system', 'test', 'old_event', now() - interval '4 years' "
            "FROM generate_series(1, 50)"
        )
    return target
