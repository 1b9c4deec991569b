# The two commands of the README. Both set everything up on a fresh clone (a virtualenv in .venv
# with the project and the exact, hash-checked versions of requirements.lock) before they run.
#   make demo   the whole platform end to end (embedded PostgreSQL unless DATABASE_URL is set)
#   make test   the full test suite (real PostgreSQL, real dbt, real Dagster)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install lock browser screenshots bench-daily bench-shards bench-simulate bench-ingest bench-marts bench-model bench-reliability bench-load

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	@touch $(STAMP)

install: $(STAMP)

# Re-resolves requirements.lock: the newest versions inside pyproject.toml's ranges, with hashes,
# for CPython 3.11 on x86_64 Linux (the machines and the image). Commit the result.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra deploy --generate-hashes \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 --quiet \
		--custom-compile-command 'make lock' -o requirements.lock

demo: $(STAMP)
	$(BIN)/jobswipe demo

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests
	$(BIN)/python -m pytest

# Debian's Chromium renders the KPI report in a test (and takes the README's pictures).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The README's pictures of the Dagster UI (asset graph, run timeline), by headless Chromium.
screenshots: $(STAMP)
	$(BIN)/python -m tools.screenshots

# Medium simulation (10k users, ~1M swipes, 12 months) timed against a raw COPY of its rows.
bench-simulate: $(STAMP)
	$(BIN)/python -m benchmarks.simulate_throughput --scale medium --months 12

# 1M generated postings ingested end to end, timed against a raw COPY of the normalised rows.
bench-ingest: $(STAMP)
	$(BIN)/python -m benchmarks.ingest_throughput --rows 1000000

# Monthly marts on the medium simulation: one incremental month vs a full refresh; 3 vs 12 months of history.
bench-marts: $(STAMP)
	$(BIN)/python -m benchmarks.marts_incremental

# Match-score model on the medium simulation, in both simulated worlds (taste models): quality vs
# baselines and oracle, the feed vs the oracle, scoring, recommendation and write-back speed.
bench-model: $(STAMP)
	$(BIN)/python -m benchmarks.match_model --taste-model additive
	$(BIN)/python -m benchmarks.match_model --taste-model screening

# Reliability: employer attribution on a board-URL export, 10,000+ corrupted feeds, RLS and roles,
# faults, injection, the leak search; then the app's load beside the pipeline (docs/reliability.md).
bench-reliability: $(STAMP)
	$(BIN)/python -m benchmarks.reliability
	$(BIN)/python -m benchmarks.app_load --nice 10 --keep-world --serial
	$(BIN)/python -m benchmarks.app_load --nice 10 --keep-world

# One day of the schedules (ingest, partitions, rescoring + recommendations, the month's marts,
# retention, freshness) on the 12-month world, each step's time and peak RSS, at both scales.
# The worlds are prepared once and kept in template databases (large: about an hour the first time).
bench-daily: $(STAMP)
	$(BIN)/python -m benchmarks.daily_cycle --scale medium --keep-world
	$(BIN)/python -m benchmarks.daily_cycle --scale large --keep-world

# Scoring by user shard: one process over 16 shards vs two side by side (docs/scaling.md).
bench-shards: $(STAMP)
	$(BIN)/python -m benchmarks.scoring_shards

# The app's workload (16 RLS connections) idle and beside an ingest, a mart month and a full write-back.
bench-load: $(STAMP)
	$(BIN)/python -m benchmarks.app_load --nice 10
