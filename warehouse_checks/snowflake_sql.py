"""Check, offline, that the SQL the dbt project compiles for Snowflake is Snowflake SQL.

    python -m warehouse_checks.snowflake_sql [--project-dir offline] [--target prod]
        [--packages-dir dbt_packages] [--statements statements.jsonl]

1. **Compile for the Snowflake target without Snowflake.** dbt runs in this process with
   the project's own profile and target (``prod`` by default) and dbt-snowflake as the
   adapter, but the adapter's connection is replaced by an offline stand-in
   (:class:`OfflineSnowflake`): no network, no credentials. Compilation still needs a few
   answers from the warehouse, and the stand-in gives them:

   * relation lookups (``show objects``, ``describe``) find nothing, as in an empty
     account, so ``is_incremental()`` is false and ``adapter.get_relation`` is None;
     incremental models are then compiled a second time with every relation of the
     project reported as existing, so their incremental branch is checked too;
   * plain queries run by macros at compile time (``run_query``, e.g. a date spine's
     bounds) are translated to DuckDB with sqlglot and answered by an in-memory DuckDB;
     a query on a table that does not exist gets an empty result. Those queries run on
     Snowflake in production, so they are checked like the compiled SQL.

2. **Check every piece of SQL** (models, tests, snapshots, analyses, compile-time
   queries, and the Snowflake expressions of external sources):

   * it parses with ``sqlglot.parse(sql, read="snowflake")``;
   * every function called, by the name written in the SQL, is in
     ``snowflake_functions.txt`` (sqlglot parses unknown and DuckDB-only functions
     without complaint, so parsing alone proves little), and DuckDB-only names get the
     Snowflake equivalent in the message;
   * every type in a cast is a Snowflake type (no ``json``, ``hugeint``, ``json[]``...).

   What `dbt build` sends besides the compiled SELECTs (contract probes, DDL, an
   incremental model's delete + insert, snapshot MERGEs, unit-test fixtures) is checked
   from the statement log of a build on the Snowflake emulator (``--statements``, see
   :mod:`warehouse_checks.sent_sql` and :mod:`warehouse_checks.emulator`), and the
   external-table DDL that dbt-external-tables renders (``--packages-dir``) is parsed
   and checked the same way, its ``file_name`` stripped of the stage's prefix.

3. **Engine differences live in dispatched macros**: no Jinja under the model, snapshot,
   analysis, test and seed paths, nor in dbt_project.yml, reads ``target.name`` or
   ``target.type``.

The report lists every problem by node and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

REPO_ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS_FILE = Path(__file__).with_name("snowflake_functions.txt")
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

# Functions that DuckDB has and Snowflake has not (or has with other semantics), with
# what to write instead. A name here is reported even when Snowflake has a function of
# that name, because the DuckDB meaning would silently change.
DUCKDB_ONLY: dict[str, str] = {
    "JSON_EXTRACT_STRING": "use the path syntax doc:key::varchar or JSON_EXTRACT_PATH_TEXT",
    "JSON_EXTRACT": "use doc:key, GET_PATH or PARSE_JSON",
    "JSON_VALID": "use CHECK_JSON (null when valid) or TRY_PARSE_JSON",
    "JSON_TYPE": "use TYPEOF or IS_OBJECT / IS_ARRAY",
    "JSON_KEYS": "use OBJECT_KEYS",
    "JSON_ARRAY_LENGTH": "use ARRAY_SIZE",
    "REGEXP_FULL_MATCH": "use REGEXP_LIKE (it matches the whole string)",
    "REGEXP_MATCHES": "use REGEXP_LIKE (whole string) or REGEXP_INSTR > 0",
    "REGEXP_EXTRACT": "use REGEXP_SUBSTR",
    "REGEXP_EXTRACT_ALL": (
        "on Snowflake this is an alias of REGEXP_SUBSTR_ALL whose 3rd argument is the start"
        " position, not the capture group: write REGEXP_SUBSTR_ALL(s, p, 1, 1, 'e', group)"
    ),
    "REGEXP_SPLIT_TO_ARRAY": "use SPLIT or REGEXP_SUBSTR_ALL",
    "STRING_SPLIT": "use SPLIT",
    "STR_SPLIT": "use SPLIT",
    "STRING_TO_ARRAY": "use SPLIT",
    "STRPTIME": "use TO_TIMESTAMP(text, format) with a Snowflake format",
    "TRY_STRPTIME": "use TRY_TO_TIMESTAMP(text, format) with a Snowflake format",
    "STRFTIME": "use TO_VARCHAR(value, format) with a Snowflake format",
    "EPOCH": "use DATE_PART(epoch_second, ...)",
    "EPOCH_MS": "use DATE_PART(epoch_millisecond, ...) or TO_TIMESTAMP(ms, 3)",
    "MAKE_DATE": "use DATE_FROM_PARTS",
    "MAKE_TIMESTAMP": "use TIMESTAMP_FROM_PARTS",
    "UNNEST": "use LATERAL FLATTEN(input => ...)",
    "GENERATE_SERIES": "use ARRAY_GENERATE_RANGE or TABLE(GENERATOR(...))",
    "RANGE": "use ARRAY_GENERATE_RANGE or TABLE(GENERATOR(...))",
    "STRUCT_PACK": "use OBJECT_CONSTRUCT",
    "STRUCT_EXTRACT": "use GET or the path syntax",
    "ARRAY_LENGTH": "use ARRAY_SIZE",
    "ARRAY_FILTER": "use FILTER",
    "ARRAY_TRANSFORM": "use TRANSFORM",
    "ARRAY_EXTRACT": "use GET or array[index] (0-based)",
    "LIST_VALUE": "use ARRAY_CONSTRUCT",
    "STRING_AGG": "use LISTAGG",
    "GROUP_CONCAT": "use LISTAGG",
    "BOOL_AND": "use BOOLAND_AGG",
    "BOOL_OR": "use BOOLOR_AGG",
    "ARBITRARY": "use ANY_VALUE",
    "ISODOW": "use DAYOFWEEKISO",
    "STARTS_WITH": "use STARTSWITH",
    "ENDS_WITH": "use ENDSWITH",
    "SUFFIX": "use ENDSWITH",
    "PREFIX": "use STARTSWITH",
    "HASH": None,  # placeholder removed below: HASH exists on Snowflake with another result
    "READ_CSV": "a DuckDB table function: read files through a stage",
    "READ_CSV_AUTO": "a DuckDB table function: read files through a stage",
    "READ_PARQUET": "a DuckDB table function: read files through a stage",
    "READ_JSON": "a DuckDB table function: read files through a stage",
    "READ_JSON_AUTO": "a DuckDB table function: read files through a stage",
    "READ_TEXT": "a DuckDB table function: read files through a stage",
    "GLOB": "a DuckDB table function: list a stage with LIST / DIRECTORY()",
}
del DUCKDB_ONLY["HASH"]
# DuckDB's list_* / array_* helper families (list_sort, list_filter, list_transform...).
DUCKDB_ONLY_PREFIXES: dict[str, str] = {
    "LIST_": "a DuckDB list function: use the ARRAY_* functions, FILTER or TRANSFORM",
}

# sqlglot types that Snowflake has (CAST(x AS <type>), x::<type>). Anything else, e.g.
# JSON, HUGEINT, UUID, LIST or a DuckDB array type name[], is reported.
SNOWFLAKE_TYPES = {
    exp.DataType.Type[name]
    for name in (
        "ARRAY",
        "BIGINT",
        "BINARY",
        "BOOLEAN",
        "CHAR",
        "DATE",
        "DATETIME",
        "DECFLOAT",
        "DECIMAL",
        "DOUBLE",
        "FILE",
        "FLOAT",
        "GEOGRAPHY",
        "GEOMETRY",
        "INT",
        "MAP",
        "NCHAR",
        "NVARCHAR",
        "OBJECT",
        "SMALLINT",
        "STRUCT",
        "TEXT",
        "TIME",
        "TIMESTAMP",
        "TIMESTAMPLTZ",
        "TIMESTAMPNTZ",
        "TIMESTAMPTZ",
        "TINYINT",
        "VARBINARY",
        "VARCHAR",
        "VARIANT",
        "VECTOR",
    )
    if name in exp.DataType.Type.__members__
}

RESOURCE_TYPES = ("model", "test", "snapshot", "analysis", "operation", "sql_operation")


# --- checking SQL text -------------------------------------------------------------------


def load_allowed_functions(path: Path = FUNCTIONS_FILE) -> frozenset[str]:
    """Function names of ``path``: one per line, ``#`` starts a comment."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.add(name.upper())
    return frozenset(names)


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return name[1:-1]
    return name.upper()


