"""Which PostgreSQL server the platform talks to, and connections to it.

``DATABASE_URL`` wins when set; otherwise an embedded server is started under the state dir.
Every consumer (SQLAlchemy, psycopg COPY, Alembic, dbt) derives its settings from one
``DatabaseTarget`` so they can never disagree about the database.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import psycopg
import psycopg.sql
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url

from pipelines.db.embedded import start_embedded_server
from pipelines.settings import Settings, get_settings


@dataclass(frozen=True)
class DatabaseTarget:
    """A PostgreSQL database, addressed by URL (TCP host or Unix socket directory)."""

    url: URL

    @classmethod
    def from_string(cls, raw: str) -> DatabaseTarget:
        url = make_url(raw)
        if url.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        if not url.drivername.startswith("postgresql"):
            raise ValueError(
                f"DATABASE_URL must be a PostgreSQL URL, got driver {url.drivername!r}"
            )
        return cls(url)

    @property
    def sqlalchemy_url(self) -> str:
        return self.url.render_as_string(hide_password=False)

    @property
    def host(self) -> str:
        """TCP host name, or the Unix socket directory of an embedded server."""
        socket_dir = self.url.query.get("host")
        if socket_dir:
            return socket_dir if isinstance(socket_dir, str) else socket_dir[0]
        return self.url.host or "localhost"

    @property
    def port(self) -> int:
        return self.url.port or 5432

    @property
    def database(self) -> str:
        return self.url.database or "postgres"

    @property
    def user(self) -> str:
        return self.url.username or "postgres"

    @property
    def password(self) -> str:
        return self.url.password or ""

    @property
    def libpq_kwargs(self) -> dict[str, object]:
        kwargs: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "dbname": self.database,
            "user": self.user,
        }
        if self.password:
            kwargs["password"] = self.password
        return kwargs

    def with_database(self, name: str) -> DatabaseTarget:
        return DatabaseTarget(self.url.set(database=name))

    def dbt_env(self) -> dict[str, str]:
        """Environment variables read by dbt_project/profiles.yml."""
        return {
            "JOBSWIPE_DB_HOST": self.host,
            "JOBSWIPE_DB_PORT": str(self.port),
            "JOBSWIPE_DB_USER": self.user,
            "JOBSWIPE_DB_PASSWORD": self.password,
            "JOBSWIPE_DB_NAME": self.database,
            # dbt's sessions are recognisable (and reniced with batch work).
            "JOBSWIPE_DB_APPLICATION_NAME": DBT_APPLICATION_NAME,
        }

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


def resolve_target(settings: Settings | None = None) -> DatabaseTarget:
    settings = settings or get_settings()
    if settings.database_url:
        return DatabaseTarget.from_string(settings.database_url)
    return DatabaseTarget.from_string(start_embedded_server(settings.embedded_data_dir))


# How the platform's sessions show in pg_stat_activity (and what the fault tests look for).
APPLICATION_NAME = os.environ.get("JOBSWIPE_APPLICATION_NAME", "jobswipe")


DBT_APPLICATION_NAME = "jobswipe-dbt"
# Batch work yields the CPU to the app: JOBSWIPE_BATCH_NICE=<n> lowers the priority of the
# pipeline's own process and, when the server runs on this host and allows it, of its backends.
BATCH_NICE = int(os.environ.get("JOBSWIPE_BATCH_NICE", "0") or 0)


@contextmanager
def connect(target: DatabaseTarget, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """A psycopg connection; commits on success and rolls back on error (unless autocommit)."""
    with psycopg.connect(
        **target.libpq_kwargs,  # type: ignore[arg-type]
        autocommit=autocommit,
        application_name=APPLICATION_NAME,
    ) as conn:
        if BATCH_NICE:
            lower_backend_priority(conn, BATCH_NICE)
        yield conn


def lower_backend_priority(conn: psycopg.Connection, niceness: int) -> bool:
    """Renice this session's backend process (local server, permitted user); False otherwise.

    PostgreSQL has no per-session CPU priority; on a shared host the operating system's is the
    one lever, the same one the pipeline's own process pulls.
    """
    if conn.info.host not in ("localhost", "127.0.0.1", "::1") and not conn.info.host.startswith(
        "/"
    ):
        return False
    try:
        pid = conn.info.backend_pid
        os.setpriority(os.PRIO_PROCESS, pid, max(os.getpriority(os.PRIO_PROCESS, pid), niceness))
    except OSError:
        return False
    return True


@lru_cache(maxsize=8)
def engine_for(target: DatabaseTarget) -> Engine:
    return create_engine(target.sqlalchemy_url, pool_pre_ping=True, future=True)


@contextmanager
def reniced_sessions(target: DatabaseTarget, application_name: str) -> Iterator[None]:
    """While the block runs, sessions that another program (dbt) opens under
    ``application_name`` get the batch priority too (with JOBSWIPE_BATCH_NICE set)."""
    if not BATCH_NICE:
        yield
        return
    stop = threading.Event()

    def watch() -> None:
        try:
            with psycopg.connect(**target.libpq_kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
                while not stop.wait(0.25):
                    for (pid,) in conn.execute(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                        (application_name,),
                    ).fetchall():
                        try:
                            os.setpriority(os.PRIO_PROCESS, pid, BATCH_NICE)
                        except OSError:
                            return  # a remote or foreign server: nothing to renice
        except psycopg.Error:
            return

    watcher = threading.Thread(target=watch, name="renice-dbt", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join(timeout=5)


@contextmanager
def snapshot_readers(conn: psycopg.Connection, count: int) -> Iterator[list[psycopg.Connection]]:
    """``count`` more connections to ``conn``'s database that all see one snapshot of it (the
    one ``conn`` exports now), read-only: one large read split between them runs on as many
    server processes and still reads one consistent database, as pg_dump's parallel jobs do.

    ``conn`` must be inside a transaction (not autocommit), which it keeps open meanwhile."""
    if conn.autocommit:
        raise ValueError("an exported snapshot lives only as long as its transaction")
    row = conn.execute("SELECT pg_export_snapshot()").fetchone()
    assert row is not None  # noqa: S101 - the function returns one row
    # The conninfo libpq actually used, password included (conn.info.dsn leaves it out).
    options = {o.keyword.decode(): o.val.decode() for o in conn.pgconn.info if o.val}
    readers: list[psycopg.Connection] = []
    try:
        for _ in range(count):
            reader = psycopg.connect(**options)  # type: ignore[arg-type]
            readers.append(reader)
            reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            reader.read_only = True
            # The transaction's first statement, as it must be.
            reader.execute(
                psycopg.sql.SQL("SET TRANSACTION SNAPSHOT {}").format(psycopg.sql.Literal(row[0]))
            )
            if BATCH_NICE:
                lower_backend_priority(reader, BATCH_NICE)
        yield readers
    finally:
        for reader in readers:
            reader.rollback()
            reader.close()
