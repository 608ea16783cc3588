"""The emulator's worker: dbt builds the offline project on fakesnow, in this process.

Run by :mod:`warehouse.checks.emulator` in fakesnow's own virtual environment
(``.venv-fakesnow``: fakesnow pins a DuckDB and a sqlglot of its own, which fight the
project's pins), as ``python -m warehouse.checks.emulator_worker <plan.json>``. It writes
``result.json`` (and ``statements.jsonl``, every statement dbt sent, as sent) to the plan's
work folder. It imports nothing of the project but :mod:`warehouse.checks.emulator_shims`.

What it does, in one fakesnow instance whose databases are files in the work folder:

1. ``dbt parse``, to read the landing sources (their ``external`` blocks and column
   expressions, rendered) from the manifest.
2. For each run of the plan: the landing "stage" is filled with the lake's files visible
   to that run, and ``dbt`` runs the run's command (``build``).
3. After the last run: every mart's row count and the sum of each numeric column, and the
   staging models' row counts.

**Landing as Snowflake sees it.** Snowflake reads the lake through external tables, which
fakesnow has not. Each landing source is emulated by a plain table holding what the
external table reads (``VALUE``, ``METADATA$FILENAME`` with the stage's prefix, as
Snowflake returns it, and ``METADATA$FILE_ROW_NUMBER``) and a view over it with the
external table's columns, computed by the very expressions of the sources YAML that
dbt-external-tables puts in the external table's DDL (a ``file_name`` that does not strip
the prefix breaks the reconciliation here as on Snowflake). Lines are split on ``\\n``
and bytes that are not UTF-8 replaced by U+FFFD, as the RAW_LINES file format does
(``REPLACE_INVALID_CHARACTERS``).

**Bounded.** Each statement has a time limit: a statement still running after it ends the
process (exit code 3) after writing the statement to ``hung_statement.sql``, since
fakesnow can hang after a failed statement. The caller also bounds the whole process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import json
import os
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

DATABASE = "INSURANCE"
TARGET_SCHEMA = "ANALYTICS"
HUNG_EXIT_CODE = 3
STAGE_TABLE_PREFIX = "_STAGE_"
# The node of the worker's own statements in the log (its stand-ins for the external
# tables), which are not what dbt sends.
SETUP_NODE = "emulator setup"

PROFILE = f"""\
insurance_warehouse:
  target: emulator
  outputs:
    emulator:
      type: snowflake
      account: fakesnow
      user: emulator
      password: emulator
      role: EMULATOR
      warehouse: EMULATOR
      database: {DATABASE}
      schema: {TARGET_SCHEMA}
      threads: 1
