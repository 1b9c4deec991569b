"""Run the platform's Dagster assets in-process (the demo command and the end-to-end tests)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from pipelines.db.connection import DatabaseTarget, connect
from pipelines.instance import in_process_instance
from pipelines.resources import PostgresResource
from pipelines.sql_files import read_sql


@dataclass
class PlatformRun:
    materialized: list[str] = field(default_factory=list)
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    months: tuple[str, str] | None = None

    def record(self, result: dg.ExecuteInProcessResult) -> None:
        self.materialized += [
            e.asset_key.to_user_string()
            for e in result.get_asset_materialization_events()
            if e.asset_key is not None
        ]
        for evaluation in result.get_asset_check_evaluations():
            if evaluation.passed:
                self.checks_passed += 1
            else:
                self.checks_failed.append(
                    f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                )


def _definitions() -> dg.Definitions:
    from pipelines.definitions import defs

    return defs


def materialize_assets(
    target: DatabaseTarget,
    selection: Sequence[str] | dg.AssetSelection | None = None,
    partition_key: str | None = None,
    tags: dict[str, str] | None = None,
    run_config: dict | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize the selected assets (with their checks) against ``target``."""
    defs = _definitions()
    resources = {
        **(defs.resources or {}),
        "postgres": PostgresResource(database_url=target.sqlalchemy_url),
    }
    chosen: dg.AssetSelection | None
    if isinstance(selection, dg.AssetSelection):
        chosen = selection
    else:
        chosen = dg.AssetSelection.assets(*selection) if selection else None
    definitions: list[Any] = [*(defs.assets or []), *(defs.asset_checks or [])]
    with in_process_instance() as instance:
        result = dg.materialize(
            definitions,
            selection=chosen,
            resources=resources,
            partition_key=partition_key,
            tags=tags,
            run_config=run_config,
            raise_on_error=True,
            instance=instance,
        )
    _record_events(result)
    return result


def _record_events(result: dg.ExecuteInProcessResult) -> None:
    """With JOBSWIPE_EVENT_LOG set, every event of the run (messages and metadata) is appended
    there: the leak search reads what the Dagster UI would show."""
    destination = os.environ.get("JOBSWIPE_EVENT_LOG")
    if not destination:
        return
    with open(destination, "a", encoding="utf-8") as handle:
        for event in result.all_events:
            handle.write(
                f"{event.event_type_value}\t{event.message}\t{event.event_specific_data!r}\n"
            )


def months_with_activity(target: DatabaseTarget) -> tuple[str, str] | None:
    """First and last month (partition keys) that hold swipes."""
    with connect(target) as conn:
        row = conn.execute(read_sql("pipelines.db.sql", "months_with_swipes")).fetchone()
    if not row or row[0] is None:
        return None
    first, last = (value.date().replace(day=1) for value in row)
    return first.isoformat(), last.isoformat()


def build_marts(target: DatabaseTarget, first: str, last: str) -> dg.ExecuteInProcessResult:
    """Every month from ``first`` to ``last`` in one dbt run (single-run backfill)."""
    return materialize_assets(
        target,
        selection=dg.AssetSelection.groups("marts", "staging"),
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
    )


def score_every_shard(target: DatabaseTarget) -> dg.ExecuteInProcessResult:
    """Posting quality, then match scores and recommendations for every user shard in one run."""
    from pipelines.scoring.shards import shard_keys

    keys = shard_keys()
    return materialize_assets(
        target,
        selection=["posting_quality", "match_scores", "recommendations"],
        tags={
            "dagster/asset_partition_range_start": keys[0],
            "dagster/asset_partition_range_end": keys[-1],
        },
    )


def run_platform(target: DatabaseTarget) -> PlatformRun:
    """Everything, in order: schema, ingestion, activity, the model and its scores, the marts."""
    run = PlatformRun()
    unpartitioned = dg.AssetSelection.groups("transactional_schema", "ingestion", "app_activity")
    run.record(materialize_assets(target, selection=unpartitioned))
    months = months_with_activity(target)
    if months:
        run.months = months
        # Validate on the latest month with swipes, score, then build marts (model monitoring
        # reads the scores).
        run.record(materialize_assets(target, selection=["match_model"], partition_key=months[1]))
        run.record(score_every_shard(target))
        run.record(build_marts(target, *months))
        run.record(materialize_assets(target, selection=["kpi_report"]))
    return run
