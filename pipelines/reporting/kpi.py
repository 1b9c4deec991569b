"""The KPI report: one static HTML page of charts built from the marts alone.

Engagement (DAU, WAU, MAU and stickiness), the application funnel, sign-up cohort retention as
a heatmap, MRR and churn by plan, automation health by site, and the match model's monitoring
(calibration and precision by score decile). The charts are PNGs embedded in the page, so it
opens offline, from a file, with no script at all; only aggregates of the marts reach it, so it
carries no personal data.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
import psycopg

from pipelines.db.connection import DatabaseTarget, connect
from pipelines.sql_files import read_sql

SECTIONS = ("engagement", "funnel", "cohorts", "subscriptions", "automation", "model_monitoring")
FUNNEL_STAGES = ("swipes", "right_swipes", "queued", "applied", "viewed", "interviews", "offers", "accepted")  # fmt: skip
COLOURS = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2")


def read_marts(conn: psycopg.Connection) -> dict[str, pl.DataFrame]:
    """Every section's rows from the marts (pipelines/reporting/sql); a mart not built yet
    gives an empty section."""
    frames = {}
    for name in SECTIONS:
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(read_sql("pipelines.reporting.sql", name))
                columns = [d.name for d in cur.description or []]
                rows = [
                    tuple(float(v) if isinstance(v, Decimal) else v for v in row)
                    for row in cur.fetchall()
                ]
        except psycopg.errors.UndefinedTable:
            frames[name] = pl.DataFrame()
            continue
        frames[name] = pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)
    return frames


def _png(figure: plt.Figure) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _months(frame: pl.DataFrame, column: str = "month") -> list[str]:
    return [f"{m:%Y-%m}" for m in frame.get_column(column).to_list()]


def engagement_chart(frame: pl.DataFrame) -> str:
    figure, axis = plt.subplots(figsize=(7, 3.6))
    months = _months(frame)
    for (column, label), colour in zip(
        (("mau", "MAU"), ("avg_wau", "average WAU"), ("avg_dau", "average DAU")),
        COLOURS,
        strict=False,
    ):
        axis.plot(
            months, frame.get_column(column).to_numpy(), marker="o", label=label, color=colour
        )
    axis.set(ylabel="active users", title="Active users and stickiness")
    axis.tick_params(axis="x", rotation=45)
    twin = axis.twinx()
    twin.plot(
        months,
        frame.get_column("stickiness_dau_over_mau").to_numpy(),
        linestyle="--",
        color="grey",
        label="stickiness (DAU/MAU)",
    )
    twin.set_ylabel("stickiness")
    lines = axis.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    axis.legend(lines[0] + extra[0], lines[1] + extra[1], loc="center left", fontsize=8)
    return _png(figure)


def funnel_chart(frame: pl.DataFrame) -> str:
    totals = [int(frame.get_column(stage).sum()) for stage in FUNNEL_STAGES]
    figure, axis = plt.subplots(figsize=(7, 3.6))
    positions = np.arange(len(FUNNEL_STAGES))[::-1]
    axis.barh(positions, totals, color=COLOURS[0])
    axis.set_yticks(positions, [s.replace("_", " ") for s in FUNNEL_STAGES])
    axis.set_xscale("symlog")
    for position, total, previous in zip(positions, totals, [None, *totals[:-1]], strict=True):
        rate = f"  {total:,}" + (f"  ({total / previous:.0%} of previous)" if previous else "")
        axis.text(max(total, 1), position, rate, va="center", fontsize=8)
    axis.set(title="Application funnel, every month shown", xlabel="count (log scale)")
    return _png(figure)


def cohort_chart(frame: pl.DataFrame) -> str:
    cohorts = sorted(set(frame.get_column("cohort_month").to_list()))
    horizon = int(frame.get_column("months_since_signup").cast(pl.Int64).to_numpy().max()) + 1
    grid = np.full((len(cohorts), horizon), np.nan)
    row = {c: i for i, c in enumerate(cohorts)}
    for cohort, months, rate in frame.select(
        "cohort_month", "months_since_signup", "retention_rate"
    ).iter_rows():
        grid[row[cohort], int(months)] = float(rate)
    figure, axis = plt.subplots(figsize=(7, 0.45 * len(cohorts) + 1.6))
    image = axis.imshow(grid, aspect="auto", cmap="Blues", vmin=0, vmax=1)
    for (i, j), value in np.ndenumerate(grid):
        if not np.isnan(value):
            axis.text(
                j,
                i,
                f"{value:.0%}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > 0.5 else "black",
            )
    axis.set_yticks(range(len(cohorts)), [f"{c:%Y-%m}" for c in cohorts])
    axis.set_xticks(range(horizon))
    axis.set(
        xlabel="months since sign-up",
        ylabel="sign-up cohort",
        title="Cohort retention (share active)",
    )
    figure.colorbar(image, ax=axis, fraction=0.03)
    return _png(figure)


def subscriptions_chart(frame: pl.DataFrame) -> str:
    months = sorted(set(frame.get_column("month").to_list()))
    plans = sorted(set(frame.get_column("plan").to_list()))
    figure, (revenue, churn) = plt.subplots(1, 2, figsize=(9, 3.6))
    bottom = np.zeros(len(months))
    for plan, colour in zip(plans, COLOURS, strict=False):
        by_month = dict(frame.filter(pl.col("plan") == plan).select("month", "mrr").iter_rows())
        values = np.array([float(by_month.get(m) or 0) for m in months])
        revenue.bar([f"{m:%Y-%m}" for m in months], values, bottom=bottom, label=plan, color=colour)
        bottom += values
        churned = dict(frame.filter(pl.col("plan") == plan).select("month", "churned").iter_rows())
        churn.plot(
            [f"{m:%Y-%m}" for m in months],
            [churned.get(m, 0) for m in months],
            marker="o",
            label=plan,
            color=colour,
        )
    revenue.set(title="MRR by plan", ylabel="revenue")
    churn.set(title="Churned subscribers by plan", ylabel="subscribers")
    for axis in (revenue, churn):
        axis.tick_params(axis="x", rotation=45)
        axis.legend(fontsize=8)
    return _png(figure)


def automation_chart(frame: pl.DataFrame) -> str:
    sites = frame.get_column("site").to_list()
    figure, (success, duration) = plt.subplots(1, 2, figsize=(9, 3.4))
    success.barh(sites, frame.get_column("success_rate").fill_null(0).to_numpy(), color=COLOURS[1])
    success.set(xlim=(0, 1), title="Automation success rate by site", xlabel="success rate")
    duration.barh(
        sites, frame.get_column("p95_duration_seconds").fill_null(0).to_numpy(), color=COLOURS[2]
    )
    duration.set(title="p95 run duration by site", xlabel="seconds")
    return _png(figure)


def model_chart(frame: pl.DataFrame) -> str:
    figure, (calibration, precision) = plt.subplots(1, 2, figsize=(9, 3.6))
    predicted = frame.get_column("avg_score").to_numpy().astype(float) / 100.0
    observed = frame.get_column("observed_right_swipe_rate").to_numpy().astype(float)
    calibration.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    calibration.plot(predicted, observed, marker="o", color=COLOURS[0])
    calibration.set(
        xlabel="mean match score / 100",
        ylabel="observed right-swipe rate",
        title="Calibration by score decile",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    precision.bar(frame.get_column("score_decile").to_list(), observed, color=COLOURS[4])
    precision.set(
        xlabel="score decile (10 = highest)",
        ylabel="right swipes / swipes",
        title="Precision by score decile",
        ylim=(0, 1),
    )
    return _png(figure)


CHARTS = {
    "engagement": ("Engagement", engagement_chart),
    "funnel": ("Application funnel", funnel_chart),
    "cohorts": ("Sign-up cohort retention", cohort_chart),
    "subscriptions": ("Revenue and churn", subscriptions_chart),
    "automation": ("Automation health", automation_chart),
    "model_monitoring": ("Match model monitoring", model_chart),
}


def headline(frames: dict[str, pl.DataFrame]) -> list[tuple[str, str]]:
    """The latest month's key figures, as (label, value)."""
    tiles: list[tuple[str, str]] = []
    engagement = frames["engagement"]
    if engagement.height:
        latest = engagement.row(-1, named=True)
        tiles += [
            (f"MAU, {latest['month']:%Y-%m}", f"{int(latest['mau']):,}"),
            ("Stickiness (DAU/MAU)", f"{float(latest['stickiness_dau_over_mau']):.1%}"),
            ("Right-swipe rate", f"{float(latest['right_swipe_rate'] or 0):.1%}"),
        ]
    subscriptions = frames["subscriptions"]
    if subscriptions.height:
        month = subscriptions.get_column("month").max()
        current = subscriptions.filter(pl.col("month") == month)
        tiles += [
            ("MRR", f"{float(current.get_column('mrr').sum()):,.2f}"),
            ("Paying subscribers", f"{int(current.get_column('paying_subscribers').sum()):,}"),
        ]
    automation = frames["automation"]
    if automation.height:
        attempts = float(automation.get_column("attempts").sum())
        tiles.append(
            (
                "Automation success",
                f"{float(automation.get_column('successes').sum()) / attempts:.1%}"
                if attempts
                else "n/a",
            )
        )
    return tiles


