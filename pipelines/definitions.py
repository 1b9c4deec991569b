"""The one Dagster Definitions object: every asset, check, job, schedule, sensor and resource."""

from __future__ import annotations

import dagster as dg

from assets import activity, ingestion, schema
from pipelines.resources import PostgresResource
from pipelines.schedules import JOBS, SCHEDULES

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([schema, ingestion, activity]),
    asset_checks=dg.load_asset_checks_from_modules([schema, ingestion, activity]),
    jobs=[*JOBS, ingestion.ingest_job],
    sensors=[ingestion.landing_directory_sensor],
    schedules=SCHEDULES,
    resources={"postgres": PostgresResource()},
)
