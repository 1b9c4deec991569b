"""The `jobswipe` command: run the platform end to end, or one duty at a time."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from pipelines.db import gdpr, maintenance
from pipelines.db import migrate as migrations
from pipelines.db.admin import ensure_database
from pipelines.db.connection import BATCH_NICE, DatabaseTarget, connect, resolve_target
from pipelines.db.crypto import PiiCipher
from pipelines.db.pii import rotate_keys
from pipelines.db.queries import scalar
from pipelines.db.retry import with_retries
from pipelines.db.summary import summarize
from pipelines.months import parse_month
from pipelines.settings import PROJECT_ROOT, get_settings
from pipelines.sql_files import read_sql

if TYPE_CHECKING:
    from pipelines.simulate.writer import SimulationReport

app = typer.Typer(help="JobSwipe data platform.", no_args_is_help=True, add_completion=False)
gdpr_app = typer.Typer(help="GDPR duties for one user.", no_args_is_help=True)
app.add_typer(gdpr_app, name="gdpr")
console = Console()


def _alembic(action: Callable[[], None], revision: str) -> None:
    """Alembic's refusal of an unknown revision as a usage error, not a traceback."""
    from alembic.util.exc import CommandError

    try:
        action()
    except CommandError as exc:
        raise typer.BadParameter(f"{revision!r}: {exc}", param_hint="REVISION") from exc


