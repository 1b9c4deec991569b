"""One typed settings object, read from the environment (prefix ``JOBSWIPE_``, plus DATABASE_URL)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from platformdirs import user_state_path
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSWIPE_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "JOBSWIPE_DATABASE_URL"),
        description="PostgreSQL URL; unset means the embedded server under state_dir.",
    )
    state_dir: Path = Field(default_factory=lambda: user_state_path("jobswipe"))
    landing_dir: Path | None = None
    dbt_project_dir: Path = PROJECT_ROOT / "dbt_project"
    # Comma-separated "key_id:base64(32 bytes)" pairs; the first is used for new ciphertext.
    pii_keys: str | None = None
    partitions_months_ahead: int = 3
    # First month of the marts' (and the model's) monthly partitions, YYYY-MM-DD.
    first_data_month: str = "2024-01-01"
    # Directories (os.pathsep-separated) whose files Dagster run config may name for ingestion;
    # the landing directory and the shipped sample feeds always are.
    ingest_roots: str | None = None
    # Parallel runs the rescoring splits the user shards into (each loads the snapshot once).
    scoring_runs: int = Field(default=1, ge=1, le=16)
    # Threads computing the feed's chunks inside one run (numpy, scipy, polars and the compiled
    # trees release the GIL); each holds one chunk, tens of megabytes.
    scoring_threads: int = Field(default_factory=lambda: min(4, os.cpu_count() or 1), ge=1, le=64)
    # Where run failures and stale data are POSTed as JSON (unset: recorded only).
    alert_webhook: str | None = None

    @property
    def embedded_data_dir(self) -> Path:
        return self.state_dir / "pgdata"

    @property
    def artifacts_dir(self) -> Path:
        return self.state_dir / "artifacts"

    @property
    def reports_dir(self) -> Path:
        return self.state_dir / "reports"

    @property
    def resolved_landing_dir(self) -> Path:
        return self.landing_dir or self.state_dir / "landing"

    @property
    def allowed_ingest_roots(self) -> list[Path]:
        extra = [Path(p) for p in (self.ingest_roots or "").split(os.pathsep) if p.strip()]
        return [self.resolved_landing_dir, PROJECT_ROOT / "tests" / "fixtures" / "feeds", *extra]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