@dataclass
class KpiReport:
    path: Path
    sections: list[str] = field(default_factory=list)
    empty_sections: list[str] = field(default_factory=list)


def render(
    frames: dict[str, pl.DataFrame], generated_at: dt.datetime
) -> tuple[str, list[str], list[str]]:
    """The page, the sections drawn and the sections without data."""
    drawn, empty, parts = [], [], []
    for name, (title, chart) in CHARTS.items():
        frame = frames.get(name, pl.DataFrame())
        if frame.height == 0:
            empty.append(name)
            parts.append(
                f'<section id="{name}"><h2>{html.escape(title)}</h2><p class="empty">No data in the marts yet.</p></section>'
            )
            continue
        drawn.append(name)
        parts.append(
            f'<section id="{name}"><h2>{html.escape(title)}</h2>'
            f'<img alt="{html.escape(title)}" src="data:image/png;base64,{chart(frame)}"></section>'
        )
    tiles = "".join(
        f'<div class="tile"><div class="label">{html.escape(label)}</div><div class="value">{html.escape(value)}</div></div>'
        for label, value in headline(frames)
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>JobSwipe KPI report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #111827; background: #f9fafb; }}
h1 {{ margin: 0 0 4px 0; }} .meta {{ color: #6b7280; margin-bottom: 16px; }}
.tiles {{ display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 16px; }}
.tile {{ background: white; border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 14px; min-width: 150px; }}
.label {{ color: #6b7280; font-size: 12px; }} .value {{ font-size: 22px; font-weight: 600; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(640px, 1fr)); gap: 16px; }}
section {{ background: white; border: 1px solid #e5e7eb; border-radius: 8px; padding: 12px; }}
section h2 {{ font-size: 16px; margin: 0 0 8px 0; }} img {{ max-width: 100%; }} .empty {{ color: #9ca3af; }}
</style></head>
<body><h1>JobSwipe KPI report</h1>
<div class="meta">Built from the dbt marts at {generated_at:%Y-%m-%d %H:%M} UTC. Aggregates only: no personal data.</div>
<div class="tiles">{tiles}</div>
<div class="grid">{"".join(parts)}</div>
</body></html>
"""
    return page, drawn, empty


def write_report(
    target: DatabaseTarget, path: Path, generated_at: dt.datetime | None = None
) -> KpiReport:
    """Read the marts, draw every section and write the page (atomically) to ``path``."""
    with connect(target) as conn:
        frames = read_marts(conn)
    page, drawn, empty = render(
        frames, generated_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.html")
    partial.write_text(page, encoding="utf-8")
    partial.replace(path)
    return KpiReport(path=path, sections=drawn, empty_sections=empty)