def function_calls(tree: exp.Expression, sql: str) -> list[str]:
    """Names of the functions called in ``tree``, as written in ``sql`` (upper-cased).

    sqlglot maps many names to its own classes (DuckDB's ``regexp_full_match`` and
    Snowflake's ``regexp_like`` are both known), so the name is taken from the source
    text at the node's position, not from the class. Functions written with keyword
    syntax (CAST(x AS t), EXTRACT(y FROM d), CASE ...) carry no position and are not
    listed: they are SQL syntax, checked by the parser. Qualified names
    (``schema.udf(...)``) are user-defined functions and are not listed either.
    """
    names = []
    for node in tree.find_all(exp.Func):
        meta = node.meta
        if "start" in meta and "end" in meta:
            written = sql[meta["start"] : meta["end"] + 1]
            rest = sql[meta["end"] + 1 :].lstrip()
            if not rest.startswith("("):
                continue  # not call syntax (e.g. CURRENT_TIMESTAMP without parentheses)
        elif isinstance(node, exp.Anonymous):
            written = str(node.this)
        elif isinstance(node, exp.Unnest):
            written = "UNNEST"  # in FROM / JOIN it carries no position
        else:
            continue
        if isinstance(node.parent, exp.Dot) and node.parent.expression is node:
            continue
        names.append(_unquote(written))
    return names


