"""dbt marts built through Dagster on a small simulation: tests pass, months are idempotent,
totals reconcile with the transactional tables, and the seed's views agree with the marts."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from pipelines.db.connection import DatabaseTarget
from pipelines.ingest.load import feed_files, ingest_file
from pipelines.orchestration import build_marts, materialize_assets, months_with_activity
from pipelines.simulate.writer import write_simulation
from tests.integration.test_ingestion import FEEDS

MONTHLY_MARTS = {
    "fct_swipes": "swipe_month",
    "fct_applications": "application_month",
    "mart_engagement_daily": "month",
    "mart_application_metrics_daily": "month",
    "mart_engagement_monthly": "month",
    "mart_engagement_by_segment_monthly": "month",
    "mart_application_funnel_monthly": "month",
    "mart_job_performance_monthly": "month",
    "mart_signup_cohort_retention": "activity_month",
    "mart_automation_health_monthly": "month",
    "mart_subscriptions_monthly": "month",
}


def fetch(target: DatabaseTarget, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def month_fingerprint(target: DatabaseTarget, month: str) -> dict[str, str]:
    """A hash of every mart's rows for one month (ordered, as text)."""
    prints = {}
    for table, column in MONTHLY_MARTS.items():
        row = fetch(
            target,
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM marts.{table} t WHERE {column} = %s",
            month,
        )
        prints[table] = row[0][0]
    return prints


@pytest.fixture(scope="module")
def marts_db(databases, migrated_template, cipher) -> DatabaseTarget:  # type: ignore[no-untyped-def]
    target = databases.clone(migrated_template, "marts")
    for path in feed_files(FEEDS):
        ingest_file(target, path)
    # Three complete months ending last month, so the seed's 30-day views overlap the marts.
    this_month = dt.date.today().replace(day=1)
    start = (this_month - dt.timedelta(days=85)).replace(day=1)
    write_simulation(target, seed=11, scale_name="small", months=3, cipher=cipher, start=start)
    months = months_with_activity(target)
    assert months is not None
    result = build_marts(target, *months)
    assert result.success
    return target


def test_dbt_build_passes_and_every_check_is_green(marts_db: DatabaseTarget) -> None:
    result = build_marts(marts_db, *months_with_activity(marts_db))  # type: ignore[misc]
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) >= 15
    assert [e.check_name for e in evaluations if not e.passed] == []


def test_every_mart_has_rows(marts_db: DatabaseTarget) -> None:
    for table in MONTHLY_MARTS:
        assert fetch(marts_db, f"SELECT count(*) FROM marts.{table}")[0][0] > 0, table


def test_materializing_a_month_twice_gives_identical_rows(marts_db: DatabaseTarget) -> None:
    month = months_with_activity(marts_db)[1]  # type: ignore[index]
    before = month_fingerprint(marts_db, month)
    materialize_assets(marts_db, selection=_dbt_selection(), partition_key=month)
    assert month_fingerprint(marts_db, month) == before


# The marts cover users who consent to data processing (and rows with no user): about 5% of the
# simulated users do not, so every reconciliation is over the same population.
CONSENTING = "(user_id IS NULL OR user_id IN (SELECT id FROM users WHERE data_consent))"


def test_some_simulated_users_withheld_consent(marts_db: DatabaseTarget) -> None:
    withheld = fetch(marts_db, "SELECT count(*) FROM users WHERE NOT data_consent")[0][0]
    assert withheld > 0
    assert fetch(
        marts_db,
        "SELECT count(*) FROM marts.fct_swipes WHERE user_id IN (SELECT id FROM users WHERE NOT data_consent)",
    ) == [(0,)]


def test_marts_reconcile_with_the_transactional_tables(marts_db: DatabaseTarget) -> None:
    direct = fetch(
        marts_db,
        f"""SELECT date_trunc('month', created_at)::date, count(*) FILTER (WHERE direction <> 'LEFT'), count(*)
             FROM user_job_swipes WHERE {CONSENTING} GROUP BY 1 ORDER BY 1""",
    )
    funnel = fetch(
        marts_db,
        "SELECT month, right_swipes, swipes FROM marts.mart_application_funnel_monthly ORDER BY 1",
    )
    assert funnel == direct
    by_status = fetch(
        marts_db,
        f"SELECT status::text, count(*) FROM job_applications WHERE {CONSENTING} GROUP BY 1 ORDER BY 1",
    )
    assert (
        fetch(marts_db, "SELECT status, count(*) FROM marts.fct_applications GROUP BY 1 ORDER BY 1")
        == by_status
    )
    mrr = fetch(
        marts_db,
        f"SELECT round(sum(revenue), 2) FROM analytics_events WHERE event_type = 'payment' AND {CONSENTING}",
    )
    assert fetch(marts_db, "SELECT round(sum(mrr), 2) FROM marts.mart_subscriptions_monthly") == mrr


