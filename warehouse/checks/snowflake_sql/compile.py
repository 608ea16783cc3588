"""Compile orchestration: dbt in this process (:func:`warehouse.dbt.invoke`: the stand-in
adapter, :mod:`.adapter`, is installed in this process, so dbt must run here), for the
Snowflake target; what it compiled, as SQL texts to check (:class:`CompiledSql`)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.checks.snowflake_sql.adapter import OfflineSnowflake
from warehouse.checks.snowflake_sql.rules import check_file_name_expressions, stage_prefix
from warehouse.dbt import environment_applied, flags, invoke, variables

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_TARGET = "prod"
OFFLINE_PROJECT = REPO_ROOT / "offline"
PACKAGES_VARIABLE = "DBT_PACKAGES_INSTALL_PATH"  # read by the root's dbt_project.yml
# The landing sources with an `external` block (external tables on Snowflake).
EXTERNAL_SOURCES = (
    "insureds",
    "reinsurance_treaties",
    "specialty_lines",
    "policies",
    "claims",
    "manifests",
)


# --- compiling the project ---------------------------------------------------------------------


@dataclass
class CompiledSql:
    """One piece of SQL to check: ``label`` names its node (and pass) in the report."""

    label: str
    path: str
    sql: str


@dataclass
class CompileResult:
    sql: list[CompiledSql] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # label -> compile error
    problems: dict[str, list[str]] = field(default_factory=dict)  # label -> other problems
    node_count: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def offline_environment(values: Mapping[str, str]) -> contextlib.AbstractContextManager[None]:
    """Set variables that are not set; restore the environment afterwards."""
    return environment_applied(values, override=False)


# The prod profile reads these without a default; offline they only need to exist.
OFFLINE_ENV = {
    "SNOWFLAKE_ACCOUNT": "offline-check",
    "SNOWFLAKE_PRIVATE_KEY_PATH": os.devnull,
}


def invoke_dbt(args: list[str]) -> Any:
    return invoke(args)


def _where(
    project_dir: Path, profiles_dir: Path, target: str, work: Path
) -> tuple[dict[str, str], list[str]]:
    """The environment (the profile's placeholders, unless set) and the options of a
    compile for ``target``, writing under ``work``."""
    env = variables(profiles_dir=profiles_dir, target=target, extra=OFFLINE_ENV)
    options = flags(
        project_dir,
        profiles_dir=profiles_dir,
        target=target,
        target_path=work / "target",
        log_path=work / "logs",
    )
    return env, [*options, "--quiet", "--no-use-colors", "--no-send-anonymous-usage-stats"]


def _relations_from_manifest(manifest: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    relations: dict[tuple[str, str], dict[str, str]] = {}
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        if node["resource_type"] not in {"model", "seed", "snapshot", "source"}:
            continue
        materialized = node.get("config", {}).get("materialized")
        if materialized == "ephemeral" or node.get("config", {}).get("enabled") is False:
            continue
        identifier = node.get("alias") or node.get("identifier") or node["name"]
        kind = "VIEW" if materialized == "view" else "TABLE"
        if node["resource_type"] == "source" and node.get("external"):
            kind = "EXTERNAL_TABLE"
        key = (str(node["database"]).upper(), str(node["schema"]).upper())
        relations.setdefault(key, {})[str(identifier).upper()] = kind
    return relations


def _collect(
    result: Any, suffix: str, project_dir: Path, into: CompileResult, *, count: bool
) -> None:
    for run in getattr(result.result, "results", None) or []:
        node = run.node
        label = f"{node.unique_id}{suffix}"
        path = getattr(node, "original_file_path", "") or ""
        if count:
            into.node_count[node.resource_type] = into.node_count.get(node.resource_type, 0) + 1
        status = str(run.status).lower()
        if status.endswith("error") or status.endswith("fail"):
            into.errors[label] = (run.message or "compile error").strip()
            continue
        code = getattr(node, "compiled_code", None)
        if code and code.strip():
            into.sql.append(CompiledSql(label, path, code))


def _source_expressions(manifest: Mapping[str, Any]) -> list[CompiledSql]:
    """Snowflake expressions of the external sources (partitions, column expressions,
    loaded_at_field), each as ``select <expression>``."""
    found = []
    for source in manifest["sources"].values():
        external = source.get("external") or {}
        path = source.get("original_file_path", "")
        label = source["unique_id"]
        expressions = [p.get("expression") for p in external.get("partitions") or []]
        for column in (source.get("columns") or {}).values():
            meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
            expressions.append(meta.get("expression"))
        if source.get("loaded_at_field"):
            expressions.append(source["loaded_at_field"])
        for expression in expressions:
            if expression:
                found.append(CompiledSql(f"{label} (expression)", path, f"select {expression}"))
    return found


def _contract_probes(manifest: Mapping[str, Any]) -> list[CompiledSql]:
    """What dbt-snowflake sends to check an enforced contract, ``select cast(null as
    <declared type>) as <column>, ... where false limit 0``: the declared types go to
    Snowflake verbatim, so a type of another engine (DuckDB's ``hugeint``) fails there."""
    probes = []
    for node in manifest["nodes"].values():
        config = node.get("config") or {}
        if node["resource_type"] != "model" or not (config.get("contract") or {}).get("enforced"):
            continue
        columns = [
            f"cast(null as {c['data_type']}) as {name}"
            for name, c in (node.get("columns") or {}).items()
            if c.get("data_type")
        ]
        if columns:
            sql = "select " + ", ".join(columns) + " where false limit 0"
            label = f"{node['unique_id']} (contract probe)"
            probes.append(CompiledSql(label, node["original_file_path"], sql))
    return probes


def compile_project(
    project_dir: Path,
    *,
    target: str = DEFAULT_TARGET,
    profiles_dir: Path | None = None,
    work_dir: Path | None = None,
) -> CompileResult:
    """Compile ``project_dir`` for a Snowflake target, offline; return the SQL to check."""
    project_dir = project_dir.resolve()
    work = Path(work_dir or tempfile.mkdtemp(prefix="snowflake-sql-"))
    target_path = work / "target"
    env, common = _where(project_dir, (profiles_dir or project_dir).resolve(), target, work)
    out = CompileResult()
    offline = OfflineSnowflake()
    with offline_environment(env), offline.active():
        first = invoke_dbt(["compile", *common])
        if first.result is None and first.exception is not None:
            out.errors["project"] = f"dbt compile failed: {first.exception}"
            return out
        adapter_type = _adapter_type(target_path)
        if adapter_type != "snowflake":
            out.errors["project"] = f"target {target!r} is a {adapter_type} target, not snowflake"
            return out
        _collect(first, "", project_dir, out, count=True)
        manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
        out.sql += _source_expressions(manifest)
        out.sql += _contract_probes(manifest)
        out.problems.update(check_file_name_expressions(manifest, stage_prefix(project_dir)))

        incremental = [
            n["unique_id"]
            for n in manifest["nodes"].values()
            if n["resource_type"] == "model"
            and n.get("config", {}).get("materialized") == "incremental"
        ]
        if incremental:
            offline.relations = _relations_from_manifest(manifest)
            second = invoke_dbt(["compile", *common, "--select", "config.materialized:incremental"])
            _collect(second, " (incremental run)", project_dir, out, count=False)
            out.notes.append(
                f"{len(incremental)} incremental model(s) compiled again with their"
                " relations present (is_incremental() true)"
            )
    for query in offline.queries:
        out.sql.append(
            CompiledSql(f"{query.node} (compile-time query, {query.answer})", "", query.sql)
        )
    return out


def stage_external_sources(
    project_dir: Path,
    packages_dir: Path,
    *,
    target: str = DEFAULT_TARGET,
    profiles_dir: Path | None = None,
    work_dir: Path | None = None,
    existing: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
) -> CompileResult:
    """`dbt run-operation stage_external_sources` at the root with its hub packages
    (``packages_dir``), for Snowflake, offline: the statements it would send. With no
    ``existing`` relations dbt-external-tables plans a first run (schema, then each
    external table); with the external tables in ``existing`` ({(DATABASE, SCHEMA):
    {TABLE: "EXTERNAL_TABLE"}}), a daily run."""
    project_dir = project_dir.resolve()
    work = Path(work_dir or tempfile.mkdtemp(prefix="snowflake-stage-"))
    out = CompileResult()
    offline = OfflineSnowflake(existing)
    env, common = _where(project_dir, (profiles_dir or REPO_ROOT).resolve(), target, work)
    with (
        offline_environment({**env, PACKAGES_VARIABLE: str(packages_dir.resolve())}),
        offline.active(),
    ):
        result = invoke_dbt(["run-operation", "stage_external_sources", *common])
    if not result.success:
        out.errors["stage_external_sources"] = str(result.exception or "run-operation failed")
    for query in offline.queries:
        out.sql.append(CompiledSql(f"stage_external_sources ({query.answer})", "", query.sql))
    out.node_count["external-table statement"] = len(offline.queries)
    return out


def _adapter_type(target_path: Path) -> str | None:
    manifest = target_path / "manifest.json"
    if not manifest.exists():
        return None
    metadata: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))["metadata"]
    adapter_type = metadata.get("adapter_type")
    return None if adapter_type is None else str(adapter_type)