def _is_duckdb_only(name: str) -> str | None:
    if name in DUCKDB_ONLY:
        return DUCKDB_ONLY[name]
    for prefix, hint in DUCKDB_ONLY_PREFIXES.items():
        if name.startswith(prefix):
            return hint
    return None


def check_sql(sql: str, allowed: frozenset[str]) -> list[str]:
    """Problems of one piece of SQL meant for Snowflake (empty list when none)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="snowflake") if s is not None]
    except (ParseError, TokenError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return [f"does not parse as Snowflake SQL: {first}"]
    problems: list[str] = []
    seen: set[str] = set()
    for statement in statements:
        for name in function_calls(statement, sql):
            if name in seen:
                continue
            seen.add(name)
            hint = _is_duckdb_only(name)
            if hint is not None:
                problems.append(f"DuckDB function {name}(): {hint}")
            elif name not in allowed:
                problems.append(f"function {name}() is not a Snowflake function")
        for data_type in statement.find_all(exp.DataType):
            kind = data_type.this
            if kind not in SNOWFLAKE_TYPES:
                label = data_type.sql(dialect="duckdb")
                if label not in seen:
                    seen.add(label)
                    problems.append(f"type {label} is not a Snowflake type")
    return problems


# --- engine branches outside macros ----------------------------------------------------------

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_TARGET_ENGINE = re.compile(
    r"\btarget\s*(?:\.\s*(name|type)\b|\[\s*['\"](name|type)['\"]\s*\])"
    r"|\btarget\s*\.\s*get\(\s*['\"](name|type)['\"]"
)


def find_target_branches(text: str) -> list[tuple[int, str]]:
    """``(line, snippet)`` for every Jinja expression or tag in ``text`` that reads
    ``target.name`` or ``target.type`` (plain SQL such as ``target.name`` as a column of
    a table aliased ``target`` is not Jinja and is not reported)."""
    found = []
    for match in _JINJA.finditer(text):
        ref = _TARGET_ENGINE.search(match.group(0))
        if ref:
            line = text.count("\n", 0, match.start() + ref.start()) + 1
            found.append((line, " ".join(match.group(0).split())[:120]))
    return found


def _project_paths(project_dir: Path) -> list[Path]:
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    keys = {
        "model-paths": ["models"],
        "snapshot-paths": ["snapshots"],
        "analysis-paths": ["analyses"],
        "test-paths": ["tests"],
        "seed-paths": ["seeds"],
    }
    paths = []
    for key, default in keys.items():
        paths += [project_dir / p for p in project.get(key) or default]
    return paths


def check_target_branches(project_dir: Path) -> dict[str, list[str]]:
    """``{file: problems}`` for every engine branch outside macros/."""
    problems: dict[str, list[str]] = {}
    files = [project_dir / "dbt_project.yml"]
    for folder in _project_paths(project_dir):
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.suffix in {".sql", ".yml", ".yaml"})
    for path in files:
        text = path.read_text(encoding="utf-8")
        for line, snippet in find_target_branches(text):
            problems.setdefault(str(path.relative_to(project_dir)), []).append(
                f"line {line}: branches on the target ({snippet}); engine differences"
                " belong in a dispatched macro (adapter.dispatch)"
            )
    return problems


# --- the offline Snowflake connection ----------------------------------------------------------

_COMMENTS = re.compile(r"/\*.*?\*/|--[^\n]*", re.S)
_SHOW_OBJECTS = re.compile(r"^show\s+(?:terse\s+)?objects\s+in\s+(?:schema\s+)?(\S+)", re.I)
_STARTS_WITH = re.compile(r"\bstarts\s+with\s+'([^']*)'", re.I)
_NO_RESULT = re.compile(r"^(alter\s+session|use\s|begin|commit|rollback|start\s+transaction)", re.I)
_DUCKDB_TYPE_CODES = {
    "BOOLEAN": 13,
    "DATE": 3,
    "TIME": 12,
    "TIMESTAMP": 8,
    "TIMESTAMP WITH TIME ZONE": 7,
    "DOUBLE": 1,
    "FLOAT": 1,
    "VARCHAR": 2,
    "BLOB": 11,
}
OBJECT_COLUMNS = (
    "created_on",
    "name",
    "database_name",
    "schema_name",
    "kind",
    "comment",
    "cluster_by",
    "rows",
    "bytes",
    "owner",
    "retention_time",
    "owner_role_type",
    "is_dynamic",
    "is_iceberg",
)


def _ident(part: str) -> str:
    part = part.strip()
    return part[1:-1] if part.startswith('"') and part.endswith('"') else part.upper()


@dataclass
class OfflineQuery:
    """A query dbt sent to the warehouse while compiling, and how it was answered."""

    node: str
    sql: str
    answer: str


class OfflineCursor:
    """Just enough of a snowflake.connector cursor for dbt-snowflake."""

    _ids = itertools.count(1)

    def __init__(self, owner: OfflineSnowflake, handle: OfflineHandle) -> None:
        self._owner = owner
        self._handle = handle
        self.description: list[tuple[Any, ...]] | None = None
        self._rows: list[tuple[Any, ...]] = []
        self.rowcount = 0
        self.sqlstate = None
        self.sfqid: str | None = None
        self.stats = None

    def _result(self, columns: Sequence[str], rows: Sequence[Sequence[Any]], codes=None) -> None:
        codes = codes or [2] * len(columns)
        self.description = [
            (name, code, None, None, None, None, True)
            for name, code in zip(columns, codes, strict=True)
        ]
        self._rows = [tuple(r) for r in rows]
        self.rowcount = len(self._rows)

    def execute(self, sql: str, bindings: Any = None) -> OfflineCursor:
        import snowflake.connector.errors as sf_errors

        self.sfqid = f"offline-{next(self._ids)}"
        text = _COMMENTS.sub(" ", sql).strip().rstrip(";").strip()
        node = self._handle.node()
        if match := _SHOW_OBJECTS.match(text):
            parts = [_ident(p) for p in match.group(1).rstrip(";").split(".")]
            key = tuple(parts[-2:]) if len(parts) >= 2 else ("", parts[0])
            objects = self._owner.relations.get(key)
            if objects is None:
                self._owner.record(node, sql, "schema does not exist")
                raise sf_errors.ProgrammingError(
                    msg=f"Schema '{'.'.join(key)}' does not exist or not authorized.",
                    errno=2043,
                    sqlstate="02000",
                )
            prefix = _STARTS_WITH.search(text)
            rows = [
                (None, name, key[0], key[1], kind, "", "", 0, 0, "", "1", "ROLE", "N", "N")
                for name, kind in sorted(objects.items())
                if prefix is None or name.startswith(prefix.group(1))
            ]
            self._owner.record(node, sql, f"{len(rows)} relation(s)")
            self._result(OBJECT_COLUMNS, rows)
        elif text.lower().startswith("show"):
            self._owner.record(node, sql, "empty result")
            self._result(("created_on", "name", "kind", "database_name", "schema_name"), [])
        elif text.lower().startswith(("describe", "desc ")):
            self._owner.record(node, sql, "object does not exist")
            raise sf_errors.ProgrammingError(
                msg="Object does not exist or not authorized.", errno=2003, sqlstate="02000"
            )
        elif _NO_RESULT.match(text) or not text:
            self._result(("status",), [("Statement executed successfully.",)])
        elif text.lower().startswith(("select", "with", "(")):
            self._owner.record(node, sql, "answered by DuckDB", check=True)
            self._select(text, sf_errors)
        else:
            # DDL or DML at compile time: accepted without effect, listed in the report.
            self._owner.record(node, sql, "statement accepted without effect", check=True)
            self._result(("status",), [("Statement executed successfully.",)])
        return self

    def _select(self, text: str, sf_errors: Any) -> None:
        import duckdb

        try:
            duck_sql = sqlglot.transpile(text, read="snowflake", write="duckdb")[0]
        except (ParseError, TokenError) as error:
            raise sf_errors.ProgrammingError(msg=f"SQL compilation error: {error}") from None
        try:
            relation = self._handle.duck.execute(duck_sql)
            columns = [d[0] for d in relation.description]
            codes = [_DUCKDB_TYPE_CODES.get(str(d[1]).upper(), 0) for d in relation.description]
            self._result(columns, relation.fetchall(), codes)
        except duckdb.CatalogException:
            # The query reads a table of the project, which does not exist offline: an
            # empty result, as from a freshly built, empty warehouse.
            tree = sqlglot.parse_one(text, read="snowflake")
            columns = list(getattr(tree, "named_selects", [])) or ["value"]
            self._result(columns, [])
        except duckdb.Error as error:
            raise sf_errors.ProgrammingError(msg=f"SQL compilation error: {error}") from None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        size = size or len(self._rows)
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        pass


class OfflineHandle:
    """Stands for a snowflake.connector connection; one in-memory DuckDB per handle."""

    def __init__(self, owner: OfflineSnowflake, connection: Any) -> None:
        import duckdb

        self._owner = owner
        self._connection = connection
        self.duck = duckdb.connect(":memory:")
        self.session_id = 0

    def node(self) -> str:
        return str(getattr(self._connection, "name", "") or "")

    def cursor(self) -> OfflineCursor:
        return OfflineCursor(self._owner, self)

    def execute_string(self, sql: str, **_: Any) -> list[OfflineCursor]:
        return [self.cursor().execute(sql)]

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        self.duck.close()

    def is_closed(self) -> bool:
        return False


class OfflineSnowflake:
    """Replaces dbt-snowflake's connection with :class:`OfflineHandle` while active.

    ``relations`` maps ``(DATABASE, SCHEMA)`` to ``{IDENTIFIER: kind}``: the relations
    ``show objects`` reports. A schema not in it does not exist.
    """

    def __init__(self, relations: Mapping[tuple[str, str], Mapping[str, str]] | None = None):
        self.relations = {k: dict(v) for k, v in (relations or {}).items()}
        self.queries: list[OfflineQuery] = []
        self._lock = threading.Lock()

    def record(self, node: str, sql: str, answer: str, check: bool = False) -> None:
        if check:
            with self._lock:
                self.queries.append(OfflineQuery(node, sql, answer))

    @contextlib.contextmanager
    def active(self) -> Iterator[OfflineSnowflake]:
        from dbt.adapters.snowflake.connections import SnowflakeConnectionManager

        owner = self
        original = SnowflakeConnectionManager.__dict__["open"]

        def open_offline(cls: type, connection: Any) -> Any:
            if connection.state == "open":
                return connection
            connection.handle = OfflineHandle(owner, connection)
            connection.state = "open"
            return connection

        SnowflakeConnectionManager.open = classmethod(open_offline)
        try:
            yield self
        finally:
            SnowflakeConnectionManager.open = original


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


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set variables that are not set; restore the environment afterwards."""
    saved = dict(os.environ)
    for key, value in values.items():
        os.environ.setdefault(key, value)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# The prod profile reads these without a default; offline they only need to exist.
