"""`jobswipe status`: what ran, what failed, what is stale, read from the Dagster instance and
the database. The report is plain data; the CLI prints it as tables or JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from rich.console import Console
from rich.table import Table

from pipelines.db.connection import DatabaseTarget, connect
from pipelines.db.queries import scalar
from pipelines.db.summary import summarize
from pipelines.freshness import expectation_for
from pipelines.sql_files import read_sql

RECENT = dt.timedelta(days=1)


@dataclass
class AssetHealth:
    asset: str
    group: str | None
    last_materialized_at: dt.datetime | None
    last_partition: str | None
    partitions_total: int | None = None
    partitions_materialized: int | None = None
    partitions_failed: list[str] = field(default_factory=list)
    partitions_missing: int | None = None
    max_age_hours: float | None = None
    stale: bool = False
    checks_failed: list[str] = field(default_factory=list)
    checks_warned: list[str] = field(default_factory=list)
    checks_passed: int = 0


@dataclass
class HealthReport:
    generated_at: dt.datetime
    dagster_home: str
    assets: list[AssetHealth]
    row_counts: dict[str, int]
    champion: dict[str, Any] | None
    rejects_last_day: int
    failed_runs: list[dict[str, Any]]
    problems: list[str]

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "healthy": self.healthy}


def collect_health(target: DatabaseTarget, now: dt.datetime | None = None) -> HealthReport:
    from pipelines.definitions import defs
    from pipelines.instance import dagster_home, platform_instance

    now = now or dt.datetime.now(dt.UTC)
    graph = defs.resolve_asset_graph()
    with platform_instance() as instance:
        assets = [
            _asset_health(instance, graph, key, now)
            for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
            if graph.get(key).is_materializable
        ]
        failed_runs: list[dict[str, Any]] = [
            {
                "run_id": run.run_id,
                "job": run.job_name,
                "partition": run.tags.get("dagster/partition"),
                "status": run.status.value,
            }
            for run in instance.get_runs(
                filters=dg.RunsFilter(
                    statuses=[dg.DagsterRunStatus.FAILURE], created_after=now - RECENT
                )
            )
        ]
    with connect(target) as conn:
        counts = summarize(conn).row_counts
        database = (
            conn.execute(read_sql("pipelines.db.sql", "health_database")).fetchone()
            if scalar(conn, "SELECT to_regclass('pipeline_run_failures')") is not None
            else None
        )
    champion, rejects, recorded = (
        (database[0], int(database[1]), database[2]) if database else (None, 0, [])
    )
    known = {run["run_id"] for run in failed_runs}
    failed_runs += [dict(r, status="FAILURE") for r in recorded if r["run_id"] not in known]
    problems = [
        *(f"{a.asset}: stale (older than {a.max_age_hours:.0f} h)" for a in assets if a.stale),
        *(f"{a.asset}: check {c} failed" for a in assets for c in a.checks_failed),
        *(
            f"{a.asset}: partitions {', '.join(a.partitions_failed)} failed"
            for a in assets
            if a.partitions_failed
        ),
        *(f"run {r['run_id'][:8]} of {r['job']} failed" for r in failed_runs),
    ]
    if champion is None:
        problems.append("no champion model: train one (jobswipe model train)")
    return HealthReport(
        generated_at=now,
        dagster_home=str(dagster_home()),
        assets=assets,
        row_counts=counts,
        champion=champion,
        rejects_last_day=rejects,
        failed_runs=failed_runs,
        problems=problems,
    )


def _asset_health(
    instance: dg.DagsterInstance, graph: Any, key: dg.AssetKey, now: dt.datetime
) -> AssetHealth:
    node = graph.get(key)
    name = key.to_user_string()
    event = instance.get_latest_materialization_event(key)
    materialized_at = dt.datetime.fromtimestamp(event.timestamp, dt.UTC) if event else None
    last_partition = event.dagster_event.partition if event and event.dagster_event else None
    health = AssetHealth(name, node.group_name, materialized_at, last_partition)
    partitions_def = node.partitions_def
    if partitions_def is not None:
        keys = list(partitions_def.get_partition_keys(current_time=now))
        statuses = instance.get_status_by_partition(key, keys, partitions_def) or {}
        materialized = [k for k, s in statuses.items() if s and s.value == "MATERIALIZED"]
        health.partitions_total = len(keys)
        health.partitions_materialized = len(materialized)
        health.partitions_failed = sorted(
            k for k, s in statuses.items() if s and s.value == "FAILED"
        )
        health.partitions_missing = len(keys) - len(materialized) - len(health.partitions_failed)
    expectation = expectation_for(name, node.group_name)
    if expectation is not None:
        health.max_age_hours = expectation.max_age.total_seconds() / 3600
        health.stale = materialized_at is None or now - materialized_at > expectation.max_age
    check_keys = list(node.check_keys)
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    for check_key, record in latest.items():
        if record.status == AssetCheckExecutionRecordStatus.SUCCEEDED:
            health.checks_passed += 1
        elif record.status == AssetCheckExecutionRecordStatus.FAILED:
            evaluation = (
                record.event.dagster_event.asset_check_evaluation_data
                if record.event and record.event.dagster_event
                else None
            )
            warn = evaluation is not None and evaluation.severity == dg.AssetCheckSeverity.WARN
            (health.checks_warned if warn else health.checks_failed).append(check_key.name)
    return health


def render_health(report: HealthReport, console: Console) -> None:
    table = Table(title=f"assets (Dagster instance {report.dagster_home})")
    table.add_column("asset", overflow="fold", min_width=24)
    for column in ("last materialized (UTC)", "partitions ok/failed/missing", "fresh", "checks"):
        table.add_column(column)
    for a in report.assets:
        partitions = (
            f"{a.partitions_materialized}/{len(a.partitions_failed)}/{a.partitions_missing}"
            if a.partitions_total is not None
            else "-"
        )
        fresh = "-" if a.max_age_hours is None else ("[red]STALE[/red]" if a.stale else "ok")
        checks = f"{a.checks_passed} ok"
        if a.checks_failed:
            checks += f", [red]failed: {', '.join(a.checks_failed)}[/red]"
        if a.checks_warned:
            checks += f", [yellow]warn: {', '.join(a.checks_warned)}[/yellow]"
        when = f"{a.last_materialized_at:%Y-%m-%d %H:%M}" if a.last_materialized_at else "never"
        table.add_row(a.asset, when, partitions, fresh, checks)
    console.print(table)
    if report.champion:
        metrics = report.champion.get("metrics") or {}
        console.print(
            f"champion model v{report.champion['version']} (validated on "
            f"{report.champion['validation_month']}): ROC AUC {metrics.get('roc_auc')}, "
            f"PR AUC {metrics.get('pr_auc')}",
            soft_wrap=True,
        )
    console.print(f"rejects in the last day: {report.rejects_last_day:,}")
    console.print(
        "rows: " + ", ".join(f"{t} {n:,}" for t, n in report.row_counts.items()), soft_wrap=True
    )
    for run in report.failed_runs:
        console.print(
            f"[red]failed run {run['run_id']} ({run['job']})[/red] {run.get('error') or ''}",
            soft_wrap=True,
        )
    if report.healthy:
        console.print("[bold green]healthy[/bold green]")
    else:
        console.print("[bold red]unhealthy:[/bold red]")
        for problem in report.problems:
            console.print(f"  - {problem}", soft_wrap=True)
