"""What dbt sends to Snowflake, checked statement by statement.

`dbt compile` writes each model's SELECT; `dbt build` sends much more: the contract
probes (``cast(null as <declared type>)``), the DDL around each SELECT (``create or
replace transient table``, views), an incremental model's ``delete`` + ``insert``,
snapshot MERGEs, the unit tests' fixtures, the tests' wrappers, and, from
`stage_external_sources`, dbt-external-tables' external-table DDL. Those statements are
captured where dbt-snowflake executes them: by the emulator's cursor
(:mod:`warehouse.checks.emulator_worker`, a real build on fakesnow, every statement
logged as sent, before fakesnow translates it) and by the offline stand-in connection
(:class:`warehouse.checks.snowflake_sql.adapter.OfflineSnowflake`, for `stage_external_sources`).

Each statement must parse as Snowflake SQL, call only Snowflake functions and name only
Snowflake types (:func:`warehouse.checks.snowflake_sql.rules.check_sql`); an external table's
``file_name`` must strip the stage's prefix from ``METADATA$FILENAME``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlglot import exp

from warehouse.checks.emulator_worker import SETUP_NODE
from warehouse.checks.snowflake_sql.rules import check_sql

# What a statement is, by its text (first match wins); the report counts each kind.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I | re.S))
    for kind, pattern in (
        ("external table", r"^(create\s+or\s+replace\s+external\s+table|alter\s+external\s+table)"),
        ("contract probe", r"cast\(null as .*where\s+false\s+limit\s+0"),
        ("unit-test fixture", r"dbt_internal_unit_test_"),
        ("snapshot merge", r"^merge\s+into"),
        ("incremental delete", r"^delete\s+from"),
        ("insert", r"^insert\s+into"),
        ("table", r"^create\s+or\s+replace\s+(transient\s+|temporary\s+)?table"),
        ("view", r"^create\s+or\s+replace\s+view"),
        ("test", r"^select\s+count\(\*\)\s+as\s+failures"),
        ("introspection", r"^(show|describe|desc)\s"),
        ("transaction", r"^(begin|commit|rollback)\b"),
        ("ddl", r"^(create|drop|alter|truncate)\s"),
        ("query", r"^(select|with|\()"),
    )
)
_COMMENTS = re.compile(r"/\*.*?\*/|--[^\n]*", re.S)
_PLACEHOLDERS = re.compile(r"%s|%\(\w+\)s|(?<![\w:])\?(?!\w)")


@dataclass(frozen=True)
class SentStatement:
    node: str
    sql: str


def load_statements(path: Path) -> list[SentStatement]:
    """The emulator's statement log (JSON lines), without its own setup statements."""
    statements = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("node") != SETUP_NODE:
            statements.append(SentStatement(row.get("node") or "dbt", row["sql"]))
    return statements


def statement_kind(sql: str) -> str:
    text = _COMMENTS.sub(" ", sql).strip()
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    return "other"


def bind_placeholders(sql: str) -> str:
    """Bound parameters (a seed's ``values (%s, %s)``) as NULLs, so the text parses."""
    return _PLACEHOLDERS.sub("null", sql)


def _split_top_level(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


# name, type (a word, perhaps with its precision), AS, then an expression not in parentheses
_COMPUTED = re.compile(r"^(\s*\S+\s+\w+(?:\s*\([^)]*\))?\s+as\s+)(?!\()(.+?)\s*$", re.I | re.S)


def parenthesise_computed_columns(sql: str) -> str:
    """An external table's DDL with every column expression in parentheses.

    dbt-external-tables writes a partition column as ``name type as expression``, which
    Snowflake accepts (its own examples do) and sqlglot does not parse; the other columns
    are already ``name type as (expression)``."""
    start = sql.find("(")
    if start < 0:
        return sql
    depth = 0
    for end in range(start, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        if depth == 0:
            break
    else:
        return sql
    columns = [_COMPUTED.sub(r"\1(\2)", part) for part in _split_top_level(sql[start + 1 : end])]
    return sql[: start + 1] + ",".join(columns) + sql[end:]


def external_table_problems(sql: str, prefix: str) -> list[str]:
    """An external table's ``file_name`` must be ``METADATA$FILENAME`` without the stage's
    prefix (``substr(metadata$filename, length('<prefix>') + 1)``)."""
    import sqlglot

    try:
        tree = sqlglot.parse_one(parenthesise_computed_columns(sql), read="snowflake")
    except Exception:  # reported by check_sql
        return []
    problems = []
    for column in tree.find_all(exp.ColumnDef):
        if column.name.lower() != "file_name":
            continue
        text = " ".join(c.sql(dialect="snowflake") for c in column.constraints).lower()
        if "metadata$filename" in text and f"length('{prefix.lower()}')" not in text:
            problems.append(
                f"file_name is {text!r}: it keeps the stage's prefix {prefix!r} (Snowflake's"
                " METADATA$FILENAME starts with it; the manifests do not)"
            )
    return problems


@dataclass
class StatementReport:
    problems: dict[str, list[str]]
    kinds: Counter[str]

    @property
    def checked(self) -> int:
        return sum(self.kinds.values())

    def summary(self) -> str:
        return ", ".join(f"{n} {kind}" for kind, n in sorted(self.kinds.items()))


def check_statements(
    statements: Iterable[SentStatement], allowed: frozenset[str], prefix: str
) -> StatementReport:
    """Problems of every statement, by ``"<node> (<kind>)"``; identical texts once."""
    problems: dict[str, list[str]] = {}
    kinds: Counter[str] = Counter()
    seen: set[str] = set()
    for statement in statements:
        if statement.sql in seen:
            continue
        seen.add(statement.sql)
        kind = statement_kind(statement.sql)
        kinds[kind] += 1
        if kind == "transaction":
            continue
        text = bind_placeholders(statement.sql)
        if kind == "external table":
            text = parenthesise_computed_columns(text)
        found = check_sql(text, allowed)
        if kind == "external table":
            found += external_table_problems(statement.sql, prefix)
        if found:
            where = f"{statement.node} ({kind})"
            problems.setdefault(where, []).extend(
                p for p in found if p not in problems.get(where, [])
            )
    return StatementReport(problems, kinds)


def render_problems(problems: dict[str, Sequence[str]]) -> str:
    lines = []
    for where in sorted(problems):
        lines.append(where)
        lines += [f"  - {p}" for p in problems[where]]
    return "\n".join(lines)
