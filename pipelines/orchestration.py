"""Run the platform's Dagster assets in-process (the demo command and the end-to-end test)."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from pipelines.db.connection import DatabaseTarget
from pipelines.resources import PostgresResource


def materialize_assets(
    target: DatabaseTarget,
    selection: Sequence[str] | None = None,
    partition_key: str | None = None,
    extra_resources: dict[str, object] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize the selected assets (all when None) with their checks, against ``target``."""
    from pipelines.definitions import defs

    assets = list(defs.assets or [])
    checks = list(defs.asset_checks or [])
    resources = {
        **(defs.resources or {}),
        "postgres": PostgresResource(database_url=target.sqlalchemy_url),
        **(extra_resources or {}),
    }
    result = dg.materialize(
        [*assets, *checks],
        selection=dg.AssetSelection.assets(*selection) if selection else None,
        resources=resources,
        partition_key=partition_key,
        raise_on_error=True,
    )
    return result
