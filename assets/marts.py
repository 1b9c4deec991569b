"""dbt marts, built one calendar month per Dagster partition; dbt tests become asset checks."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from pipelines.db.connection import DBT_APPLICATION_NAME, reniced_sessions
from pipelines.dbt import dbt_project, ensure_manifest, use_database
from pipelines.partitions import dbt_vars_for_window, monthly_partitions
from pipelines.resources import DBT_POOL, WRITER_RETRY_POLICY, PostgresResource

# Which platform asset produces each transactional table the marts read.
SOURCE_PRODUCERS = {
    "job_postings": "job_postings",
    "companies": "job_postings",
    "job_posting_sources": "job_postings",
    "recommendations": "recommendations",
}
ACTIVITY_ASSET = "app_activity"
# Tables the match-score side writes to as well: scores on swipes, counters and quality on postings.
ALSO_WRITTEN_BY = {"user_job_swipes": ["match_scores"], "job_postings": ["posting_quality"]}


class JobSwipeTranslator(DagsterDbtTranslator):
    """dbt sources depend on the assets that fill them; models group by folder."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["sources"].get(unique_id) or manifest["nodes"].get(unique_id) or {}
        if node.get("resource_type") == "source":
            return spec.replace_attributes(key=table_key(node["name"]))
        folder = node.get("fqn", ["", "marts"])[1] if len(node.get("fqn", [])) > 2 else "marts"
        return spec.replace_attributes(group_name="marts" if folder == "marts" else "staging")

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: Any,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=describe_dbt_test(manifest["nodes"].get(unique_id, {})))


def describe_dbt_test(node: Mapping[str, Any]) -> str:
    """A dbt test in words, for tests whose YAML gives none: its kind, the column and arguments."""
    if node.get("description"):
        return str(node["description"])
    metadata = node.get("test_metadata") or {}
    kind = metadata.get("name") or "singular"
    kwargs = {k: v for k, v in (metadata.get("kwargs") or {}).items() if k != "model"}
    column = kwargs.pop("column_name", None) or node.get("column_name")
    where = f" on {column}" if column else ""
    details = ", ".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
    return f"dbt test {kind}{where}" + (f" ({details})" if details else "") + "."


def table_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["tables", table])


def transactional_tables() -> list[dg.AssetSpec]:
    """The tables dbt reads, each downstream of the asset that writes it (lineage only)."""
    manifest = json.loads(ensure_manifest().read_text())
    tables = sorted({source["name"] for source in manifest["sources"].values()})
    return [
        dg.AssetSpec(
            key=table_key(table),
            deps=[
                SOURCE_PRODUCERS.get(table, ACTIVITY_ASSET),
                *ALSO_WRITTEN_BY.get(table, []),
            ],
            group_name="transactional_tables",
            description=f"public.{table} in the transactional schema.",
        )
        for table in tables
    ]


class MartsConfig(dg.Config):
    full_refresh: bool = False  # rebuild every mart from all history (ignores the partition window)


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project(),
    partitions_def=monthly_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=WRITER_RETRY_POLICY,
    pool=DBT_POOL,
    dagster_dbt_translator=JobSwipeTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
    name="jobswipe_dbt",
)
def jobswipe_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    postgres: PostgresResource,
    config: MartsConfig,
):
    use_database(postgres.target())
    if config.full_refresh:
        context.log.info("full refresh of every mart")
        args = ["build", "--full-refresh"]
    else:
        window = context.partition_time_window
        dbt_vars = dbt_vars_for_window(window.start, window.end)
        context.log.info("building months [%s, %s)", dbt_vars["min_date"], dbt_vars["max_date"])
        args = ["build", "--vars", json.dumps(dbt_vars)]
    with reniced_sessions(postgres.target(), DBT_APPLICATION_NAME):
        yield from dbt.cli(args, context=context).stream()


marts_job = dg.define_asset_job(
    "build_marts",
    selection=dg.AssetSelection.assets(jobswipe_dbt),
    partitions_def=monthly_partitions(),
    description="dbt build (models and tests) of the staging views and marts for a month range.",
)


@dg.schedule(
    job=marts_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Previous and current month, daily.",
)
def marts_daily_schedule(context: dg.ScheduleEvaluationContext):
    from pipelines.partitions import months_to_refresh

    today = context.scheduled_execution_time.date()
    return [
        dg.RunRequest(run_key=f"{key}@{today}", partition_key=key)
        for key in months_to_refresh(today)
    ]