"""


# --- the landing stage ----------------------------------------------------------------------


def stage_rows(
    lake: Path,
    external: Mapping[str, Any],
    stage_prefix: str,
    ingest_dates: set[str],
    withheld_sources: set[str],
) -> list[tuple[str, str, int]]:
    """``(value JSON, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER)`` of every record the
    external table over ``external['lake_path']`` reads, for files in the ``ingest_dates``
    folders. JSON documents (the manifests) are one value each; manifest entries of
    ``withheld_sources`` are dropped, as if those feeds had delivered nothing."""
    folder = lake / external["lake_path"]
    rows: list[tuple[str, str, int]] = []
    if not folder.is_dir():
        return rows
    for path in sorted(folder.glob("ingest_date=*/*")):
        if not path.is_file() or path.parent.name.split("=", 1)[1] not in ingest_dates:
            continue
        name = stage_prefix + path.relative_to(lake).as_posix()
        data = path.read_bytes()
        if external.get("lake_format") == "json_document":
            document = json.loads(data)
            if withheld_sources and isinstance(document.get("files"), list):
                document["files"] = [
                    f for f in document["files"] if f.get("source") not in withheld_sources
                ]
            rows.append((json.dumps(document), name, 1))
            continue
        text = data.decode("utf-8", errors="replace")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        rows += [(json.dumps({"c1": line}), name, i) for i, line in enumerate(lines, start=1)]
    return rows


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def landing_view_sql(source: Mapping[str, Any], stage_table: str) -> str:
    """The external table's columns as a view over its stage table: partitions, then
    the declared columns, each by its Snowflake expression."""
    external = source["external"]
    selects = [f"{p['expression']} as {p['name']}" for p in external.get("partitions") or []]
    for name, column in (source.get("columns") or {}).items():
        meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
        if meta.get("expression"):
            selects.append(f"{meta['expression']} as {name}")
    relation = f"{DATABASE}.{source['schema']}.{source['identifier']}"
    return (
        f"create or replace view {relation} as select value, "
        + ", ".join(selects)
        + f" from {DATABASE}.{source['schema']}.{stage_table}"
    )


def plain_table_sql(source: Mapping[str, Any]) -> str:
    """A landing source without an external table (what landing reports): a table with
    its declared columns, empty on Snowflake."""
    columns = ", ".join(
        f"{name} {column.get('data_type') or 'varchar'}"
        for name, column in (source.get("columns") or {}).items()
    )
    relation = f"{DATABASE}.{source['schema']}.{source['identifier']}"
    return f"create table if not exists {relation} ({columns})"


# --- statements: a time limit each, and a log of what dbt sent ------------------------------


class StatementLog:
    """Wraps fakesnow's cursor: every statement is logged (as dbt sent it, before any
    shim) and has ``timeout`` seconds to finish."""

    def __init__(self, path: Path, timeout: float, hung_path: Path) -> None:
        self._file = path.open("a", encoding="utf-8")
        self.timeout = timeout
        self.hung_path = hung_path
        self.node = ""
        self.count = 0
        self.failed: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def write(self, sql: str) -> None:
        with self._lock:
            self.count += 1
            self._file.write(json.dumps({"node": self.node, "sql": sql}) + "\n")

    @contextlib.contextmanager
    def bounded(self, sql: str) -> Iterator[None]:
        def hung() -> None:
            self.hung_path.write_text(sql, encoding="utf-8")
            sys.stderr.write(f"emulator: a statement ran over {self.timeout:.0f} s:\n{sql}\n")
            sys.stderr.flush()
            os._exit(HUNG_EXIT_CODE)

        timer = threading.Timer(self.timeout, hung)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def close(self) -> None:
        self._file.close()


def _install_cursor_hooks(log: StatementLog, shims_on: bool, disabled: list[str]) -> None:
    from fakesnow.cursor import FakeSnowflakeCursor

    from warehouse.checks import emulator_shims

    execute = FakeSnowflakeCursor.execute
    explode = FakeSnowflakeCursor._transform_explode

    def logged_execute(self: Any, command: str, *args: Any, **kwargs: Any) -> Any:
        log.write(command)
        with log.bounded(command):
            try:
                return execute(self, command, *args, **kwargs)
            except Exception as error:
                log.failed.append({"node": log.node, "sql": command, "error": str(error)})
                raise

    def shimmed_explode(self: Any, expression: Any) -> Any:
        # the first step after parsing (a MERGE is split into several statements here)
        if shims_on:
            expression = emulator_shims.rewrite_tree(expression, disabled)
        return explode(self, expression)

    if shims_on:
        emulator_shims.install_patches(disabled)
    FakeSnowflakeCursor.execute = logged_execute
    FakeSnowflakeCursor._transform_explode = shimmed_explode


# --- dbt --------------------------------------------------------------------------------------


def _dbt(args: list[str], common: list[str], log: StatementLog) -> dict[str, Any]:
    from dbt.cli.main import dbtRunner

    def on_event(event: Any) -> None:
        name = event.info.name
        if name in {"NodeStart", "NodeExecuting"}:
            node = getattr(event.data, "node_info", None)
            log.node = getattr(node, "unique_id", "") or ""

    started = time.perf_counter()
    result = dbtRunner(callbacks=[on_event]).invoke([*args, *common])
    statuses: dict[str, dict[str, int]] = {}
    problems = []
    for run in getattr(result.result, "results", None) or []:
        kind = run.node.resource_type
        status = str(run.status)
        per_kind = statuses.setdefault(str(kind), {})
        per_kind[status] = per_kind.get(status, 0) + 1
        if status in {"error", "fail", "skipped", "runtime error"}:
            message = (run.message or "").strip().splitlines()
            problems.append(
                f"{run.node.unique_id}: {status}: {message[0] if message else ''}"[:500]
            )
    exception = str(result.exception) if result.exception else None
    return {
        "command": args,
        "success": bool(result.success),
        "exception": exception,
        "statuses": statuses,
        "problems": problems,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _number(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def relation_figures(duck: Any, tables: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """``{model: {rows, sums: {column: sum}}}`` for ``{model: "db.schema.table"}``, read
    straight from DuckDB (the engine underneath fakesnow), numeric columns only."""
    figures: dict[str, dict[str, Any]] = {}
    for model, relation in sorted(tables.items()):
        database, schema, table = relation.split(".")
        columns = duck.execute(
            "select column_name, data_type from information_schema.columns"
            " where upper(table_catalog) = upper(?) and upper(table_schema) = upper(?)"
            " and upper(table_name) = upper(?) order by ordinal_position",
            [database, schema, table],
        ).fetchall()
        numeric = [
            name
            for name, kind in columns
            if kind.upper().startswith(("DECIMAL", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE"))
            or kind.upper() in {"SMALLINT", "TINYINT", "FLOAT", "REAL"}
        ]
        sums = ", ".join(f'sum("{name}")' for name in numeric)
        query = f'select count(*){", " + sums if sums else ""} from {database}.{schema}."{table}"'
        row = duck.execute(query).fetchone()
        figures[model] = {
            "rows": row[0],
            "sums": {name.lower(): _number(v) for name, v in zip(numeric, row[1:], strict=True)},
        }
    return figures


def main(plan_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    work = Path(plan["work_dir"])
    lake = Path(plan["lake"])
    project_dir = Path(plan["project_dir"])
    (work / "db").mkdir(parents=True, exist_ok=True)
    (work / "profiles").mkdir(parents=True, exist_ok=True)
    (work / "profiles" / "profiles.yml").write_text(PROFILE, encoding="utf-8")
    log = StatementLog(work / "statements.jsonl", plan["statement_timeout"], work / "hung.sql")
    _install_cursor_hooks(
        log, shims_on=plan.get("shims", True), disabled=plan.get("disabled_shims", [])
    )

    import fakesnow
    import snowflake.connector

    common = [
        *("--project-dir", str(project_dir), "--profiles-dir", str(work / "profiles")),
        *("--target-path", str(work / "target"), "--log-path", str(work / "logs")),
        *("--vars", json.dumps(plan["vars"])),
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
        "--no-partial-parse",
    ]
    result: dict[str, Any] = {"runs": [], "started": time.time()}
    out = work / "result.json"
    with fakesnow.patch(db_path=work / "db"):
        parsed = _dbt(["parse"], common, log)
        if not parsed["success"]:
            result["error"] = f"dbt parse failed: {parsed['exception']}"
            out.write_text(json.dumps(result, indent=1), encoding="utf-8")
            return 1
        manifest = json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))
        sources = [s for s in manifest["sources"].values() if s["source_name"] == "landing"]
        prefix = plan["stage_prefix"]
        log.node = SETUP_NODE
        connection = snowflake.connector.connect(database=DATABASE, schema=TARGET_SCHEMA)
        cursor = connection.cursor()
        duck = connection._duck_conn  # type: ignore[attr-defined]  # fakesnow's connection
        schemas = {s["schema"] for s in sources}
        for schema in sorted(schemas):
            cursor.execute(f"create schema if not exists {DATABASE}.{schema}")
        for source in sources:
            if source.get("external"):
                stage = STAGE_TABLE_PREFIX + source["identifier"].upper()
                cursor.execute(
                    f"create or replace table {DATABASE}.{source['schema']}.{stage}"
                    ' (value variant, "METADATA$FILENAME" varchar,'
                    ' "METADATA$FILE_ROW_NUMBER" number(38, 0))'
                )
                cursor.execute(landing_view_sql(source, stage))
            else:
                cursor.execute(plain_table_sql(source))
        marts = {
            node["name"]: f"{DATABASE}.{node['schema']}.{node['alias'] or node['name']}"
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and "marts" in node["fqn"]
            and node["config"].get("materialized") in {"table", "incremental"}
        }
        staging = {
            node["name"]: f"{DATABASE}.{node['schema']}.{node['alias'] or node['name']}"
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["name"].startswith("stg_landing__")
        }
        for run in plan["runs"]:
            landed = {}
            for source in sources:
                if not source.get("external"):
                    continue
                stage = STAGE_TABLE_PREFIX + source["identifier"].upper()
                relation = f"{DATABASE}.{source['schema']}.{stage}"
                withheld = set(run.get("withheld_sources", []))
                rows = []
                if source["name"] not in withheld:
                    rows = stage_rows(
                        lake, source["external"], prefix, set(run["ingest_dates"]), withheld
                    )
                # the stage as a refresh finds it: every file visible to this run
                duck.execute(f"delete from {relation}")
                if rows:
                    duck.executemany(
                        f"insert into {relation} values (?::json, ?, ?)", [list(r) for r in rows]
                    )
                landed[source["name"]] = len(rows)
            log.node = ""
            outcome = _dbt(run["command"], common, log)
            outcome["label"] = run["label"]
            outcome["must_succeed"] = run.get("must_succeed", True)
            outcome["withheld_sources"] = run.get("withheld_sources", [])
            outcome["landed"] = landed
            outcome["marts_rows"] = {
                model: figures["rows"]
                for model, figures in relation_figures(duck, _existing(duck, marts)).items()
            }
            result["runs"].append(outcome)
            out.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
        result["marts"] = relation_figures(duck, _existing(duck, marts))
        built = relation_figures(duck, _existing(duck, staging))
        # a staging model that was not built (skipped after a failure) is None
        result["staging"] = {model: (built.get(model) or {}).get("rows") for model in staging}
        result["statements"] = log.count
        result["failed_statements"] = log.failed
        connection.close()
    log.close()
    result["seconds"] = round(time.time() - result.pop("started"), 1)
    out.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


def _existing(duck: Any, relations: Mapping[str, str]) -> dict[str, str]:
    found = {}
    for model, relation in relations.items():
        database, schema, table = relation.split(".")
        hit = duck.execute(
            "select 1 from information_schema.tables where upper(table_catalog) = upper(?)"
            " and upper(table_schema) = upper(?) and upper(table_name) = upper(?)",
            [database, schema, table],
        ).fetchone()
        if hit:
            found[model] = relation
    return found


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
