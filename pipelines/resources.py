"""Dagster resources: the one PostgreSQL database every asset reads and writes."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg

from pipelines.db.connection import DatabaseTarget, connect, resolve_target
from pipelines.db.crypto import PiiCipher
from pipelines.settings import Settings, get_settings

# Writing assets retry transient failures (a dropped connection, a deadlock, a serialization
# failure) with backoff; each of their writes is one transaction, so a retry starts clean.
WRITER_RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


# Concurrency pools (limit 1 each in deploy/dagster*.yaml): one step at a time writes the
# transactional tables' bulk paths, and dbt builds one month range at a time.
BULK_WRITE_POOL = "transactional_bulk_writes"
DBT_POOL = "dbt_marts"


class PostgresResource(dg.ConfigurableResource):
    """DATABASE_URL when set (or ``database_url`` here), else the embedded server."""

    database_url: str | None = None

    def settings(self) -> Settings:
        base = get_settings()
        return (
            base.model_copy(update={"database_url": self.database_url})
            if self.database_url
            else base
        )

    def target(self) -> DatabaseTarget:
        return resolve_target(self.settings())

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        """One transaction: committed when the block succeeds, rolled back when it raises."""
        with connect(self.target()) as conn:
            yield conn

    def pii_cipher(self) -> PiiCipher:
        return PiiCipher.from_settings(self.settings())
