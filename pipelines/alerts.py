"""Failed runs: a summary the platform records in ``pipeline_run_failures`` and, when a webhook
is configured (JOBSWIPE_ALERT_WEBHOOK), POSTs as JSON. No Dagster import: the sensor wires it."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import psycopg

from pipelines.sql_files import read_sql

SUMMARY_LIMIT = 500


class AlertError(Exception):
    """The webhook refused the alert or could not be reached."""


@dataclass(frozen=True)
class RunFailure:
    run_id: str
    job_name: str
    partition_key: str | None
    step_key: str | None
    error_summary: str
    failed_at: dt.datetime

    def payload(self, ui_url: str | None = None) -> dict[str, object]:
        document: dict[str, object] = {
            "source": "jobswipe",
            "kind": "run_failure",
            **asdict(self),
            "failed_at": self.failed_at.isoformat(),
        }
        if ui_url:
            document["run_url"] = f"{ui_url.rstrip('/')}/runs/{self.run_id}"
        return document


def summarize_error(message: str | None) -> str:
    """The error's first non-empty line, cut to SUMMARY_LIMIT characters: enough to triage,
    short of the stack and of any value a longer message might quote."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    first = lines[0] if lines else "unknown error"
    return first if len(first) <= SUMMARY_LIMIT else first[: SUMMARY_LIMIT - 1] + "…"


def record_failure(conn: psycopg.Connection, failure: RunFailure) -> bool:
    """Store the failure once; False when this run was already recorded."""
    row = conn.execute(read_sql("pipelines.db.sql", "run_failure_insert"), asdict(failure))
    return row.rowcount == 1


def mark_alert(conn: psycopg.Connection, run_id: str, error: str | None) -> None:
    conn.execute(
        read_sql("pipelines.db.sql", "run_failure_mark_alert"), {"run_id": run_id, "error": error}
    )


def post_alert(url: str, payload: dict[str, object], timeout: float = 10.0) -> None:
    """POST ``payload`` as JSON; AlertError names the reason when it does not arrive."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise AlertError("the alert webhook must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(payload, default=str).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "jobswipe-alerts"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            if response.status >= 300:
                raise AlertError(f"the webhook answered HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        raise AlertError(f"the webhook answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise AlertError(f"the webhook is unreachable: {getattr(exc, 'reason', exc)}") from exc
