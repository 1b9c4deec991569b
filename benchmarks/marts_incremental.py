"""Monthly marts: one incremental month vs a full refresh, and a month's cost vs history length.

    python -m benchmarks.marts_incremental

On the medium simulation (12 months): time `dbt build --full-refresh` of every month, then
`dbt build` of the last month only (its partition window). Then delete the activity of the nine
oldest months, so the same last month, with the same rows, has 3 months of history, and time
the same one-month build again. Ratios, measured in one run:
incremental month / full refresh (target <= 0.2) and month with 12 months of history / month
with 3 (target < 1.3). Both wall time (including dbt's start-up) and dbt's own elapsed time
(run_results.json) are printed; the targets are judged on dbt's elapsed time, as start-up does
not depend on the data.
"""

from __future__ import annotations

import datetime as dt
import json
import time

from psycopg import sql as pgsql

from benchmarks.common import benchmark_server, report, scratch_database
from pipelines.db.connection import DatabaseTarget, connect
from pipelines.db.crypto import PiiCipher, new_key_spec
from pipelines.db.maintenance import add_months
from pipelines.dbt import dbt_project, run_dbt, use_database
from pipelines.simulate.writer import write_simulation


def dbt_build(target: DatabaseTarget, *args: str) -> tuple[float, float]:
    """(wall seconds, dbt elapsed seconds) of one `dbt build`."""
    use_database(target)
    began = time.perf_counter()
    run_dbt("build", "--quiet", *args)
    wall = time.perf_counter() - began
    results = json.loads((dbt_project().project_dir / "target" / "run_results.json").read_text())
    return wall, float(results["elapsed_time"])


def month_vars(month: dt.date) -> str:
    return json.dumps({"min_date": month.isoformat(), "max_date": add_months(month, 1).isoformat()})


# Activity tables cut back to shorten the history; users, postings and subscriptions stay.
ACTIVITY_TABLES = {
    "application_queue": "created_at",
    "job_applications": "created_at",
    "user_job_swipes": "created_at",
    "analytics_events": '"timestamp"',
    "usage_records": "created_at",
    "audit_logs": "created_at",
    "user_notifications": "created_at",
}


def keep_history_from(target: DatabaseTarget, first_kept: dt.date) -> None:
    """Delete activity before ``first_kept``: the same last month, with less history before it."""
    with connect(target) as conn:
        for table, column in ACTIVITY_TABLES.items():
            conn.execute(
                pgsql.SQL("DELETE FROM {} WHERE {} < %s").format(
                    pgsql.Identifier(table), pgsql.SQL(column)
                ),
                (first_kept,),
            )
    with connect(target, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def main() -> None:
    server = benchmark_server()
    cipher = PiiCipher.from_spec(new_key_spec("bench"))
    start = dt.date(2025, 1, 1)
    last_month = dt.date(2025, 12, 1)
    with scratch_database(server, "marts") as target:
        write_simulation(target, 42, "medium", 12, cipher, start=start)
        full_wall, full_dbt = dbt_build(target, "--full-refresh")
        month12_wall, month12_dbt = dbt_build(target, "--vars", month_vars(last_month))
        # Same December, same rows in it; only the nine months before October are gone.
        keep_history_from(target, dt.date(2025, 10, 1))
        dbt_build(target, "--full-refresh")
        month3_wall, month3_dbt = dbt_build(target, "--vars", month_vars(last_month))
    report(
        "marts_incremental_medium",
        [
            ("full refresh, 12 months: wall / dbt (s)", f"{full_wall:.1f} / {full_dbt:.1f}"),
            (
                "December, 12 months of history: wall / dbt (s)",
                f"{month12_wall:.1f} / {month12_dbt:.1f}",
            ),
            (
                "December, 3 months of history: wall / dbt (s)",
                f"{month3_wall:.1f} / {month3_dbt:.1f}",
            ),
            ("incremental month / full refresh (dbt)", f"{month12_dbt / full_dbt:.3f}"),
            ("incremental month / full refresh (wall)", f"{month12_wall / full_wall:.3f}"),
            ("month cost, 12 vs 3 months of history (dbt)", f"{month12_dbt / month3_dbt:.2f}"),
            ("month cost, 12 vs 3 months of history (wall)", f"{month12_wall / month3_wall:.2f}"),
        ],
        {
            "full_refresh": [full_wall, full_dbt],
            "month_12": [month12_wall, month12_dbt],
            "month_3": [month3_wall, month3_dbt],
        },
    )


if __name__ == "__main__":
    main()