# The views cover the last 30 days from *now*: their first day is partial, so it is not compared.
FIRST_FULL_DAY = "(now() AT TIME ZONE 'UTC' - interval '30 days')"


def consenting_view(target: DatabaseTarget, view: str, table: str) -> str:
    """The seed view's own SQL over the consenting users' rows of ``table`` (a CTE of the same
    name shadows the table), as a subquery."""
    definition = fetch(target, "SELECT pg_get_viewdef(%s::regclass)", view)[0][0].rstrip("; \n")
    return f"(WITH {table} AS (SELECT * FROM public.{table} WHERE {CONSENTING}) {definition})"


def test_seed_views_and_marts_agree_on_overlapping_days(marts_db: DatabaseTarget) -> None:
    engagement_view = consenting_view(marts_db, "user_engagement_metrics", "user_job_swipes")
    engagement = fetch(
        marts_db,
        f"""SELECT v.date::date, v.daily_active_users, v.right_swipes, v.left_swipes, m.daily_active_users, m.right_swipes, m.left_swipes
             FROM {engagement_view} v JOIN marts.mart_engagement_daily m ON m.date = v.date::date
            WHERE v.date > {FIRST_FULL_DAY}""",
    )
    assert engagement, "no overlapping days between the view's last 30 days and the marts"
    assert all(row[1:4] == row[4:7] for row in engagement)
    applications = fetch(
        marts_db,
        f"""SELECT v.total_applications, v.successful_applications, v.automated_applications,
                  m.total_applications, m.successful_applications, m.automated_applications
             FROM {consenting_view(marts_db, "application_metrics", "job_applications")} v
             JOIN marts.mart_application_metrics_daily m ON m.date = v.date::date
            WHERE v.date > {FIRST_FULL_DAY}""",
    )
    assert applications and all(row[:3] == row[3:] for row in applications)


