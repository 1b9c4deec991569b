"""Run Alembic migrations programmatically (the CLI, the Dagster asset and the tests use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from pipelines.db.connection import DatabaseTarget, engine_for

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(target: DatabaseTarget) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would treat % in an URL-encoded socket path as a reference.
    config.set_main_option("sqlalchemy.url", target.sqlalchemy_url.replace("%", "%%"))
    return config


def upgrade(target: DatabaseTarget, revision: str = "head") -> None:
    command.upgrade(alembic_config(target), revision)


def downgrade(target: DatabaseTarget, revision: str) -> None:
    command.downgrade(alembic_config(target), revision)


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def current_revision(target: DatabaseTarget) -> str | None:
    with engine_for(target).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
