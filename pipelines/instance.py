"""The Dagster instance the platform records its runs in: DAGSTER_HOME, or one in the state dir.

`jobswipe dagster` runs the webserver and the daemon on it; the demo and the CLI's in-process
materializations record their runs there too, so `jobswipe status`, the UI and the run timeline
show every run, wherever it was started.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
from dagster._core.instance.ref import InstanceRef

from pipelines.settings import PROJECT_ROOT, Settings, get_settings

LOCAL_INSTANCE_TEMPLATE = PROJECT_ROOT / "deploy" / "dagster.local.yaml"
PRODUCTION_INSTANCE_FILE = PROJECT_ROOT / "deploy" / "dagster.yaml"


def dagster_home(settings: Settings | None = None) -> Path:
    """DAGSTER_HOME when set, else ``<state dir>/dagster``; created, with its dagster.yaml
    (from deploy/dagster.local.yaml), on first use."""
    configured = os.environ.get("DAGSTER_HOME")
    home = Path(configured) if configured else (settings or get_settings()).state_dir / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    instance_file = home / "dagster.yaml"
    if not instance_file.exists():
        shutil.copyfile(LOCAL_INSTANCE_TEMPLATE, instance_file)
    return home


def platform_instance(settings: Settings | None = None) -> dg.DagsterInstance:
    """The instance as `jobswipe dagster` runs it (queue, pools, monitoring)."""
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home(settings))))


def in_process_instance(settings: Settings | None = None) -> dg.DagsterInstance:
    """The same instance for runs executed in this process (demo, CLI, tests): their events are
    recorded, but no concurrency pool applies, because a killed in-process run would hold its
    slot until a daemon frees it. The advisory writer locks (pipelines/db/locks.py) still
    serialise their writes against every other writer."""
    return dg.DagsterInstance.from_ref(
        InstanceRef.from_dir(
            str(dagster_home(settings)),
            overrides={
                "concurrency": {},
                "run_coordinator": {
                    "module": "dagster._core.run_coordinator",
                    "class": "DefaultRunCoordinator",
                },
                "run_retries": {"enabled": False},
            },
        )
    )
