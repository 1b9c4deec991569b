"""Data-quality checks on every loaded batch, with Great Expectations.

The suite lives in ``expectations/job_postings_batch.json`` (reviewable, versioned with the code).
Placeholders in it: ``$enum:<pg type>`` is that enum's labels, ``$now+1d`` is tomorrow. Results are
summed over a file's batches into one report per expectation, which the Dagster asset turns into
asset checks that name each failing expectation.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.db.enums import PG_ENUMS

SUITE_PATH = Path(__file__).resolve().parent / "expectations" / "job_postings_batch.json"


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str  # e.g. expect_column_values_to_not_be_null(title)
    success: bool
    element_count: int
    unexpected_count: int
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class QualityReport:
    outcomes: dict[str, ExpectationOutcome] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes.values())

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes.values() if not o.success]

    def merge(self, other: QualityReport) -> QualityReport:
        merged = dict(self.outcomes)
        for name, outcome in other.outcomes.items():
            previous = merged.get(name)
            if previous is None:
                merged[name] = outcome
                continue
            merged[name] = ExpectationOutcome(
                name=name,
                success=previous.success and outcome.success,
                element_count=previous.element_count + outcome.element_count,
                unexpected_count=previous.unexpected_count + outcome.unexpected_count,
                examples=(previous.examples + outcome.examples)[:5],
            )
        return QualityReport(merged)


def _resolve(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("$enum:"):
        return [m.value for m in PG_ENUMS[value.removeprefix("$enum:")]]
    if value == "$now+1d":
        return (dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)).isoformat()
    return value


def suite_definition(path: Path = SUITE_PATH) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["expectations"]


def _columns(spec: dict[str, Any]) -> list[str]:
    kwargs = spec["kwargs"]
    return [str(kwargs[k]) for k in ("column", "column_A", "column_B") if k in kwargs]


def _label(spec: dict[str, Any]) -> str:
    return f"{spec['type']}({', '.join(_columns(spec))})"


@cache
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    # Batches are validated many times per run; per-metric progress bars would flood the logs.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _expectation(spec: dict[str, Any]) -> Any:
    import great_expectations as gx

    class_name = "".join(part.capitalize() for part in spec["type"].split("_"))
    kwargs = {key: _resolve(value) for key, value in spec["kwargs"].items()}
    # Date bounds are written as ISO strings in the suite; GX compares them as datetimes.
    for bound in ("min_value", "max_value"):
        if isinstance(kwargs.get(bound), str):
            kwargs[bound] = dt.datetime.fromisoformat(kwargs[bound])
    return getattr(gx.expectations, class_name)(**kwargs)


def validate_postings(
    frame: pl.DataFrame, suite: list[dict[str, Any]] | None = None
) -> QualityReport:
    """Run the suite on one batch of normalised postings."""
    import great_expectations as gx

    specs = suite if suite is not None else suite_definition()
    context = _context()
    name = f"postings_{id(frame)}"
    source = context.data_sources.add_or_update_pandas(name)
    asset = source.add_dataframe_asset(name)
    definition = asset.add_batch_definition_whole_dataframe(name)
    # Only the columns the suite reads cross into pandas: the descriptions and raw records are
    # most of a batch's bytes and no expectation looks at them.
    checked = list(dict.fromkeys(column for spec in specs for column in _columns(spec)))
    batch = definition.get_batch(batch_parameters={"dataframe": frame.select(checked).to_pandas()})
    expectation_suite = gx.ExpectationSuite(
        name=name, expectations=[_expectation(spec) for spec in specs]
    )
    results = batch.validate(expectation_suite, result_format="SUMMARY")
    outcomes: dict[str, ExpectationOutcome] = {}
    for spec, result in zip(specs, results.results, strict=True):
        details = result.result or {}
        label = _label(spec)
        outcomes[label] = ExpectationOutcome(
            name=label,
            success=bool(result.success),
            element_count=int(details.get("element_count") or frame.height),
            unexpected_count=int(details.get("unexpected_count") or 0),
            examples=tuple(str(v) for v in (details.get("partial_unexpected_list") or [])[:5]),
        )
    context.data_sources.delete(name)
    return QualityReport(outcomes)
