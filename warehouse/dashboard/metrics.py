"""The metrics, queried by name through MetricFlow's engine kept in-process.

On the embedded default (``dev``) the engine reads the published copy of the DuckDB
warehouse through a read-only connection (a dashboard never locks the file the next
build writes). With ``DBT_TARGET=prod`` it runs on Snowflake through dbt's Snowflake
adapter, as the ``mf`` command does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from metricflow.data_table.mf_table import MetricFlowDataTable
from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
from metricflow.protocols.sql_client import SqlEngine
from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
from metricflow.sql.render.sql_plan_renderer import SqlPlanRenderer
from metricflow_semantics.model.dbt_manifest_parser import (
    parse_manifest_from_dbt_generated_manifest,
)
from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup
from metricflow_semantics.sql.sql_bind_parameters import SqlBindParameterSet

from warehouse.dbt import flags, invoke
from warehouse.errors import MetricsUnavailable

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "published"
MARTS_SCHEMA = "main_marts"
STAGING_SCHEMA = "main_staging"
NO_PARAMETERS = SqlBindParameterSet()


class DuckDbSqlClient:
    """MetricFlow's SqlClient over one read-only DuckDB connection."""

    def __init__(self, database: Path) -> None:
        self._connection = duckdb.connect(str(database), read_only=True)
        self._renderer = DuckDbSqlPlanRenderer()

    @property
    def sql_engine_type(self) -> SqlEngine:
        return SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self) -> SqlPlanRenderer:
        return self._renderer

    @property
    def catalog(self) -> str:
        row = self._connection.execute("select current_database()").fetchone()
        assert row is not None
        return str(row[0])

    def query(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS
    ) -> MetricFlowDataTable:
        cursor = self._connection.cursor()
        cursor.execute(stmt, dict(sql_bind_parameter_set.param_dict) or None)
        names = [d[0] for d in cursor.description]
        return MetricFlowDataTable.create_from_rows(column_names=names, rows=cursor.fetchall())

    def execute(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS
    ) -> None:
        self._connection.cursor().execute(stmt, dict(sql_bind_parameter_set.param_dict) or None)

    def dry_run(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS
    ) -> None:
        self._connection.cursor().execute(f"explain {stmt}")

    def close(self) -> None:
        self._connection.close()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"

    def frame(self, sql: str, parameters: Sequence[Any] = ()) -> pd.DataFrame:
        return self._connection.cursor().execute(sql, list(parameters)).df()


def _relocated(manifest: dict[str, Any], catalog: str) -> dict[str, Any]:
    """The semantic manifest with every relation in ``catalog``: DuckDB names a file's
    catalog after the file, and the copy the dashboard reads may not be the file dbt built."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            relation = node.get("node_relation")
            if isinstance(relation, dict) and relation.get("schema_name"):
                relation["database"] = catalog
                relation["relation_name"] = (
                    f'"{catalog}"."{relation["schema_name"]}"."{relation["alias"]}"'
                )
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(manifest)
    return manifest


def _frame(table: MetricFlowDataTable) -> pd.DataFrame:
    return pd.DataFrame(list(table.rows), columns=list(table.column_names))


@dataclass
class Metrics:
    """The engine and the SQL client it runs on: metrics by name, and plain SQL for the
    pages that list rows (triangles, large losses, data quality)."""

    engine: MetricFlowEngine
    client: Any

    def query(
        self,
        metrics: Sequence[str] = (),
        group_by: Sequence[str] = (),
        where: Sequence[str] = (),
        order_by: Sequence[str] = (),
        saved_query: str | None = None,
    ) -> pd.DataFrame:
        request = MetricFlowQueryRequest.create(
            saved_query_name=saved_query,
            metric_names=list(metrics) or None,
            group_by_names=list(group_by) or None,
            where_constraints=list(where) or None,
            order_by_names=list(order_by) or None,
        )
        result = self.engine.query(request)
        assert result.result_df is not None
        return _frame(result.result_df)

    def explain(self, metrics: Sequence[str], group_by: Sequence[str] = ()) -> str:
        request = MetricFlowQueryRequest.create(
            metric_names=list(metrics), group_by_names=list(group_by) or None
        )
        return self.engine.explain(request).sql_statement.without_descriptions.sql

    def sql(self, sql: str, parameters: Sequence[Any] = ()) -> pd.DataFrame:
        if isinstance(self.client, DuckDbSqlClient):
            return self.client.frame(sql, parameters)
        if parameters:
            raise ValueError("parameters are supported on DuckDB only")
        return _frame(self.client.query(sql))

    def relation(self, name: str, schema: str = MARTS_SCHEMA) -> str:
        """A mart's (or staging model's) name as the engine's SQL names it."""
        if isinstance(self.client, DuckDbSqlClient):
            return f"{schema}.{name}"
        snowflake_schema = os.environ.get("SNOWFLAKE_SCHEMA", "ANALYTICS")
        suffix = schema.split("_", 1)[1].upper()
        return f"{snowflake_schema}_{suffix}.{name}"


