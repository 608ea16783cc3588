"""Personal data (docs/access.md): one source of truth, the columns' `meta.contains_pii`.

From it, offline and without Snowflake:
- the manifest walk: no tagged column reaches the reporting layer (models/marts/), by the
  column's own tag or by name from any ancestor (column lineage by name through refs);
- the masking tags: the post-hook statements compiled for Snowflake cover exactly the tagged
  columns below the reporting layer, parse as Snowflake SQL, and name the tag that
  terraform/admin/account_setup.sql creates with its masking policies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlglot

from warehouse.checks import snowflake_sql as sf
from warehouse.runner.tests.conftest import large_scale

pytestmark = pytest.mark.cost(15)

ROOT = Path(__file__).resolve().parents[3]
OFFLINE = ROOT / "offline"
ACCOUNT_SETUP = ROOT / "terraform" / "admin" / "account_setup.sql"
REPORTING_PATH = "models/marts/"
PII_TAG = "INSURANCE.GOVERNANCE.PII"
# What personal data the project holds, by column name: every one must be tagged wherever a
# model below the reporting layer keeps it, and none may reach the reporting layer.
PERSONAL_COLUMNS = frozenset(
    {
        "full_name",
        "email",
        "phone",
        "date_of_birth",
        "address_line",
        "postal_code",
        "underwriter_name",
        "broker_name",
        "adjuster_name",
        "raw_line",
    }
)
# Raw lines are personal where the record is (insureds, policies, claims).
PERSONAL_RAW_LINES = frozenset(
    {"base_landing__insureds", "base_landing__policies", "base_landing__claims"}
)
TAG_STATEMENT = re.compile(
    r"^alter (table|view) (\w+)\.(\w+)\.(\w+) modify "
    r"(column \"(\w+)\" set tag ([\w.]+) = 'personal'(, )?)+$",
    re.IGNORECASE,
)
TAG_CLAUSE = re.compile(r"column \"(\w+)\" set tag ([\w.]+) = 'personal'", re.IGNORECASE)


@dataclass(frozen=True)
class Compiled:
    manifest: dict[str, Any]
    statements: list[str]


def compile_tags(work: Path, *extra: str) -> Compiled:
    """`pii_tag_statements()` compiled for the Snowflake target, offline; and the manifest."""
    offline = sf.OfflineSnowflake()
    target = work / "target"
    with sf._environment(sf.OFFLINE_ENV), offline.active():
        result = sf._invoke(
            [
                "compile",
                "--project-dir",
                str(OFFLINE),
                "--profiles-dir",
                str(ROOT),
                "--target",
                "prod",
                "--target-path",
                str(target),
                "--log-path",
                str(work / "logs"),
                "--quiet",
                "--no-send-anonymous-usage-stats",
                *extra,
                "--inline",
                "{{ pii_tag_statements() }}",
            ]
        )
    assert result.success, result.exception
    code = result.result.results[0].node.compiled_code
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    statements = [s.strip().rstrip(";") for s in code.split(";\n")]
    return Compiled(manifest, [s for s in statements if s])


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    return compile_tags(tmp_path_factory.mktemp("pii-tags"))


def own_nodes(manifest: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        if node["package_name"] == "insurance_warehouse" and node["resource_type"] != "test":
            yield node


def tagged(node: dict[str, Any]) -> set[str]:
    names = set()
    for name, column in (node.get("columns") or {}).items():
        meta = {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
        if meta.get("contains_pii"):
            names.add(name.lower())
    return names


def is_reporting(node: dict[str, Any]) -> bool:
    path = node["original_file_path"].replace("\\", "/")
    return node["resource_type"] == "model" and f"/{REPORTING_PATH}" in f"/{path}"


def ancestors(manifest: dict[str, Any], unique_id: str) -> set[str]:
    parents = {**manifest["parent_map"]}
    seen: set[str] = set()
    todo = list(parents.get(unique_id, []))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(parents.get(current, []))
    return seen


def reporting_leaks(manifest: dict[str, Any]) -> list[str]:
    """Tagged columns that reach a reporting model, by its own tag or by name from upstream."""
    nodes = {n["unique_id"]: n for n in own_nodes(manifest)}
    leaks = []
    for node in nodes.values():
        if not is_reporting(node):
            continue
        columns = {c.lower() for c in node.get("columns") or {}}
        for name in sorted(tagged(node)):
            leaks.append(f"{node['name']}.{name} is tagged contains_pii")
        for parent in sorted(ancestors(manifest, node["unique_id"])):
            if parent in nodes:
                for name in sorted(tagged(nodes[parent]) & columns):
                    leaks.append(f"{node['name']}.{name} comes from {nodes[parent]['name']}")
    return leaks


# -- the manifest walk -----------------------------------------------------------------------
def test_reporting_models_document_their_columns(compiled: Compiled) -> None:
    reporting = [n for n in own_nodes(compiled.manifest) if is_reporting(n)]
    assert len(reporting) >= 10
    assert [n["name"] for n in reporting if not n.get("columns")] == []


def test_no_tagged_column_reaches_the_reporting_layer(compiled: Compiled) -> None:
    assert reporting_leaks(compiled.manifest) == []


def test_personal_columns_are_tagged_wherever_they_are_kept(compiled: Compiled) -> None:
    untagged = []
    for node in own_nodes(compiled.manifest):
        names = {c.lower() for c in node.get("columns") or {}}
        personal = names & PERSONAL_COLUMNS
        if node["name"] in PERSONAL_RAW_LINES:
            personal |= names & {"line"}
        untagged += [f"{node['name']}.{c}" for c in sorted(personal - tagged(node))]
    assert untagged == []


def test_the_walk_catches_a_tagged_column_in_a_mart(compiled: Compiled) -> None:
    manifest = json.loads(json.dumps(compiled.manifest))
    dim = next(n for n in own_nodes(manifest) if n["name"] == "dim_insureds")
    # a name carried up from staging, untagged in the mart: caught by lineage
    dim["columns"]["full_name"] = {"name": "full_name", "meta": {}, "config": {"meta": {}}}
    # a column tagged in the mart itself
    dim["columns"]["birth_year"]["meta"] = {"contains_pii": True}
    leaks = reporting_leaks(manifest)
    assert "dim_insureds.full_name comes from int_insureds__versions" in leaks
    assert "dim_insureds.birth_year is tagged contains_pii" in leaks


# -- masking on Snowflake --------------------------------------------------------------------
def test_tag_statements_parse_as_snowflake_sql(compiled: Compiled) -> None:
    assert compiled.statements
    for statement in compiled.statements:
        sqlglot.parse_one(statement, read="snowflake")  # raises on a syntax error
        assert TAG_STATEMENT.match(statement.strip()), statement
        assert {t for _, t in TAG_CLAUSE.findall(statement)} == {PII_TAG}


def test_every_tagged_column_below_reporting_is_masked(compiled: Compiled) -> None:
    expected = {
        (node["alias"].lower(), column)
        for node in own_nodes(compiled.manifest)
        if node["resource_type"] in {"model", "snapshot"}
        for column in tagged(node)
    }
    masked = {
        (TAG_STATEMENT.match(s.strip()).group(4).lower(), column.lower())  # type: ignore[union-attr]
        for s in compiled.statements
        for column, _ in TAG_CLAUSE.findall(s)
    }
    assert masked == expected
    tables = {t for t, _ in masked}
    assert {"stg_landing__insureds", "snap_insureds", "int_insureds__versions"} <= tables
    assert {"base_landing__insureds", "stg_landing__quarantine", "snap_policies"} <= tables


def test_every_model_and_snapshot_reapplies_the_tags_after_its_build(compiled: Compiled) -> None:
    missing = [
        node["name"]
        for node in own_nodes(compiled.manifest)
        if node["resource_type"] in {"model", "snapshot"}
        and not any("apply_pii_tags" in h["sql"] for h in node["config"].get("post-hook", []))
    ]
    assert missing == []


def test_account_setup_creates_the_tag_and_its_policies() -> None:
    sql = " ".join(ACCOUNT_SETUP.read_text(encoding="utf-8").lower().split())
    assert f"create tag if not exists {PII_TAG.lower()}" in sql
    attach = re.search(rf"alter tag {PII_TAG.lower()} set ([^;]+);", sql)
    assert attach is not None
    policies = re.findall(r"create masking policy if not exists ([\w.]+)", sql)
    assert len(policies) >= 2
    for policy in policies:
        assert f"masking policy {policy}" in attach.group(1)
    assert "is_role_in_session('pii_reader')" in sql


@pytest.mark.skipif(not large_scale(), reason="a second offline compile: make test-slow")
def test_the_var_switches_the_tags_off(tmp_path: Path) -> None:
    off = compile_tags(tmp_path, "--vars", "{snowflake_masking_policies: false}")
    assert off.statements == []
