"""Operations: the instance files validate, failed runs are recorded and alerted on a loopback
webhook, and `jobswipe status` says what is wrong with a non-zero exit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import dagster as dg
import psycopg
import pytest
from dagster._config import validate_config
from dagster._core.instance.config import dagster_instance_config

from pipelines.db.connection import DatabaseTarget
from pipelines.resources import PostgresResource
from pipelines.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def test_local_instance_file_loads_with_queue_pools_monitoring_and_retries(tmp_path: Path) -> None:
    shutil.copyfile(DEPLOY / "dagster.local.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
        assert instance.run_monitoring_enabled and instance.run_retries_enabled
        assert instance.run_retries_max_retries == 2
        assert not instance.run_retries_retry_on_asset_or_op_failure


def test_production_instance_file_runs_on_postgres_storage(
    tmp_path: Path, databases, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """deploy/dagster.yaml, with its DAGSTER_PG_* variables pointed at a real database: the
    storage is created there and a run is recorded in it."""
    storage: DatabaseTarget = databases.empty("dagster_storage")
    for name, value in {
        "DAGSTER_PG_HOST": storage.host,
        "DAGSTER_PG_PORT": str(storage.port),
        "DAGSTER_PG_USERNAME": storage.user,
        "DAGSTER_PG_PASSWORD": storage.password or "",
        "DAGSTER_PG_DB": storage.database,
    }.items():
        monkeypatch.setenv(name, value)
    shutil.copyfile(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert instance.event_log_storage.supports_global_concurrency_limits
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1

        @dg.asset
        def probe() -> int:
            return 1

        assert dg.materialize([probe], instance=instance).success
    with psycopg.connect(**storage.libpq_kwargs) as conn:  # type: ignore[arg-type]
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 1  # type: ignore[index]


def test_kubernetes_instance_file_validates_against_dagster_k8s(tmp_path: Path) -> None:
    from dagster_k8s import K8sRunLauncher

    shutil.copyfile(DEPLOY / "k8s" / "dagster.yaml", tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    launcher = config["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    result = validate_config(K8sRunLauncher.config_type(), launcher["config"])
    assert result.success, result.errors
    broken = {**launcher["config"], "job_namespace": 7}
    assert not validate_config(K8sRunLauncher.config_type(), broken).success


class _Webhook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[_Webhook]]]:
    """A JSON endpoint on loopback; settings are read afresh (the test sets the webhook URL)."""
    from pipelines.settings import get_settings

    get_settings.cache_clear()
    handler = type("Handler", (_Webhook,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts", handler
    server.shutdown()
    get_settings.cache_clear()


def _failed_run(target: DatabaseTarget, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """The staging simulation job, run with a scale that does not exist: a data error."""
    from assets.activity import app_activity
    from assets.operations import simulation_job

    definitions = dg.Definitions(
        assets=[app_activity],
        jobs=[simulation_job],
        resources={"postgres": PostgresResource(database_url=target.sqlalchemy_url)},
    )
    return definitions.resolve_job_def("simulate_app_activity").execute_in_process(
        run_config={"ops": {"app_activity": {"config": {"scale": "galactic"}}}},
        instance=instance,
        raise_on_error=False,
    )


def _invoke_failure_sensor(target, instance, result) -> None:  # type: ignore[no-untyped-def]
    from assets.operations import record_and_alert_run_failures

    run = instance.get_run_by_id(result.run_id)
    failure_event = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="record_and_alert_run_failures",
        dagster_event=failure_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"postgres": PostgresResource(database_url=target.sqlalchemy_url)},
    ).for_run_failure()
    record_and_alert_run_failures(context)


def test_failed_run_is_recorded_once_and_alerted(migrated_db, webhook, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, handler = webhook
    monkeypatch.setenv("JOBSWIPE_ALERT_WEBHOOK", url)
    monkeypatch.setenv("JOBSWIPE_DAGSTER_URL", "http://127.0.0.1:3000")
    with dg.DagsterInstance.ephemeral() as instance:
        result = _failed_run(migrated_db, instance)
        assert not result.success
        _invoke_failure_sensor(migrated_db, instance, result)
        _invoke_failure_sensor(migrated_db, instance, result)  # a retried tick: still one row
    assert len(handler.received) == 1
    alert = handler.received[0]
    assert alert["kind"] == "run_failure" and alert["run_id"] == result.run_id
    assert alert["job_name"] == "simulate_app_activity"
    assert alert["step_key"] == "app_activity" and "galactic" in alert["error_summary"]
    assert alert["run_url"] == f"http://127.0.0.1:3000/runs/{result.run_id}"
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        rows = conn.execute(
            "SELECT job_name, step_key, error_summary, alert_sent_at IS NOT NULL, alert_error "
            "FROM pipeline_run_failures"
        ).fetchall()
    assert len(rows) == 1
    job, step, summary, alerted, error = rows[0]
    assert (job, step, alerted, error) == ("simulate_app_activity", "app_activity", True, None)
    assert "unknown scale 'galactic'" in summary and "\n" not in summary


def test_undelivered_alert_is_recorded_with_its_reason(migrated_db, webhook, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, handler = webhook
    handler.status = 503
    monkeypatch.setenv("JOBSWIPE_ALERT_WEBHOOK", url)
    with dg.DagsterInstance.ephemeral() as instance:
        result = _failed_run(migrated_db, instance)
        _invoke_failure_sensor(migrated_db, instance, result)
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        row = conn.execute(
            "SELECT alert_sent_at, alert_error FROM pipeline_run_failures"
        ).fetchone()
    assert row == (None, "the webhook answered HTTP 503")


def test_status_exits_non_zero_and_names_what_is_stale(migrated_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DATABASE_URL": migrated_db.sqlalchemy_url,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    completed = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "jobswipe"), "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    assert not report["healthy"]
    assert "job_postings: stale (older than 26 h)" in report["problems"]
    assert any("no champion model" in p for p in report["problems"])
    shards = next(a for a in report["assets"] if a["asset"] == "match_scores")
    assert (shards["partitions_total"], shards["partitions_missing"]) == (16, 16)
    table = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "jobswipe"), "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert table.returncode == 1 and "unhealthy" in table.stdout and "Traceback" not in table.stderr


def render_helm_instance(values: dict) -> dict:
    """The dagster.yaml the official chart renders from these values, for the settings the
    platform sets (the chart's templates map camelCase values to the instance's snake_case)."""
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    daemon = values["dagsterDaemon"]
    postgres = values["postgresql"]
    resources = launcher["runK8sConfig"]["containerConfig"]["resources"]
    return {
        "storage": {
            "postgres": {
                "postgres_db": {
                    "hostname": postgres["postgresqlHost"],
                    "port": postgres["service"]["port"],
                    "username": postgres["postgresqlUsername"],
                    "db_name": postgres["postgresqlDatabase"],
                }
            }
        },
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": daemon["runCoordinator"]["type"],
        },
        "run_launcher": {
            "module": "dagster_k8s",
            "class": values["runLauncher"]["type"],
            "config": {
                # What the chart's templates fill in themselves.
                "instance_config_map": "dagster-instance",
                "dagster_home": "/opt/dagster/dagster_home",
                "postgres_password_secret": values["global"]["postgresqlSecretName"],
                "service_account_name": values["global"]["serviceAccountName"],
                "job_namespace": launcher["jobNamespace"],
                "load_incluster_config": launcher["loadInclusterConfig"],
                "image_pull_policy": launcher["imagePullPolicy"],
                "env_secrets": [s["name"] for s in launcher["envSecrets"]],
                "run_k8s_config": {"container_config": {"resources": resources}},
            },
        },
        "run_monitoring": {
            "enabled": daemon["runMonitoring"]["enabled"],
            "start_timeout_seconds": daemon["runMonitoring"]["startTimeoutSeconds"],
            "poll_interval_seconds": daemon["runMonitoring"]["pollIntervalSeconds"],
            "max_resume_run_attempts": daemon["runMonitoring"]["maxResumeRunAttempts"],
            "max_runtime_seconds": daemon["runMonitoring"]["maxRuntimeSeconds"],
        },
        "run_retries": {
            "enabled": daemon["runRetries"]["enabled"],
            "max_retries": daemon["runRetries"]["maxRetries"],
            "retry_on_asset_or_op_failure": daemon["runRetries"]["retryOnAssetOrOpFailure"],
        },
        **values["additionalInstanceConfig"],
        "telemetry": values["telemetry"],
    }


def test_helm_values_render_the_kubernetes_instance_file(tmp_path: Path) -> None:
    """deploy/k8s/values.yaml and deploy/k8s/dagster.yaml say the same; what the chart renders
    from the values validates against Dagster's instance schema and K8sRunLauncher's."""
    import yaml
    from dagster_k8s import K8sRunLauncher

    values = yaml.safe_load((DEPLOY / "k8s" / "values.yaml").read_text())
    rendered = render_helm_instance(values)
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(rendered))
    config, _ = dagster_instance_config(str(tmp_path))
    assert validate_config(K8sRunLauncher.config_type(), config["run_launcher"]["config"]).success
    instance_file = yaml.safe_load((DEPLOY / "k8s" / "dagster.yaml").read_text())
    for section in ("run_coordinator", "concurrency", "run_monitoring", "run_retries", "nux"):
        assert rendered[section] == instance_file[section], section
    file_launcher = instance_file["run_launcher"]["config"]
    for key, value in rendered["run_launcher"]["config"].items():
        assert file_launcher[key] == value, key
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "pipelines.definitions"]
    assert values["dagster-user-deployments"]["deployments"][0]["envSecrets"] == [
        {"name": s} for s in file_launcher["env_secrets"]
    ]
