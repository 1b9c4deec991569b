"""Record the public marts' contracts (every column and its type, per model version) in
dbt_project/contracts/public_marts.json, after adding columns or a new model version:

    .venv/bin/python -m tools.contract_snapshot

The test suite compares the dbt manifest with this file: a column of a recorded version that
disappears or changes type fails it (that is a new model version, not an edit).
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.dbt import ensure_manifest
from pipelines.settings import get_settings


def public_contracts() -> dict[str, dict[str, str]]:
    """``{model or model.vN: {column: data_type}}`` for every public model in the manifest."""
    manifest = json.loads(ensure_manifest(force=True).read_text(encoding="utf-8"))
    contracts = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node.get("access") != "public":
            continue
        name = node["name"] + (f".v{node['version']}" if node.get("version") is not None else "")
        contracts[name] = {c["name"]: c.get("data_type") for c in node["columns"].values()}
    return dict(sorted(contracts.items()))


def snapshot_path() -> Path:
    return get_settings().dbt_project_dir / "contracts" / "public_marts.json"


def main() -> None:
    path = snapshot_path()
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(public_contracts(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
