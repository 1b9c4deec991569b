"""The KPI report: one static HTML page of the marts' key figures, rebuilt after the marts."""

import dagster as dg

from pipelines.reporting.kpi import SECTIONS, write_report
from pipelines.resources import PostgresResource
from pipelines.settings import get_settings

# The marts the page is drawn from (pipelines/reporting/sql).
REPORTED_MARTS = (
    "mart_engagement_monthly",
    "mart_application_funnel_monthly",
    "mart_signup_cohort_retention",
    "mart_subscriptions_monthly",
    "mart_automation_health_monthly",
    "mart_model_monitoring_monthly",
)


@dg.asset(
    deps=[dg.AssetKey(["marts", mart]) for mart in REPORTED_MARTS],
    group_name="reports",
    kinds={"html"},
    description=(
        "The KPI report (<state dir>/reports/kpi.html): engagement, the application funnel, "
        "cohort retention, MRR and churn by plan, automation health by site and the match "
        "model's monitoring, as charts embedded in one offline page built from the marts only."
    ),
)
def kpi_report(
    context: dg.AssetExecutionContext, postgres: PostgresResource
) -> dg.MaterializeResult:
    report = write_report(postgres.target(), get_settings().reports_dir / "kpi.html")
    if report.empty_sections:
        context.log.warning("no data yet for: %s", ", ".join(report.empty_sections))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report.path)),
            "sections drawn": f"{len(report.sections)} of {len(SECTIONS)}",
            "without data": ", ".join(report.empty_sections) or "none",
        }
    )


kpi_report_job = dg.define_asset_job(
    "build_kpi_report",
    selection=dg.AssetSelection.assets(kpi_report),
    description="The KPI report from the marts as they stand.",
)

kpi_report_schedule = dg.ScheduleDefinition(
    name="daily_kpi_report",
    job=kpi_report_job,
    cron_schedule="30 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The KPI report, daily after the marts (03:00).",
)
