"""The SQL rules of the Snowflake check: what Snowflake SQL is, for this project.

* every piece of SQL parses with ``sqlglot.parse(sql, read="snowflake")``;
* every function called, by the name written in the SQL, is in ``snowflake_functions.txt``
  (sqlglot parses unknown and DuckDB-only functions without complaint), and a DuckDB-only
  name gets the Snowflake equivalent in the message;
* every type in a cast is a Snowflake type (no ``json``, ``hugeint``, ``json[]``...);
* no Jinja outside macros/ reads ``target.name`` or ``target.type`` (engine differences live
  in dispatched macros);
* an external source's ``file_name`` strips the stage's prefix from ``METADATA$FILENAME``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

FUNCTIONS_FILE = Path(__file__).resolve().parent.parent / "snowflake_functions.txt"

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
    "READ_CSV": "a DuckDB table function: read files through a stage",
    "READ_CSV_AUTO": "a DuckDB table function: read files through a stage",
    "READ_PARQUET": "a DuckDB table function: read files through a stage",
    "READ_JSON": "a DuckDB table function: read files through a stage",
    "READ_JSON_AUTO": "a DuckDB table function: read files through a stage",
    "READ_TEXT": "a DuckDB table function: read files through a stage",
    "GLOB": "a DuckDB table function: list a stage with LIST / DIRECTORY()",
}
# (HASH is not listed: Snowflake has it too, with another result, and it is allowed there.)
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


def function_calls(tree: exp.Expr, sql: str) -> list[str]:
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
