"""Batch work yields the CPU to the app: the pipeline's backends (and dbt's) are reniced."""

from __future__ import annotations

import os
import time

import psycopg
import pytest

from pipelines.db import connection
from pipelines.db.connection import DBT_APPLICATION_NAME, DatabaseTarget, lower_backend_priority


def test_the_pipeline_renices_its_own_backend(migrated_db: DatabaseTarget) -> None:
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        assert lower_backend_priority(conn, 7)
        assert os.getpriority(os.PRIO_PROCESS, conn.info.backend_pid) == 7


def test_dbt_sessions_are_reniced_while_dbt_runs(
    migrated_db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "BATCH_NICE", 6)
    with (
        connection.reniced_sessions(migrated_db, DBT_APPLICATION_NAME),
        psycopg.connect(**migrated_db.libpq_kwargs, application_name=DBT_APPLICATION_NAME) as dbt,  # type: ignore[arg-type]
    ):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if os.getpriority(os.PRIO_PROCESS, dbt.info.backend_pid) == 6:
                break
            time.sleep(0.05)
        assert os.getpriority(os.PRIO_PROCESS, dbt.info.backend_pid) == 6