def duckdb_metrics(
    database: Path = PUBLISHED / "warehouse.duckdb",
    manifest: Path = PUBLISHED / "semantic_manifest.json",
) -> Metrics:
    """The engine over a DuckDB warehouse (by default the published copy)."""
    for path in (database, manifest):
        if not path.exists():
            raise MetricsUnavailable(
                f"{path} does not exist: `make run` builds the warehouse and publishes it"
            )
    client = DuckDbSqlClient(database)
    semantic = _relocated(json.loads(manifest.read_text()), client.catalog)
    lookup = SemanticManifestLookup(
        parse_manifest_from_dbt_generated_manifest(json.dumps(semantic))
    )
    return Metrics(MetricFlowEngine(semantic_manifest_lookup=lookup, sql_client=client), client)


def snowflake_metrics(
    project_dir: Path = ROOT, profiles_dir: Path = ROOT, manifest: Path | None = None
) -> Metrics:
    """The engine on the ``prod`` target (Snowflake) through dbt's adapter, as ``mf``
    builds it, without connecting until the first query: the profile's credentials, the
    project's target/semantic_manifest.json (``dbt parse`` on the prod target writes it)."""
    from dbt.adapters.factory import get_adapter_by_type, register_adapter
    from dbt.config.runtime import RuntimeConfig, load_profile, load_project
    from dbt.flags import get_flags
    from dbt.mp_context import get_mp_context
    from dbt_metricflow.cli.dbt_connectors.adapter_backed_client import AdapterBackedSqlClient

    # `dbt debug --config-dir` sets dbt's global flags and connects to nothing
    invoke(["debug", "--config-dir", "--quiet", *flags(project_dir, profiles_dir=profiles_dir)])
    profile = load_profile(project_root=str(project_dir), cli_vars={})
    project = load_project(str(project_dir), version_check=False, profile=profile)
    register_adapter(RuntimeConfig.from_parts(project, profile, get_flags()), get_mp_context())
    client = AdapterBackedSqlClient(get_adapter_by_type(profile.credentials.type))
    path = manifest or project_dir / "target" / "semantic_manifest.json"
    if not path.exists():
        raise MetricsUnavailable(f"{path} does not exist: run `dbt parse` on the prod target")
    lookup = SemanticManifestLookup(parse_manifest_from_dbt_generated_manifest(path.read_text()))
    return Metrics(MetricFlowEngine(semantic_manifest_lookup=lookup, sql_client=client), client)


def metrics_for_target(target: str | None = None) -> Metrics:
    """``DBT_TARGET`` (default dev): the published DuckDB copy, or Snowflake for prod."""
    target = target or os.environ.get("DBT_TARGET", "dev")
    if target == "dev":
        published = Path(os.environ.get("WAREHOUSE_PUBLISHED", PUBLISHED))
        return duckdb_metrics(published / "warehouse.duckdb", published / "semantic_manifest.json")
    manifest = os.environ.get("WAREHOUSE_SEMANTIC_MANIFEST")
    return snowflake_metrics(manifest=Path(manifest) if manifest else None)