def _month_option(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM option, refused with a usage error (never a traceback) when it is not one."""
    if value is None:
        return None
    try:
        return parse_month(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from exc


def _target(quiet: bool = False) -> DatabaseTarget:
    settings = get_settings()
    target = resolve_target(settings)
    where = (
        "DATABASE_URL"
        if settings.database_url
        else f"embedded server in {settings.embedded_data_dir}"
    )
    if not quiet:
        console.print(f"[dim]database: {target.describe()} ({where})[/dim]")
    if settings.database_url:
        ensure_database(target)
    return target


@app.command()
def demo() -> None:
    """Run the whole platform end to end on the embedded server (or DATABASE_URL)."""
    from pipelines.orchestration import run_platform

    started = time.perf_counter()
    target = _target()
    console.rule("[bold]JobSwipe platform: end-to-end run")
    landed = land_sample_feeds(get_settings().resolved_landing_dir)
    console.print(
        f"placed {len(landed)} sample feeds in the landing directory {get_settings().resolved_landing_dir}"
    )
    run = run_platform(target)
    console.print(
        f"materialized {len(set(run.materialized))} assets ({len(run.materialized)} asset partitions)",
        soft_wrap=True,
    )
    if run.months:
        console.print(
            f"marts built for months {run.months[0]} to {run.months[1]} (one dbt run)",
            soft_wrap=True,
        )
    console.print(
        f"asset checks: {run.checks_passed} passed, {len(run.checks_failed)} failed {run.checks_failed or ''}",
        soft_wrap=True,
    )
    print_summary(target)
    print_models(target, limit=1)
    funnel_png = render_funnel(target)
    if funnel_png:
        console.print(f"funnel plot: {funnel_png}", soft_wrap=True)
    console.print(f"KPI report: {get_settings().reports_dir / 'kpi.html'}", soft_wrap=True)
    console.print(f"[bold green]done in {time.perf_counter() - started:.1f}s[/bold green]")


@app.command()
def simulate(
    scale: Annotated[str, typer.Option(help="small | medium | large")] = "small",
    months: Annotated[int | None, typer.Option(help="complete months ending last month")] = None,
    seed: int = 42,
    start: Annotated[
        str | None, typer.Option(help="first month, YYYY-MM (default: N months before this one)")
    ] = None,
    taste_model: Annotated[
        str, typer.Option(help="how users decide: additive | screening (docs/match-model.md)")
    ] = "additive",
) -> None:
    """Write realistic app activity (users, swipes, applications, events...) month by month."""
    from pipelines.simulate.preferences import TASTE_MODELS
    from pipelines.simulate.writer import SCALES

    if scale not in SCALES:
        raise typer.BadParameter(f"scale must be one of {', '.join(SCALES)}")
    if taste_model not in TASTE_MODELS:
        raise typer.BadParameter(
            f"must be one of {', '.join(TASTE_MODELS)}", param_hint="--taste-model"
        )
    first = _month_option(start, "--start")
    horizon = SCALES[scale].horizon_months
    if months is not None and not 1 <= months <= horizon:
        raise typer.BadParameter(
            f"must be between 1 and {horizon} for scale {scale}", param_hint="--months"
        )
    target = _target()
    migrations.upgrade(target)
    report = with_retries(
        lambda: run_simulation(
            target, scale, months or SCALES[scale].default_months, seed, first, taste_model
        ),
        what="simulate",
    )
    console.print(
        f"world {report.world_key}: wrote {report.rows_written:,} rows in {len(report.months_written)} months "
        f"({report.rows_per_second:,.0f} rows/s), skipped {len(report.months_skipped)} months already stored"
    )


def run_simulation(
    target: DatabaseTarget,
    scale: str,
    months: int,
    seed: int,
    start: dt.date | None = None,
    taste_model: str = "additive",
) -> SimulationReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipelines.simulate.writer import write_simulation

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(f"simulating {scale}", total=months)

        def on_progress(index: int, total: int, month: dt.date, phase: str) -> None:
            progress.update(
                task,
                completed=index + (phase == "writing") * 0.5,
                description=f"{scale} {month:%Y-%m} {phase}",
            )

        report = write_simulation(
            target,
            seed,
            scale,
            months,
            PiiCipher.from_settings(get_settings()),
            start=start,
            on_progress=on_progress,
            taste_model=taste_model,
        )
        progress.update(task, completed=months, description=f"simulated {scale}")
    return report


model_app = typer.Typer(
    help="The match-score model: train, list, roll back, score.", no_args_is_help=True
)
app.add_typer(model_app, name="model")


@model_app.command("train")
def model_train(
    validation_month: Annotated[
        str | None, typer.Option(help="YYYY-MM; default: latest month with swipes")
    ] = None,
) -> None:
    """Train on earlier months, validate on one month, register, promote if it beats the champion."""
    from pipelines.scoring.service import train_and_register

    month = _month_option(validation_month, "--validation-month")
    target = _target()
    try:
        report = with_retries(
            lambda: train_and_register(
                target, validation_month=month, plots_dir=get_settings().artifacts_dir
            ),
            what="model train",
        )
    except ValueError as exc:  # not enough swipes, an empty validation month...
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(code=1) from exc
    console.print(f"model v{report.version}: {report.decision.reason}", soft_wrap=True)
    for name, path in report.plots.items():
        console.print(f"  {name}: {path}", soft_wrap=True)
    print_models(target, limit=1)


@model_app.command("list")
def model_list(limit: Annotated[int, typer.Option(min=1, max=1000)] = 10) -> None:
    """Registered models, newest first, with their validation metrics."""
    print_models(_target(), limit=limit)


@model_app.command("rollback")
def model_rollback(
    to: Annotated[
        int | None,
        typer.Option(min=1, max=2**31 - 1, help="version to serve; default: the previous champion"),
    ] = None,
) -> None:
    """Serve an earlier model again."""
    from pipelines.scoring.service import rollback

    try:
        version = rollback(_target(), to)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--to") from exc
    console.print(f"model v{version} is the champion again; run `jobswipe model score` to rescore")


@model_app.command("score")
def model_score(
    top_n: Annotated[int, typer.Option(min=1, max=500)] = 20,
    full: Annotated[
        bool, typer.Option("--full", help="Rescore every swipe, not only those without a score.")
    ] = False,
) -> None:
    """Write the champion's scores, posting quality and recommendations."""
    from pipelines.scoring.service import score_and_recommend

    target = _target()
    try:
        report = with_retries(
            lambda: score_and_recommend(target, top_n=top_n, full=True if full else None),
            what="model score",
        )
    except ValueError as exc:  # no champion yet, nothing to score
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(code=1) from exc
    console.print(report)


def print_models(target: DatabaseTarget, limit: int) -> None:
    with connect(target) as conn:
        if scalar(conn, "SELECT to_regclass('model_registry')") is None:
            return
        rows = conn.execute(
            read_sql("pipelines.scoring.sql", "registry_list"), {"limit": limit}
        ).fetchall()
    for version, status, month, metrics, decision in rows:
        table = Table(title=f"model v{version} ({status}), validated on {month:%Y-%m}")
        for column in ("", "ROC AUC", "PR AUC", "log loss", "calibration error", "NDCG@10"):
            table.add_column(column, justify="right")
        for name in ("model", "popularity", "content_similarity"):
            m = metrics[name]
            table.add_row(
                name,
                *(
                    f"{m[k]:.4f}"
                    for k in ("roc_auc", "pr_auc", "log_loss", "calibration_error", "ndcg_at_10")
                ),
            )
        console.print(table)
        console.print(f"gate: {decision}", soft_wrap=True)


@app.command()
def migrate(revision: str = "head") -> None:
    """Upgrade the schema (to head by default)."""
    target = _target()
    _alembic(lambda: migrations.upgrade(target, revision), revision)
    console.print(f"schema at revision {migrations.current_revision(target)}")


@app.command()
def downgrade(revision: Annotated[str, typer.Argument(help="target revision, e.g. base")]) -> None:
    """Downgrade the schema; `downgrade base` leaves an empty schema."""
    target = _target()
    _alembic(lambda: migrations.downgrade(target, revision), revision)
    console.print(f"schema at revision {migrations.current_revision(target)}")


@app.command()
def partitions(months_ahead: Annotated[int, typer.Option(min=0, max=120)] = 3) -> None:
    """Create analytics/audit partitions from the oldest stray row to N months ahead."""
    with connect(_target()) as conn:
        start, end = maintenance.window_for(conn, dt.date.today(), months_ahead)
        created = maintenance.ensure_partitions(conn, start, end)
    console.print(
        f"{len(created)} partitions created for [{start}, {end}): {', '.join(created) or '-'}"
    )


@app.command()
def retention(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="report what would be removed; change nothing")
    ] = False,
) -> None:
    """Remove what is past retention: expired partitions dropped whole, then expired rows."""
    target = _target()

    def run() -> gdpr.RetentionReport:
        with connect(target) as conn:
            return gdpr.run_retention(conn, dry_run=dry_run)

    report = with_retries(run, what="retention")
    verb = "would remove" if dry_run else "removed"
    console.print(
        f"{verb}: {report.deleted}; partitions {verb.split()[-1]} whole: "
        f"{', '.join(report.partitions_dropped) or 'none'}",
        soft_wrap=True,
    )


