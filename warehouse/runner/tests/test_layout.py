"""The two dbt projects over one set of folders, and what every node must declare.

The root is the warehouse with its hub packages; `offline/` runs the same folders without
them. Both must agree on everything but the hub, and every model, source, seed, snapshot
and analysis must be documented (a block indented one level too deep silently loses its
model's description, grain and tests: the manifest shows it, the YAML parser does not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from warehouse.runner.modes import OFFLINE, PACKAGES_VARIABLE, ROOT

pytestmark = pytest.mark.cost(50)

DBT = str(Path(sys.executable).with_name("dbt"))
PATH_KEYS = (
    "model-paths",
    "analysis-paths",
    "test-paths",
    "seed-paths",
    "macro-paths",
    "snapshot-paths",
)
# What only the root (full mode) configures: the package install path, the package
# dispatch and flags, and the variables read by hub packages only.
HUB_ONLY_KEYS = ("packages-install-path", "dispatch", "flags")
HUB_ONLY_VARS = (
    "dbt_date:time_zone",
    "anomaly_sensitivity",
    "min_training_set_size",
    "days_back",
    "backfill_days",
    "test_sample_row_count",
    "exclude_packages",
    "primary_key_test_macros",
    "model_types",
    "marts_prefixes",
)


def _project(folder: Path) -> dict[str, Any]:
    return yaml.safe_load((folder / "dbt_project.yml").read_text())


def dbt_parse(project: Path, target: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DBT, "parse", "--project-dir", str(project), "--target-path", str(target)],
        env={
            **os.environ,
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DUCKDB_PATH": str(target / "parse.duckdb"),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def offline_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    target = tmp_path_factory.mktemp("offline-parse")
    done = dbt_parse(OFFLINE, target)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((target / "manifest.json").read_text())


def test_offline_project_is_the_root_without_the_hub():
    root, offline = _project(ROOT), _project(OFFLINE)
    for key in PATH_KEYS:
        assert offline[key] == [f"../{p}" for p in root[key]], key
    for key in HUB_ONLY_KEYS:
        assert key in root and key not in offline, key
    assert root["vars"]["hub_packages"] is True
    assert offline["vars"]["hub_packages"] is False
    root_vars = {k: v for k, v in root["vars"].items() if k not in HUB_ONLY_VARS}
    assert {**root_vars, "hub_packages": False} == offline["vars"]
    root_models = {k: v for k, v in root["models"].items() if k != "elementary"}
    assert root_models == offline["models"]
    shared = set(root) - set(HUB_ONLY_KEYS) - {"vars", "models", *PATH_KEYS}
    assert {k: root[k] for k in shared} == {k: offline[k] for k in shared}
    assert set(offline) == shared | {"vars", "models", *PATH_KEYS}


def test_hub_packages_are_pinned_at_the_root_and_locked():
    declared = yaml.safe_load((ROOT / "packages.yml").read_text())["packages"]
    locked = yaml.safe_load((ROOT / "package-lock.yml").read_text())
    pins = {p["package"]: str(p["version"]) for p in declared}
    assert pins == {
        "dbt-labs/dbt_utils": "1.4.1",
        "dbt-labs/dbt_external_tables": "0.12.2",
        "metaplane/dbt_expectations": "0.10.9",
        "godatadriven/dbt_date": "0.21.0",
        "elementary-data/elementary": "0.25.1",
    }
    assert {p["package"]: str(p["version"]) for p in locked["packages"]} == pins
    from dbt.contracts.project import PackageConfig
    from dbt.task.deps import _create_sha1_hash

    # dbt re-resolves (online) when the lock's hash does not match packages.yml
    expected = _create_sha1_hash(PackageConfig.from_dict({"packages": declared}).packages)
    assert locked["sha1_hash"] == expected


def test_root_without_packages_asks_for_dbt_deps(tmp_path):
    done = dbt_parse(ROOT, tmp_path, **{PACKAGES_VARIABLE: str(tmp_path / "none")})
    assert done.returncode != 0
    assert "dbt deps" in done.stdout + done.stderr
    readme = (ROOT / "README.md").read_text()
    assert "--project-dir offline" in readme, "the README must give the offline command"


def _described(node: dict[str, Any]) -> bool:
    return bool((node.get("description") or "").strip())


def test_every_node_and_column_is_documented(offline_manifest):
    own = "insurance_warehouse"
    missing = []
    for node in [*offline_manifest["nodes"].values(), *offline_manifest["sources"].values()]:
        if node["package_name"] != own or node["resource_type"] == "test":
            continue
        if not _described(node):
            missing.append(node["unique_id"])
        for name, column in (node.get("columns") or {}).items():
            if not _described(column):
                missing.append(f"{node['unique_id']}.{name}")
    assert not missing, f"undocumented: {missing}"
    kinds = {n["resource_type"] for n in offline_manifest["nodes"].values()}
    assert {"model", "seed", "snapshot", "analysis"} <= kinds


def _grain_tests(manifest: dict[str, Any]) -> dict[str, list[list[str]]]:
    """For each model, the column lists its key tests cover (unique, unique_combination)."""
    found: dict[str, list[list[str]]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        attached = node.get("attached_node")
        if not attached:
            continue
        kwargs = metadata.get("kwargs") or {}
        if metadata.get("name") == "unique":
            found.setdefault(attached, []).append([kwargs.get("column_name")])
        elif metadata.get("name") == "unique_combination":
            found.setdefault(attached, []).append(list(kwargs.get("columns") or []))
    return found


def test_every_mart_and_history_model_declares_and_tests_its_grain(offline_manifest):
    tests = _grain_tests(offline_manifest)
    problems = []
    models = [
        n
        for n in offline_manifest["nodes"].values()
        if n["resource_type"] == "model"
        and n["package_name"] == "insurance_warehouse"
        and ("/marts/" in n["original_file_path"] or "/history/" in n["original_file_path"])
    ]
    assert len(models) >= 15
    for node in models:
        grain = (node["config"].get("meta") or {}).get("grain")
        if not grain:
            problems.append(f"{node['name']}: no meta.grain")
        elif sorted(grain) not in [sorted(c) for c in tests.get(node["unique_id"], [])]:
            problems.append(f"{node['name']}: no unique test on its grain {grain}")
    assert not problems, problems


def _elementary_tests(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = list(manifest["nodes"].values())
    nodes += [n for versions in manifest.get("disabled", {}).values() for n in versions]
    return [
        n
        for n in nodes
        if (n.get("test_metadata") or {}).get("namespace") == "elementary"
        or ((n.get("config") or {}).get("meta") or {}).get("needs_hub_package") == "elementary"
    ]


def test_no_elementary_monitor_buckets_by_week(offline_manifest):
    """dbt-duckdb counts weeks from Sunday, Elementary's buckets start on Monday: rows fall
    into a NULL bucket and `edr report` crashes. Seven-day buckets instead."""
    monitors = _elementary_tests(offline_manifest)
    assert len(monitors) >= 10
    weekly = [
        n["name"]
        for n in monitors
        if ((n.get("test_metadata") or {}).get("kwargs", {}).get("time_bucket") or {}).get("period")
        == "week"
    ]
    assert not weekly, weekly


def test_root_with_hub_packages_has_the_offline_nodes_and_the_hub_ones(
    offline_manifest, hub_packages, tmp_path
):
    done = dbt_parse(ROOT, tmp_path, **{PACKAGES_VARIABLE: str(hub_packages)})
    assert done.returncode == 0, done.stdout + done.stderr
    root = json.loads((tmp_path / "manifest.json").read_text())

    def own(nodes: dict[str, Any]) -> set[str]:
        return {k for k, n in nodes.items() if n["package_name"] == "insurance_warehouse"}

    def needs_hub(node: dict[str, Any]) -> bool:
        return bool(((node.get("config") or {}).get("meta") or {}).get("needs_hub_package"))

    hub_disabled = {
        key
        for key, versions in offline_manifest["disabled"].items()
        if any(needs_hub(n) for n in versions)
    }
    assert len(hub_disabled) >= 50
    assert own(root["nodes"]) == own(offline_manifest["nodes"]) | hub_disabled
    assert own(root["sources"]) == own(offline_manifest["sources"])
    packages = {m["package_name"] for m in root["macros"].values()}
    assert {"dbt_utils", "dbt_external_tables", "dbt_expectations", "elementary"} <= packages