def test_late_data_is_picked_up_by_rerunning_only_its_month(marts_db: DatabaseTarget) -> None:
    first, last = months_with_activity(marts_db)  # type: ignore[misc]
    untouched = month_fingerprint(marts_db, last)
    late_day = dt.datetime.fromisoformat(first) + dt.timedelta(days=3)
    with psycopg.connect(**marts_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        user_id, posting_id = conn.execute(
            """SELECT u.id, p.id FROM users u CROSS JOIN job_postings p
                WHERE u.data_consent AND NOT EXISTS (SELECT 1 FROM user_job_swipes s WHERE s.user_id = u.id AND s.job_posting_id = p.id)
                LIMIT 1"""
        ).fetchone()  # type: ignore[misc]
        conn.execute(
            "INSERT INTO user_job_swipes (user_id, job_posting_id, direction, created_at) VALUES (%s, %s, 'RIGHT', %s)",
            (user_id, posting_id, late_day),
        )
    before = fetch(
        marts_db,
        "SELECT right_swipes FROM marts.mart_application_funnel_monthly WHERE month = %s",
        first,
    )[0][0]
    materialize_assets(marts_db, selection=_dbt_selection(), partition_key=first)
    after = fetch(
        marts_db,
        "SELECT right_swipes FROM marts.mart_application_funnel_monthly WHERE month = %s",
        first,
    )[0][0]
    assert after == before + 1
    assert month_fingerprint(marts_db, last) == untouched


def _dbt_selection():  # type: ignore[no-untyped-def]
    import dagster as dg

    return dg.AssetSelection.groups("marts", "staging")


def test_every_mart_and_staging_column_is_documented_and_typed(marts_db: DatabaseTarget) -> None:
    """What dbt docs shows: every column the built models really have carries a description and
    a data type; marts are public with enforced contracts, staging and intermediate protected."""
    import json

    from pipelines.dbt import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    models = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    built = fetch(
        marts_db,
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema IN ('marts', 'staging') ORDER BY 1, ordinal_position",
    )
    assert len(built) > 250
    undocumented = [
        f"{table}.{column}"
        for table, column in built
        if not (documented := models[table]["columns"].get(column))
        or not documented.get("description")
        or not documented.get("data_type")
    ]
    assert undocumented == []
    for name, node in models.items():
        layer = node["fqn"][1]
        if layer == "marts":
            assert node["access"] == "public" and node["contract"]["enforced"], name
            assert node["group"] == "analytics" and node["description"], name
            assert any(c["type"] == "primary_key" for c in node["constraints"]), name
        else:
            assert node["access"] == "protected", name
    # Lineage reaches the consumers: the app's feed and the KPI report.
    exposures = {e["name"]: e["depends_on"]["nodes"] for e in manifest["exposures"].values()}
    assert "source.jobswipe.jobswipe.recommendations" in exposures["jobswipe_app"]
    assert "model.jobswipe.mart_engagement_monthly" in exposures["kpi_report"]


def test_public_mart_contracts_change_only_by_new_versions() -> None:
    """A column of a recorded public model that disappears or changes type is a breaking change:
    it must come as a new model version (tools/contract_snapshot.py records additions)."""
    from tools.contract_snapshot import public_contracts, snapshot_path

    recorded = json.loads(snapshot_path().read_text(encoding="utf-8"))
    current = public_contracts()
    broken = {
        f"{model}.{column}: {kind}"
        for model, columns in recorded.items()
        for column, data_type in columns.items()
        for kind in (
            ["model removed"] if model not in current
            else ["column removed"] if column not in current[model]
            else [f"type {data_type} -> {current[model][column]}"] if current[model][column] != data_type
            else []
        )
    }  # fmt: skip
    assert broken == set()
    unrecorded = set(current) - set(recorded)
    assert unrecorded == set(), "new public models: run python -m tools.contract_snapshot"


def metricflow(target: DatabaseTarget, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`jobswipe mf ...` as a user runs it, against ``target``."""
    url = f"postgresql://{target.user}@{target.host}:{target.port}/{target.database}"
    return subprocess.run(
        [str(Path(sys.executable).with_name("jobswipe")), "mf", *arguments],
        env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=False,
        timeout=600,
    )  # fmt: skip


def test_the_semantic_layer_validates_and_agrees_with_the_marts(
    marts_db: DatabaseTarget, tmp_path: Path
) -> None:
    """`mf validate-configs` passes against the built marts, and eight metrics, answered by
    `mf query`, equal the marts' own columns month by month."""
    import csv

    validated = metricflow(marts_db, "validate-configs")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "ERRORS: 0" in validated.stdout
    answers = tmp_path / "metrics.csv"
    metrics = (
        "mau,stickiness,right_swipe_rate,swipe_to_application_rate,application_to_interview_rate,"
        "mrr,paying_subscribers,automation_success_rate"
    )
    queried = metricflow(
        marts_db,
        "query",
        "--metrics",
        metrics,
        "--group-by",
        "metric_time__month",
        "--csv",
        str(answers),
    )
    assert queried.returncode == 0, queried.stdout + queried.stderr
    rows = {
        row["metric_time__month"][:10]: row
        for row in csv.DictReader(answers.open(encoding="utf-8"))
    }
    marts = fetch(
        marts_db,
        """SELECT e.month::text, e.mau, e.stickiness_dau_over_mau, e.right_swipe_rate,
                  f.right_to_queued_rate, f.applied_to_interview_rate,
                  (SELECT sum(mrr) FROM marts.mart_subscriptions_monthly s WHERE s.month = e.month),
                  (SELECT sum(paying_subscribers) FROM marts.mart_subscriptions_monthly s WHERE s.month = e.month),
                  (SELECT sum(successes)::numeric / nullif(sum(attempts), 0)
                     FROM marts.mart_automation_health_monthly a WHERE a.month = e.month)
             FROM marts.mart_engagement_monthly e
             JOIN marts.mart_application_funnel_monthly f ON f.month = e.month
            ORDER BY 1""",
    )
    assert len(marts) >= 3
    compared = 0
    for (
        month,
        mau,
        stickiness,
        right_rate,
        to_application,
        to_interview,
        mrr,
        paying,
        automation,
    ) in marts:
        answer = rows[month]

        def value(name: str, answer: dict[str, str] = answer) -> float:
            return float(answer[name] or "nan")

        assert value("mau") == mau
        # The mart rounds average DAU to 2 decimals before the metric divides it.
        assert value("stickiness") == pytest.approx(float(stickiness), abs=2e-3)
        assert value("right_swipe_rate") == pytest.approx(float(right_rate), abs=1e-9)
        assert value("swipe_to_application_rate") == pytest.approx(float(to_application), abs=1e-4)
        assert value("application_to_interview_rate") == pytest.approx(
            float(to_interview), abs=1e-4
        )
        assert value("mrr") == pytest.approx(float(mrr or 0), abs=1e-6)
        assert value("paying_subscribers") == float(paying or 0)
        if automation is not None:
            assert value("automation_success_rate") == pytest.approx(float(automation), abs=1e-9)
        compared += 1
    assert compared == len(marts)


def test_the_kpi_report_renders_in_a_real_browser(marts_db: DatabaseTarget, tmp_path: Path) -> None:
    """`jobswipe report` as a user runs it writes one offline page with every section drawn and
    no personal data; headless Chromium renders it to a picture with the charts on it."""
    import re

    import matplotlib.image

    from pipelines.scoring.service import score_and_recommend, train_and_register
    from tools.screenshots import KPI_WINDOW, chromium, screenshot

    # The model's monitoring needs scored swipes: train, score, rebuild the marts.
    months = months_with_activity(marts_db)
    assert months is not None
    train_and_register(marts_db, validation_month=dt.date.fromisoformat(months[1]))
    score_and_recommend(marts_db)
    assert build_marts(marts_db, *months).success
    url = f"postgresql://{marts_db.user}@{marts_db.host}:{marts_db.port}/{marts_db.database}"
    page = tmp_path / "kpi.html"
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("jobswipe")), "report", "--out", str(page)],
        env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "no data yet" not in completed.stdout
    text = page.read_text(encoding="utf-8")
    for section in (
        "engagement",
        "funnel",
        "cohorts",
        "subscriptions",
        "automation",
        "model_monitoring",
    ):
        assert f'<section id="{section}"><h2>' in text and 'class="empty"' not in text
    assert text.count('src="data:image/png;base64,') == 6
    # Offline and free of personal data: no script, no remote resource, no id or e-mail.
    assert "<script" not in text and "http://" not in text and "https://" not in text
    emails = fetch(marts_db, "SELECT count(*) FROM users WHERE position(email IN %s) > 0", text)
    assert emails == [(0,)]
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)

    picture = tmp_path / "kpi.png"
    screenshot(chromium(), page.as_uri(), picture, KPI_WINDOW)
    pixels = matplotlib.image.imread(picture)
    width, height = (int(x) for x in KPI_WINDOW.split(","))
    assert pixels.shape[:2] == (height, width)
    # Charts, not a blank or an error page: many distinct colours across the page's upper half.
    upper = (pixels[: height // 2, :, :3] * 255).astype(int)
    colours = {tuple(p) for p in upper.reshape(-1, 3)[::7]}
    assert len(colours) > 500


def test_the_docs_site_shows_every_column_with_its_type(marts_db: DatabaseTarget) -> None:
    """`jobswipe dbt-docs` against built marts: the catalog types every column of every mart and
    staging model, and headless Chromium renders a mart's page with its columns' types."""
    import re

    from tools.screenshots import chromium

    url = f"postgresql://{marts_db.user}@{marts_db.host}:{marts_db.port}/{marts_db.database}"
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("jobswipe")), "dbt-docs"],
        env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=False,
        timeout=600,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    target = Path(__file__).resolve().parents[2] / "dbt_project" / "target"
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    untyped = [
        f"{node['name']}.{column}"
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["fqn"][1] in ("marts", "staging", "intermediate")
        for column in node["columns"]
        if not catalog["nodes"].get(unique_id, {}).get("columns", {}).get(column, {}).get("type")
    ]
    assert untyped == []
    page = (
        target / "static_index.html"
    ).as_uri() + "#!/model/model.jobswipe.mart_engagement_monthly"
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=15000",
             "--dump-dom", page],
            capture_output=True, text=True, check=True, timeout=180,
        ).stdout  # fmt: skip
    # The rendered columns table (not the manifest the page embeds): name, type, description.
    rendered = re.sub(r"\s+", " ", dom)
    row = re.search(
        r'ng-binding">stickiness_dau_over_mau</span>.*?ng-binding">(\w+)<p></p>.*?ng-binding">([^<]+)</span>',
        rendered,
    )
    assert row is not None, "the model page did not render its columns"
    assert row.groups() == ("numeric", "avg_dau / mau, 0-1.")