@app.command("rotate-keys")
def rotate_keys_command() -> None:
    """Re-encrypt PII under the active key (the first in JOBSWIPE_PII_KEYS)."""
    cipher = PiiCipher.from_settings(get_settings())
    with connect(_target()) as conn:
        count = rotate_keys(conn, cipher)
    console.print(f"re-encrypted {count} rows under key {cipher.active_key_id}")


@gdpr_app.command("export")
def gdpr_export(user_id: uuid.UUID, out: Path | None = None) -> None:
    """Everything stored about one user, as one JSON document."""
    cipher = PiiCipher.from_settings(get_settings())
    # Without --out the document is stdout, so nothing else may be printed there.
    with connect(_target(quiet=out is None)) as conn:
        document = gdpr.export_user(conn, user_id, cipher)
    if document is None:
        raise typer.BadParameter(f"no user {user_id}")
    text = json.dumps(document, indent=2, default=str)
    if out:
        out.write_text(text)
        console.print(f"wrote {out}")
    else:
        print(text)


@gdpr_app.command("anonymize")
def gdpr_anonymize(
    user_id: uuid.UUID,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="report what would be erased; change nothing")
    ] = False,
) -> None:
    """Erase one user's personal data, keeping anonymous facts for aggregates."""
    try:
        with connect(_target()) as conn:
            counts = gdpr.anonymize_user(conn, user_id, dry_run=dry_run)
    except LookupError as exc:
        raise typer.BadParameter(str(exc)) from exc
    verb = "would erase" if dry_run else "erased"
    console.print(f"{verb} {user_id}: rows per table {counts}", soft_wrap=True)


@app.command()
def summary() -> None:
    """Row counts, partitions and revision of the database."""
    print_summary(_target())


@app.command("dbt-docs")
def dbt_docs(
    serve: Annotated[
        bool, typer.Option(help="also serve the site on http://127.0.0.1:8080")
    ] = False,
) -> None:
    """Generate the dbt docs site (models, columns, tests, lineage) for the marts."""
    from pipelines.dbt import dbt_project, run_dbt, use_database

    use_database(_target())
    run_dbt("docs generate", "--static")
    site = Path(dbt_project().project_dir) / "target" / "static_index.html"
    console.print(f"dbt docs: open {site} in a browser (one self-contained file)", soft_wrap=True)
    if serve:
        run_dbt("docs serve", "--port", "8080", "--host", "127.0.0.1")