OFFLINE_ENV = {
    "SNOWFLAKE_ACCOUNT": "offline-check",
    "SNOWFLAKE_PRIVATE_KEY_PATH": os.devnull,
}


def _invoke(args: list[str]) -> Any:
    from dbt.cli.main import dbtRunner

    return dbtRunner().invoke(args)


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


def check_file_name_expressions(manifest: Mapping[str, Any], prefix: str) -> dict[str, list[str]]:
    """Every external source's ``file_name`` must strip the stage's prefix from
    ``METADATA$FILENAME`` (which starts with the stage's folder in the bucket, e.g.
    ``raw/``), or no landed file would match its manifest."""
    problems: dict[str, list[str]] = {}
    for source in manifest["sources"].values():
        if not source.get("external"):
            continue
        column = (source.get("columns") or {}).get("file_name") or {}
        meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
        expression = str(meta.get("expression") or "")
        if "metadata$filename" in expression.lower() and f"length('{prefix}')" not in expression:
            problems.setdefault(source["unique_id"], []).append(
                f"file_name = {expression!r} keeps the stage's prefix {prefix!r}:"
                " strip it (substr(metadata$filename, length(<prefix>) + 1))"
            )
    return problems


def stage_prefix(project_dir: Path) -> str:
    """The stage's folder in the bucket, as the project declares it (var
    snowflake_stage_prefix; terraform's local.landing_prefix)."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return str((project.get("vars") or {}).get("snowflake_stage_prefix") or "")


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
    common = [
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str((profiles_dir or project_dir).resolve()),
        "--target",
        target,
        "--target-path",
        str(target_path),
        "--log-path",
        str(work / "logs"),
        "--quiet",
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
    ]
    out = CompileResult()
    offline = OfflineSnowflake()
    with _environment(OFFLINE_ENV), offline.active():
        first = _invoke(["compile", *common])
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
            second = _invoke(["compile", *common, "--select", "config.materialized:incremental"])
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
    with (
        _environment({**OFFLINE_ENV, PACKAGES_VARIABLE: str(packages_dir.resolve())}),
        offline.active(),
    ):
        result = _invoke(
            [
                *("run-operation", "stage_external_sources"),
                *("--project-dir", str(project_dir)),
                *("--profiles-dir", str((profiles_dir or REPO_ROOT).resolve())),
                *("--target", target, "--target-path", str(work / "target")),
                *("--log-path", str(work / "logs"), "--quiet", "--no-use-colors"),
                "--no-send-anonymous-usage-stats",
            ]
        )
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
    return json.loads(manifest.read_text(encoding="utf-8"))["metadata"].get("adapter_type")


# --- the whole check -------------------------------------------------------------------------


@dataclass
class Report:
    problems: dict[str, list[str]] = field(default_factory=dict)  # "label (path)" -> problems
    checked: int = 0
    node_count: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, problems: Iterable[str]) -> None:
        problems = list(problems)
        if problems:
            self.problems.setdefault(where, []).extend(problems)

    def render(self) -> str:
        counts = ", ".join(f"{n} {kind}s" for kind, n in sorted(self.node_count.items()))
        lines = [
            f"Snowflake SQL check: {self.checked} SQL texts checked ({counts or 'no nodes'})"
            f" in {self.seconds:.1f} s"
        ]
        lines += [f"  note: {note}" for note in self.notes]
        for where in sorted(self.problems):
            lines.append(where)
            lines += [f"  - {problem}" for problem in self.problems[where]]
        total = sum(len(p) for p in self.problems.values())
        lines.append(f"{total} problem(s)" if total else "OK: no problem found")
        return "\n".join(lines)


def check_compiled(
    compiled: Iterable[CompiledSql], allowed: frozenset[str]
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for item in compiled:
        found = check_sql(item.sql, allowed)
        if found:
            where = f"{item.label} ({item.path})" if item.path else item.label
            problems.setdefault(where, []).extend(found)
    return problems


def _profiles_home(project_dir: Path) -> Path:
    """The project's own profiles.yml, else the repository's (the offline project's)."""
    return project_dir if (project_dir / "profiles.yml").is_file() else REPO_ROOT


def run_check(
    project_dir: Path = OFFLINE_PROJECT,
    *,
    target: str = DEFAULT_TARGET,
    profiles_dir: Path | None = None,
    work_dir: Path | None = None,
    functions_file: Path = FUNCTIONS_FILE,
    packages_dir: Path | None = None,
    statements_file: Path | None = None,
) -> Report:
    """Check ``project_dir`` (default: the offline project, which needs no package); with
    ``packages_dir`` (the hub packages), also the root's `stage_external_sources`; with
    ``statements_file`` (the emulator's log, warehouse_checks/emulator.py), every
    statement a `dbt build` sent."""
    from warehouse_checks import sent_sql

    started = time.perf_counter()
    report = Report()
    allowed = load_allowed_functions(functions_file)
    for path, problems in check_target_branches(project_dir).items():
        report.add(path, problems)
    results = [
        compile_project(
            project_dir,
            target=target,
            profiles_dir=profiles_dir or _profiles_home(project_dir),
            work_dir=work_dir and work_dir / "compile",
        )
    ]
    if packages_dir is not None:
        staged = stage_external_sources(
            REPO_ROOT,
            packages_dir,
            target=target,
            profiles_dir=profiles_dir,
            work_dir=work_dir and work_dir / "stage",
        )
        created = [q for q in staged.sql if "create or replace external table" in q.sql.lower()]
        if not created:
            staged.errors.setdefault(
                "stage_external_sources", "no `create or replace external table` statement"
            )
        for label, error in staged.errors.items():
            report.add(label, [f"fails for Snowflake offline: {error}"])
        # dbt-external-tables' DDL as sent: parsed, functions and types checked, and
        # every file_name stripped of the stage's prefix
        sent = sent_sql.check_statements(
            [sent_sql.SentStatement("stage_external_sources", item.sql) for item in staged.sql],
            allowed,
            stage_prefix(REPO_ROOT),
        )
        for where, problems in sent.problems.items():
            report.add(where, problems)
        report.checked += sent.checked
        report.notes.append(
            f"stage_external_sources at the root (hub packages from {packages_dir}):"
            f" {len(created)} external table(s) created by dbt-external-tables"
        )
    if statements_file is not None:
        sent = sent_sql.check_statements(
            sent_sql.load_statements(statements_file), allowed, stage_prefix(project_dir)
        )
        for where, problems in sent.problems.items():
            report.add(where, problems)
        report.checked += sent.checked
        report.notes.append(f"statements dbt sent ({statements_file}): {sent.summary()}")
    for compiled in results:
        for kind, n in compiled.node_count.items():
            report.node_count[kind] = report.node_count.get(kind, 0) + n
        report.notes += compiled.notes
        for label, error in compiled.errors.items():
            report.add(label, [f"does not compile for Snowflake offline: {error}"])
        for label, problems in compiled.problems.items():
            report.add(label, problems)
        for where, problems in check_compiled(compiled.sql, allowed).items():
            report.add(where, problems)
        report.checked += len(compiled.sql)
    report.seconds = time.perf_counter() - started
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse_checks.snowflake_sql",
        description=(
            "Compile the dbt project for its Snowflake target without a Snowflake account"
            " and check that every compiled SQL text parses as Snowflake SQL and calls only"
            " Snowflake functions; also check that no model branches on target.name or"
            " target.type. Exits 1 when there is any problem."
        ),
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=OFFLINE_PROJECT,
        help="dbt project (default: the offline project, which needs no hub package)",
    )
    parser.add_argument(
        "--profiles-dir",
        type=Path,
        default=None,
        help="folder of profiles.yml (default: the repository root)",
    )
    parser.add_argument(
        "--packages-dir",
        type=Path,
        default=None,
        help="a folder with the hub packages installed: also check the root's"
        " stage_external_sources (dbt-external-tables' statements for Snowflake)",
    )
    parser.add_argument(
        "--statements",
        type=Path,
        default=None,
        help="a statement log of a dbt build on the emulator (statements.jsonl, written by"
        " python -m warehouse_checks.emulator): check every statement dbt sent",
    )
    parser.add_argument(
        "--target",
        default=DEFAULT_TARGET,
        help=f"a Snowflake output of the profile (default: {DEFAULT_TARGET})",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="where dbt writes its target/ and logs/ (default: a new temporary folder)",
    )
    parser.add_argument(
        "--functions",
        type=Path,
        default=FUNCTIONS_FILE,
        help="allow-list of Snowflake function names",
    )
    args = parser.parse_args(argv)
    report = run_check(
        args.project_dir,
        target=args.target,
        profiles_dir=args.profiles_dir,
        work_dir=args.work_dir,
        functions_file=args.functions,
        packages_dir=args.packages_dir,
        statements_file=args.statements,
    )
    print(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
