"""The simulator writes through the real schema's constraints, idempotently, month by month."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import psycopg
import pytest

from pipelines.db.connection import DatabaseTarget
from pipelines.db.crypto import PiiCipher
from pipelines.db.gdpr import export_user
from pipelines.db.maintenance import stray_rows_in_default_partitions
from pipelines.db.models import SEED_TABLES
from pipelines.db.summary import summarize
from pipelines.simulate.writer import write_simulation

START = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def simulated(databases, migrated_template, cipher) -> DatabaseTarget:  # type: ignore[no-untyped-def]
    target = databases.clone(migrated_template, "sim")
    report = write_simulation(
        target, seed=7, scale_name="small", months=3, cipher=cipher, start=START
    )
    assert len(report.months_written) == 3
    return target


def row_counts(target: DatabaseTarget) -> dict[str, int]:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        return summarize(conn).row_counts


def test_every_seed_table_receives_rows(simulated: DatabaseTarget) -> None:
    counts = row_counts(simulated)
    empty = [t for t in SEED_TABLES if counts.get(t, 0) == 0]
    assert empty == []


def test_events_fill_their_monthly_partitions(simulated: DatabaseTarget) -> None:
    with psycopg.connect(**simulated.libpq_kwargs) as conn:  # type: ignore[arg-type]
        partitions = dict(
            conn.execute(
                "SELECT tableoid::regclass::text, count(*) FROM analytics_events GROUP BY 1"
            ).fetchall()
        )
        assert set(partitions) == {
            "analytics_events_y2025m03",
            "analytics_events_y2025m04",
            "analytics_events_y2025m05",
        }
        assert stray_rows_in_default_partitions(conn) == {"analytics_events": 0, "audit_logs": 0}


def test_rerunning_changes_nothing(simulated: DatabaseTarget, cipher: PiiCipher) -> None:
    before = row_counts(simulated)
    report = write_simulation(
        simulated, seed=7, scale_name="small", months=3, cipher=cipher, start=START
    )
    assert report.months_written == [] and len(report.months_skipped) == 3
    assert row_counts(simulated) == before


def test_extending_the_window_writes_only_the_new_month(
    databases, migrated_template, cipher: PiiCipher
) -> None:  # type: ignore[no-untyped-def]
    target = databases.clone(migrated_template, "simext")
    write_simulation(target, seed=9, scale_name="small", months=2, cipher=cipher, start=START)
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        first_two = conn.execute(
            "SELECT id, direction, created_at FROM user_job_swipes ORDER BY id"
        ).fetchall()
    report = write_simulation(
        target, seed=9, scale_name="small", months=3, cipher=cipher, start=START
    )
    assert report.months_written == [dt.date(2025, 5, 1)]
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        stored = conn.execute(
            "SELECT id, direction, created_at FROM user_job_swipes WHERE created_at < '2025-05-01' ORDER BY id"
        ).fetchall()
        assert stored == first_two
        assert conn.execute("SELECT count(*) FROM simulation_batches").fetchone() == (3,)


def test_profile_pii_is_encrypted_and_readable_with_the_key(
    simulated: DatabaseTarget, cipher: PiiCipher
) -> None:
    with psycopg.connect(**simulated.libpq_kwargs) as conn:  # type: ignore[arg-type]
        user_id, raw_phone = conn.execute(
            "SELECT user_id, phone FROM user_profiles LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        assert b"+1 555" not in bytes(raw_phone)
        document = export_user(conn, user_id, cipher)
    assert document is not None and document["profile"]["phone"].startswith("+1 555")


def test_state_changes_are_applied(simulated: DatabaseTarget) -> None:
    with psycopg.connect(**simulated.libpq_kwargs) as conn:  # type: ignore[arg-type]
        expired = conn.execute(
            "SELECT count(*) FROM job_postings WHERE status = 'EXPIRED' AND NOT is_active AND expires_at < '2025-06-01'"
        ).fetchone()[0]  # type: ignore[index]
        active_but_expired = conn.execute(
            "SELECT count(*) FROM job_postings WHERE is_active AND expires_at < '2025-06-01'"
        ).fetchone()[0]  # type: ignore[index]
        logged_in = conn.execute(
            "SELECT count(*) FROM users WHERE last_login_at > created_at"
        ).fetchone()[0]  # type: ignore[index]
    assert expired > 0 and active_but_expired == 0
    assert logged_in > 0


def test_app_activity_asset_materializes_with_metadata(databases, migrated_template) -> None:  # type: ignore[no-untyped-def]
    from assets.activity import app_activity
    from assets.schema import partition_maintenance, transactional_schema
    from pipelines.resources import PostgresResource

    target = databases.clone(migrated_template, "simasset")
    result = dg.materialize(
        [transactional_schema, partition_maintenance, app_activity],
        resources={"postgres": PostgresResource(database_url=target.sqlalchemy_url)},
        run_config={
            "ops": {
                "app_activity": {
                    "config": {"scale": "small", "months": 2, "seed": 5, "start_month": "2025-01"}
                }
            }
        },
    )
    assert result.success
    metadata = result.asset_materializations_for_node("app_activity")[0].metadata
    assert metadata["months_written"].value == 2
    assert metadata["rows_written"].value > 1000


def test_simulated_users_swipe_on_ingested_postings(databases, migrated_template, cipher) -> None:  # type: ignore[no-untyped-def]
    from pipelines.ingest.load import feed_files, ingest_file
    from tests.integration.test_ingestion import FEEDS

    target = databases.clone(migrated_template, "simcatalog")
    for path in feed_files(FEEDS):
        ingest_file(target, path)
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        ingested = conn.execute("SELECT count(*) FROM job_postings").fetchone()[0]  # type: ignore[index]
    report = write_simulation(
        target, seed=3, scale_name="small", months=2, cipher=cipher, start=dt.date(2026, 9, 1)
    )
    assert report.ingested_postings == ingested > 0
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        on_ingested = conn.execute(
            """SELECT count(*) FROM user_job_swipes s JOIN job_postings p ON p.id = s.job_posting_id
                WHERE p.external_id NOT LIKE 'sim:%%'"""
        ).fetchone()[0]  # type: ignore[index]
        ingested_companies = conn.execute(
            "SELECT count(*) FROM companies WHERE slug LIKE 'existing-%%'"
        ).fetchone()[0]  # type: ignore[index]
    assert on_ingested > 0
    assert ingested_companies == 0  # the catalogue's companies are not written again


def test_the_screening_world_writes_its_own_ledger(databases, migrated_template, cipher) -> None:  # type: ignore[no-untyped-def]
    """The second taste model is a world of its own (its own ledger key and ids); its swipes
    have a plausible right-swipe rate; an unknown model is refused by name."""
    from pipelines.simulate.world import SCALES, build_world

    target = databases.clone(migrated_template, "screening")
    report = write_simulation(
        target, seed=3, scale_name="small", months=1, cipher=cipher, start=dt.date(2025, 1, 1),
        taste_model="screening",
    )  # fmt: skip
    additive = build_world(3, SCALES["small"], dt.date(2025, 1, 1))
    assert report.months_written and report.world_key != additive.key
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        keys = conn.execute("SELECT DISTINCT world_key FROM simulation_batches").fetchall()
        rights = conn.execute(
            "SELECT avg((direction <> 'LEFT')::int) FROM user_job_swipes"
        ).fetchone()
    assert keys == [(report.world_key,)]
    assert rights is not None and 0.1 < float(rights[0]) < 0.6
    with pytest.raises(ValueError, match="taste model"):
        write_simulation(
            target, seed=3, scale_name="small", months=1, cipher=cipher, taste_model="psychic"
        )