@app.command(
    "mf",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def metricflow(ctx: typer.Context) -> None:
    """MetricFlow on the semantic layer (dbt_project/models/semantic), against the configured
    database: `jobswipe mf query --metrics mau,stickiness --group-by metric_time__month`,
    `jobswipe mf list metrics`, `jobswipe mf validate-configs`."""
    from pipelines.dbt import dbt_project, ensure_manifest, use_database

    use_database(_target(quiet=True))
    # MetricFlow reads target/semantic_manifest.json, whose relations name the database the last
    # parse was pointed at: parse for this one.
    ensure_manifest(force=True)
    project = Path(dbt_project().project_dir)
    os.environ["DBT_PROFILES_DIR"] = str(project)
    os.chdir(project)
    # The virtualenv's own mf, beside this interpreter: PATH need not include the venv.
    executable = str(Path(sys.executable).with_name("mf"))
    os.execv(executable, [executable, *ctx.args])  # noqa: S606 - the project's own MetricFlow


@app.command()
def dagster(
    port: Annotated[int, typer.Option(min=1, max=65535)] = 3000,
    host: str = "127.0.0.1",
) -> None:
    """Run the Dagster webserver and daemon (schedules and sensors tick) on this project."""
    from pipelines.instance import dagster_home

    home = dagster_home()
    console.print(f"DAGSTER_HOME={home} (runs, schedules and sensor state)", soft_wrap=True)
    # The virtualenv's own dagster, beside this interpreter: PATH need not include the venv.
    executable = Path(sys.executable).with_name("dagster")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("JOBSWIPE_DAGSTER_URL", f"http://{host}:{port}")
    arguments = ["dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), "-p", str(port), "-h", host]
    os.execv(executable, [str(executable), *arguments])  # noqa: S606 - our own executable


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False,
) -> None:
    """Health at a glance: assets and partitions, checks, freshness, rows, model, rejects, failed
    runs. Exits 1 when anything is failed or stale (for cron and monitors)."""
    from pipelines.health import collect_health, render_health

    report = collect_health(_target(quiet=as_json))
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, default=str))
    else:
        render_health(report, console)
    if not report.healthy:
        raise typer.Exit(code=1)


SAMPLE_FEEDS = PROJECT_ROOT / "tests" / "fixtures" / "feeds"


def land_sample_feeds(landing: Path) -> list[Path]:
    """Copy the shipped sample feeds (one per supported format) into the landing directory."""
    landing.mkdir(parents=True, exist_ok=True)
    copied = []
    for sample in sorted(SAMPLE_FEEDS.iterdir()):
        if sample.is_file():
            destination = landing / sample.name
            if not destination.exists():
                shutil.copy2(sample, destination)
            copied.append(destination)
    return copied


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="files, directories or file:// URLs")],
    mapping_file: Annotated[
        Path | None, typer.Option(help="column mapping for generic files")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="load files even if their bytes were loaded before")
    ] = False,
) -> None:
    """Ingest job-posting feed files now (the Dagster sensor does this for the landing dir)."""
    from pipelines.ingest.load import IngestError, feed_files, ingest_file

    target = _target()
    migrations.upgrade(target)
    table = Table(title="ingested")
    for column in (
        "file",
        "format",
        "status",
        "loaded",
        "rejected",
        "new",
        "updated",
        "linked",
        "seconds",
    ):
        table.add_column(column)
    failed = False
    for location in paths:
        try:
            located = feed_files(location)
        except IngestError as exc:
            console.print(f"[red]{exc}[/red]", soft_wrap=True)
            failed = True
            continue
        for path in located:
            try:
                r = with_retries(
                    partial(ingest_file, target, path, mapping_file=mapping_file, force=force),
                    what=f"ingest {path.name}",
                )
            except IngestError as exc:
                console.print(f"[red]{exc}[/red]", soft_wrap=True)
                failed = True
                continue
            except psycopg.OperationalError as exc:
                console.print(f"[red]{path.name}: {_first_line(exc)}[/red]", soft_wrap=True)
                failed = True
                continue
            if r.rows_rejected:
                console.print(
                    f"[yellow]{r.file_name}: {r.rows_rejected} records quarantined "
                    "(`jobswipe rejects` lists them with their reasons)[/yellow]",
                    soft_wrap=True,
                )
            for note in r.notes:
                console.print(f"[dim]{r.file_name}: {note}[/dim]", soft_wrap=True)
            table.add_row(
                r.file_name,
                r.format or "",
                r.status,
                str(r.rows_loaded),
                str(r.rows_rejected),
                str(r.postings_inserted),
                str(r.postings_updated),
                str(r.postings_linked),
                f"{r.duration_seconds:.2f}",
            )
    console.print(table)
    if failed:
        raise typer.Exit(code=1)


