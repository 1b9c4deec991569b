"""GDPR across everything the platform writes: consent withdrawn leaves the next training run,
the recommendations and every mart; an erased user's email, name and phone are found nowhere:
no table, staging view, mart, recommendation, reject, run record or artifact."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import psycopg
from psycopg import sql

from pipelines.db.connection import DatabaseTarget
from pipelines.db.gdpr import anonymize_user, export_user
from pipelines.orchestration import build_marts, months_with_activity
from pipelines.scoring.dataset import load_snapshot
from pipelines.scoring.service import score_and_recommend, train_and_register
from pipelines.settings import get_settings
from tests.hostile.leaks import file_haystacks


def _active_user_with_recommendations(conn: psycopg.Connection, skip: int = 0) -> uuid.UUID:
    row = conn.execute(
        "SELECT r.user_id FROM recommendations r JOIN users u ON u.id = r.user_id "
        "JOIN user_profiles p ON p.user_id = u.id "
        "WHERE u.data_consent AND p.phone IS NOT NULL GROUP BY r.user_id "
        "ORDER BY count(*) DESC, r.user_id OFFSET %s LIMIT 1",
        (skip,),
    ).fetchone()
    assert row is not None
    return row[0]


def _every_text(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """Each table and view of public, staging and marts as text, row by row (bytea stays hex)."""
    relations = conn.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN ('public', 'staging', 'marts') ORDER BY 1, 2"
    ).fetchall()
    texts = []
    for schema, name in relations:
        row = conn.execute(
            sql.SQL("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {}.{} t").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
        ).fetchone()
        texts.append((f"{schema}.{name}", row[0] if row else ""))
    return texts


def test_consent_withdrawn_and_erasure_reach_everything_the_platform_writes(
    databases, scored_template: DatabaseTarget, cipher
) -> None:  # type: ignore[no-untyped-def]
    target = databases.clone(scored_template, "gdpr_e2e")
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        withdrawn = _active_user_with_recommendations(conn)
        erased = _active_user_with_recommendations(conn, skip=1)
        document = export_user(conn, erased, cipher)
        assert document is not None
        profile = document["profile"]
        patterns = personal_data_patterns(
            document["user"]["email"],
            f"{profile['first_name']} {profile['last_name']}",
            profile["phone"],
        )
        # The search finds the user where the platform keeps them in the clear, before erasure.
        assert found_in(_every_text(conn), patterns) == {"public.users": ["email"]}
        swipes_before = conn.execute(
            "SELECT count(*) FROM user_job_swipes WHERE user_id = %s", (withdrawn,)
        ).fetchone()
        assert swipes_before and swipes_before[0] > 0
        conn.execute("UPDATE users SET data_consent = false WHERE id = %s", (withdrawn,))
        anonymize_user(conn, erased)

    # The next training run and scoring leave both out.
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        snapshot = load_snapshot(conn)
    users_in_training = set(snapshot.swipes.get_column("user_id").to_list())
    assert str(withdrawn) not in users_in_training and str(erased) not in users_in_training
    report = train_and_register(target, validation_month=dt.date(2025, 6, 1))
    assert report.result.train_rows > 0
    score_and_recommend(target)
    first, last = months_with_activity(target)  # type: ignore[misc]
    build_marts(target, first, last)

    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        for user in (withdrawn, erased):
            assert conn.execute(
                "SELECT count(*) FROM recommendations WHERE user_id = %s", (user,)
            ).fetchone() == (0,)
            for relation in (
                "marts.fct_swipes",
                "marts.fct_applications",
                "staging.stg_jobswipe__users",
            ):
                assert conn.execute(
                    sql.SQL("SELECT count(*) FROM {} WHERE user_id = %s").format(sql.SQL(relation)),
                    (user,),
                ).fetchone() == (0,), relation
        # Aggregates stay consistent: the monthly funnel counts exactly the facts' swipes.
        funnel = conn.execute(
            "SELECT sum(swipes) FROM marts.mart_application_funnel_monthly"
        ).fetchone()
        facts = conn.execute("SELECT count(*) FROM marts.fct_swipes").fetchone()
        assert funnel is not None and facts is not None and int(funnel[0]) == facts[0]
        texts = _every_text(conn)
        # The withdrawn user's facts stay in the transactional tables (the app still serves them).
        assert (
            conn.execute(
                "SELECT count(*) FROM user_job_swipes WHERE user_id = %s", (withdrawn,)
            ).fetchone()
            == swipes_before
        )

    artifacts = list(file_haystacks(get_settings().state_dir))
    searched = texts + artifacts
    assert len(texts) > 40 and sum(len(t) for _, t in searched) > 1_000_000
    assert found_in(searched, patterns) == {}


def personal_data_patterns(email: str, name: str, phone: str) -> dict[str, re.Pattern[str]]:
    """One user's email, full name and phone, as written anywhere: any case, the phone with any
    separators between its digits."""
    digits = re.sub(r"\D", "", phone)
    return {
        "email": re.compile(re.escape(email), re.IGNORECASE),
        "name": re.compile(r"\s+".join(map(re.escape, name.split())), re.IGNORECASE),
        "phone": re.compile(r"[\s().-]*".join(digits)),
    }


def found_in(
    haystacks: list[tuple[str, str]], patterns: dict[str, re.Pattern[str]]
) -> dict[str, list[str]]:
    found = {
        where: [what for what, pattern in patterns.items() if pattern.search(text)]
        for where, text in haystacks
    }
    return {where: whats for where, whats in found.items() if whats}
