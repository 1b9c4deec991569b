"""The migrated schema holds everything the seed specifies, and the ORM models agree with it."""

from __future__ import annotations

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from pipelines.db.connection import DatabaseTarget
from pipelines.db.enums import PG_ENUMS, PLATFORM_ENUMS
from pipelines.db.migrate import current_revision, downgrade, head_revision, upgrade
from pipelines.db.models import Base
from tests.seed_spec import SEED_PATH, load_seed_spec

pytestmark = pytest.mark.skipif(
    not SEED_PATH.exists(), reason=f"seed document not found at {SEED_PATH}"
)


@pytest.fixture(scope="module")
def seed():  # type: ignore[no-untyped-def]
    return load_seed_spec()


def public_objects(target: DatabaseTarget) -> dict[str, int]:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        rows = conn.execute(
            """
            SELECT 'relations', count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relname NOT LIKE 'alembic\\_version%%'
            UNION ALL
            SELECT 'types', count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'public' AND t.typtype IN ('e', 'b', 'c', 'd')
               AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)
               AND t.typname <> '_alembic_version'
            UNION ALL
            SELECT 'functions', count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public'
            """
        ).fetchall()
    return {kind: int(count) for kind, count in rows}


def test_migrations_go_up_down_and_up_again(databases) -> None:  # type: ignore[no-untyped-def]
    target = databases.empty("updown")
    upgrade(target)
    assert current_revision(target) == head_revision()
    assert public_objects(target)["relations"] > 19

    downgrade(target, "base")
    assert current_revision(target) is None
    assert public_objects(target) == {"relations": 0, "types": 0, "functions": 0}

    upgrade(target)
    assert current_revision(target) == head_revision()


def test_every_seed_table_and_column_exists(seed, migrated_db: DatabaseTarget) -> None:  # type: ignore[no-untyped-def]
    assert len(seed.tables) == 19
    inspector = inspect(create_engine(migrated_db.sqlalchemy_url))
    for table, columns in seed.tables.items():
        actual = {c["name"] for c in inspector.get_columns(table)}
        missing = set(columns) - actual
        assert not missing, f"{table} lacks seed columns {sorted(missing)}"


def test_every_seed_index_exists_on_its_table(seed, conn: psycopg.Connection) -> None:  # type: ignore[no-untyped-def]
    assert len(seed.indexes) == 15
    rows = dict(
        conn.execute(
            "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'"
        ).fetchall()
    )
    for index, table in seed.indexes.items():
        assert rows.get(index) == table, f"index {index} on {table} is missing"


def test_enum_labels_match_seed_and_python(seed, conn: psycopg.Connection) -> None:  # type: ignore[no-untyped-def]
    labels: dict[str, list[str]] = {}
    for type_name, label in conn.execute(
        "SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid ORDER BY t.typname, e.enumsortorder"
    ):
        labels.setdefault(type_name, []).append(label)
    # The seed spells out two enums in full; they must match exactly.
    for type_name, seed_labels in seed.enums.items():
        assert labels[type_name] == seed_labels
    # Every enum type a seed column uses exists.
    used = {t for (_, _), t in seed.column_types.items() if t[0].islower()}
    assert used <= set(labels), f"enum types missing: {sorted(used - set(labels))}"
    # The Python enums are the same label sets, in the same order.
    assert set(PG_ENUMS) | set(PLATFORM_ENUMS) == set(labels)
    for type_name, enum_cls in (PG_ENUMS | PLATFORM_ENUMS).items():
        assert [m.value for m in enum_cls] == labels[type_name], type_name


def test_seed_column_types_are_kept(seed, conn: psycopg.Connection) -> None:  # type: ignore[no-untyped-def]
    actual = {
        (table, column): udt
        for table, column, udt in conn.execute(
            "SELECT table_name, column_name, udt_name FROM information_schema.columns WHERE table_schema = 'public'"
        )
    }
    for (table, column), seed_type in seed.column_types.items():
        if seed_type[0].islower():
            assert actual[(table, column)] == seed_type, f"{table}.{column} should be {seed_type}"


def test_pii_columns_are_bytea(conn: psycopg.Connection) -> None:
    types = dict(
        conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'user_profiles'"
        ).fetchall()
    )
    for column in ("first_name", "last_name", "phone", "date_of_birth"):
        assert types[column] == "bytea"


def test_orm_models_match_migrated_schema(migrated_db: DatabaseTarget) -> None:
    engine = create_engine(migrated_db.sqlalchemy_url)

    def include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        # Partitions are created at run time and are not modelled; the version table is Alembic's.
        if type_ == "table":
            return name in Base.metadata.tables
        # Alembic cannot compare expression indexes (the GIN full-text ones); the seed-index test
        # checks those by name and table.
        return not (type_ == "index" and name.endswith("_fulltext"))

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include, "compare_type": True}
        )
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []


def test_seed_views_exist_and_run(conn: psycopg.Connection) -> None:
    for view in ("application_metrics", "user_engagement_metrics"):
        conn.execute(f"SELECT * FROM {view}").fetchall()


def test_updates_bump_lock_version_and_updated_at(conn: psycopg.Connection) -> None:
    conn.execute("INSERT INTO users (email, updated_at) VALUES ('a@example.com', '2020-01-01')")
    conn.execute("UPDATE users SET login_attempts = 1 WHERE email = 'a@example.com'")
    version, updated = conn.execute("SELECT lock_version, updated_at FROM users").fetchone()  # type: ignore[misc]
    assert version == 2
    assert updated.year > 2020