@app.command("repair-companies")
def repair_companies() -> None:
    """Re-file postings attributed to a company through a job board's domain (idempotent)."""
    from pipelines.ingest.repair import RepairReport, repair_employer_attribution

    target = _target()
    migrations.upgrade(target)

    def run() -> RepairReport:
        with connect(target) as conn:
            return repair_employer_attribution(conn)

    report = with_retries(run, what="repair-companies")
    table = Table(title="employer attribution repair")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, count in report.as_dict().items():
        table.add_row(name.replace("_", " "), f"{count:,}")
    console.print(table)


@app.command()
def rejects(
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 20,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="also write them, with the raw record, to this CSV file"),
    ] = None,
) -> None:
    """The most recent quarantined rows, with their reasons."""
    with connect(_target()) as conn:
        rows = conn.execute(
            read_sql("pipelines.ingest.sql", "recent_rejects"), {"limit": limit}
        ).fetchall()
    if csv_file is not None:
        from pipelines.exports import write_safe_csv

        written = write_safe_csv(csv_file, ("file", "row", "field", "reason", "raw_record"), rows)
        console.print(f"wrote {written} quarantined rows to {csv_file}", soft_wrap=True)
    table = Table(title="quarantined rows (ingest_rejects)")
    for column in ("file", "row", "field", "reason"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row[:4]))
    console.print(table)


# The stage columns of pipelines/db/sql/application_funnel.sql, in the same order.
FUNNEL_STAGES = (
    "swipes",
    "right_swipes",
    "queued",
    "applied",
    "viewed",
    "interviews",
    "offers",
    "accepted",
)


def render_funnel(target: DatabaseTarget) -> Path | None:
    """The application funnel mart as a picture, in the artifacts directory."""
    from models_ml.plots import funnel_plot

    with connect(target) as conn:
        if scalar(conn, "SELECT to_regclass('marts.mart_application_funnel_monthly')") is None:
            return None
        rows = conn.execute(read_sql("pipelines.db.sql", "application_funnel")).fetchall()
    if not rows:
        return None
    path = get_settings().artifacts_dir / "application_funnel.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        funnel_plot(
            [f"{r[0]:%Y-%m}" for r in rows], list(FUNNEL_STAGES), [list(r[1:]) for r in rows]
        )
    )
    return path


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(help="where to write the page")] = None,
) -> None:
    """Build the KPI report (one offline HTML page of charts) from the marts."""
    from pipelines.reporting.kpi import write_report

    path = out or get_settings().reports_dir / "kpi.html"
    written = with_retries(partial(write_report, _target(), path), what="report")
    if written.empty_sections:
        console.print(f"no data yet for: {', '.join(written.empty_sections)}", soft_wrap=True)
    console.print(f"KPI report: {written.path} (open it in a browser)", soft_wrap=True)


@app.command()
def funnel() -> None:
    """Render the application funnel (marts.mart_application_funnel_monthly) as a PNG."""
    path = render_funnel(_target())
    console.print(
        f"funnel plot: {path}"
        if path
        else "no funnel mart yet: run `jobswipe demo` or build the marts",
        soft_wrap=True,
    )


def print_summary(target: DatabaseTarget) -> None:
    with connect(target) as conn:
        info = summarize(
            conn,
            extra_tables=(
                "ingest_files",
                "ingest_rejects",
                "job_posting_sources",
                "simulation_batches",
            ),
        )
    console.print(
        f"schema revision {info.revision} on PostgreSQL {info.server_version}", soft_wrap=True
    )
    table = Table(title="rows per table")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in info.row_counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(
        f"{len(info.row_counts)} tables, {info.enum_types} enum types, {info.indexes} indexes, "
        f"partitions: {info.partitions}",
        soft_wrap=True,
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def main() -> None:
    """The console entry point: database outages end in one line and exit status 1."""
    if os.nice(0) < BATCH_NICE:
        os.nice(BATCH_NICE - os.nice(0))  # batch work yields the CPU to the app
    logging.basicConfig(
        level=os.environ.get("JOBSWIPE_LOG_LEVEL", "WARNING").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        app()
    except psycopg.OperationalError as exc:
        console.print(
            f"[red]the database is unreachable or went away: {_first_line(exc)}[/red]",
            soft_wrap=True,
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
