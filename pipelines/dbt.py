"""The dbt project as the platform runs it: one DbtProject, its manifest, its environment."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import nullcontext
from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.db.connection import DBT_APPLICATION_NAME, DatabaseTarget, reniced_sessions
from pipelines.settings import get_settings

# The database dbt was last pointed at (use_database), for renicing its sessions.
_current_target: DatabaseTarget | None = None


@cache
def dbt_project() -> DbtProject:
    directory = get_settings().dbt_project_dir
    return DbtProject(project_dir=directory, profiles_dir=directory)


def dbt_executable() -> str:
    """The dbt of this environment (the virtualenv's bin), whatever PATH says."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def use_database(target: DatabaseTarget) -> None:
    """Point dbt's profile (environment variables) at this database for this process."""
    global _current_target
    os.environ.update(target.dbt_env())
    _current_target = target


def run_dbt(command: str, *args: str) -> None:
    """One dbt command on the project (``dbt <command> --project-dir ... <args>``); a command
    of several words ("docs generate") takes the options after all of them, as dbt requires."""
    project = dbt_project()
    with (
        reniced_sessions(_current_target, DBT_APPLICATION_NAME)
        if _current_target
        else nullcontext()
    ):
        _run(project, command, *args)


def _run(project: DbtProject, command: str, *args: str) -> None:
    subprocess.run(  # noqa: S603 - the virtualenv's own dbt, with the project's arguments
        [
            dbt_executable(),
            *command.split(),
            "--project-dir",
            str(project.project_dir),
            "--profiles-dir",
            str(project.profiles_dir),
            *args,
        ],
        check=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


def ensure_manifest(force: bool = False) -> Path:
    """`dbt parse` when target/manifest.json is missing (or forced); returns its path."""
    project = dbt_project()
    manifest = project.manifest_path
    if force or not manifest.exists() or _sources_newer_than(manifest, Path(project.project_dir)):
        run_dbt("parse", "--quiet")
    return manifest


def _sources_newer_than(manifest: Path, project_dir: Path) -> bool:
    """A model, macro or YAML edited since the last parse makes the manifest stale."""
    built = manifest.stat().st_mtime
    watched = ("models", "macros", "tests")
    return (
        any(
            path.stat().st_mtime > built
            for folder in watched
            for path in (project_dir / folder).rglob("*")
            if path.suffix in (".sql", ".yml")
        )
        or (project_dir / "dbt_project.yml").stat().st_mtime > built
    )
