"""Classify a change to a model from its compiled SQL, before and after (sqlglot).

* **unchanged**: the same statement once comments, formatting, identifier case and quoting and
  the database name are set aside (a reformatting is no change);
* **non-breaking**: the only difference is columns added to select lists (nothing removed,
  renamed or recomputed, the same sources, joins, filters and grain): existing columns of every
  row stay as they were, so downstream models need no rebuild;
* **breaking**: anything else, with the reasons (removed, renamed or retyped columns, a changed
  filter, join, grouping or distinctness, a changed source, an added row generator...).

Each SELECT is compared with its counterpart: the statement's final SELECT with the final
SELECT, and each CTE with the CTE of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.scope import Scope, build_scope

from warehouse.ci.categories import ChangeCategory

# clause of a SELECT -> what a change to it means
CLAUSES = {
    "from_": "source changed (FROM)",
    "from": "source changed (FROM)",  # the key before sqlglot 28
    "joins": "join changed",
    "laterals": "lateral changed",
    "where": "filter changed (WHERE)",
    "group": "grain changed (GROUP BY)",
    "having": "filter changed (HAVING)",
    "qualify": "filter changed (QUALIFY)",
    "distinct": "grain changed (DISTINCT)",
    "windows": "window definitions changed",
    "order": "order changed",
    "limit": "row limit changed",
    "offset": "row offset changed",
    "sample": "sampling changed",
    "pivots": "pivot changed",
}


@dataclass
class ColumnChange:
    column: str
    change: str  # added | removed | modified | retyped
    before: str | None = None
    after: str | None = None
    scope: str = "output"


@dataclass
class Classification:
    category: ChangeCategory
    reasons: list[str] = field(default_factory=list)
    columns: list[ColumnChange] = field(default_factory=list)


def normalize(sql: str, dialect: str = "duckdb") -> exp.Expr:
    """The statement with comments, identifier case/quoting and the database name removed."""
    tree = sqlglot.parse_one(sql, read=dialect)
    tree = normalize_identifiers(tree, dialect=dialect)
    for node in tree.walk():
        node.comments = None
        if isinstance(node, exp.Identifier):
            node.set("quoted", False)
        elif isinstance(node, exp.Table):
            node.set("catalog", None)
        elif isinstance(node, exp.Paren) and isinstance(node.this, exp.Paren):
            node.replace(node.this)
    return tree


def _text(node: exp.Expr | list[Any] | None) -> str:
    if node is None:
        return ""
    if isinstance(node, list):
        return ", ".join(_text(n) for n in node)
    if isinstance(node, exp.Expr):
        return node.sql(dialect="duckdb", comments=False)
    return str(node)


def _split(tree: exp.Expr) -> tuple[dict[str, exp.Expr], exp.Expr]:
    """CTEs by name, and the final statement without its WITH."""
    ctes: dict[str, exp.Expr] = {}
    with_ = tree.args.get("with") or tree.args.get("with_")
    if with_ is not None:
        for cte in with_.expressions:
            ctes[cte.alias_or_name] = cte.this
    body = tree.copy()
    body.set("with", None)
    if "with_" in body.args:
        body.set("with_", None)
    return ctes, body


def _projections(select: exp.Select) -> dict[str, exp.Expr]:
    out: dict[str, exp.Expr] = {}
    for i, projection in enumerate(select.expressions):
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            name = projection.sql(dialect="duckdb")
        else:
            name = projection.alias_or_name or f"_col_{i}"
        out[name] = projection.unalias() if isinstance(projection, exp.Alias) else projection
    return out


def _type_of(expression: exp.Expr) -> str | None:
    if isinstance(expression, exp.Cast | exp.TryCast):
        return expression.to.sql(dialect="duckdb")
    return None


def _compare_select(old: exp.Expr, new: exp.Expr, scope: str, result: Classification) -> None:
    if not (isinstance(old, exp.Select) and isinstance(new, exp.Select)):
        if _text(old) != _text(new):
            result.reasons.append(f"{scope}: statement changed")
        return
    for clause, meaning in CLAUSES.items():
        if _text(old.args.get(clause)) != _text(new.args.get(clause)):
            result.reasons.append(f"{scope}: {meaning}")
    before, after = _projections(old), _projections(new)
    for name, expression in before.items():
        if name not in after:
            result.columns.append(ColumnChange(name, "removed", _text(expression), None, scope))
        elif _text(expression) != _text(after[name]):
            old_type, new_type = _type_of(expression), _type_of(after[name])
            inner_old = expression.this if old_type else expression
            inner_new = after[name].this if new_type else after[name]
            same_value = old_type != new_type and _text(inner_old) == _text(inner_new)
            kind = "retyped" if same_value else "modified"
            result.columns.append(
                ColumnChange(name, kind, _text(expression), _text(after[name]), scope)
            )
    for name, expression in after.items():
        if name in before:
            continue
        result.columns.append(ColumnChange(name, "added", None, _text(expression), scope))
        if expression.find(exp.Unnest, exp.Explode, exp.Posexplode):
            result.reasons.append(f"{scope}: added column {name} multiplies rows")
        if isinstance(expression, exp.Star) or (
            isinstance(expression, exp.Column) and isinstance(expression.this, exp.Star)
        ):
            result.reasons.append(f"{scope}: added {name}")
    for change in result.columns:
        if change.scope != scope or change.change == "added":
            continue
        if change.change == "removed":
            verb = "removed or renamed"
        elif change.change == "retyped":
            old_type, new_type = _type_of(before[change.column]), _type_of(after[change.column])
            verb = f"retyped ({old_type or 'as computed'} -> {new_type or 'as computed'})"
        else:
            verb = "changed"
        result.reasons.append(f"{scope}: column {change.column} {verb}")


def classify_sql(old_sql: str, new_sql: str, dialect: str = "duckdb") -> Classification:
    try:
        old, new = normalize(old_sql, dialect), normalize(new_sql, dialect)
    except SqlglotError as error:
        same = " ".join(old_sql.split()) == " ".join(new_sql.split())
        if same:
            return Classification(ChangeCategory.UNCHANGED)
        return Classification(
            ChangeCategory.BREAKING, [f"SQL could not be parsed ({error}); assumed breaking"]
        )
    if _text(old) == _text(new):
        return Classification(ChangeCategory.UNCHANGED)
    result = Classification(ChangeCategory.BREAKING)
    old_ctes, old_body = _split(old)
    new_ctes, new_body = _split(new)
    if list(old_ctes) != list(new_ctes):
        removed = [c for c in old_ctes if c not in new_ctes]
        added = [c for c in new_ctes if c not in old_ctes]
        if removed or added:
            result.reasons.append(
                "CTEs changed"
                + (f": removed {removed}" if removed else "")
                + (f" added {added}" if added else "")
            )
    for name, select in new_ctes.items():
        if name in old_ctes:
            _compare_select(old_ctes[name], select, f"CTE {name}", result)
    _compare_select(old_body, new_body, "final select", result)
    if not result.reasons:
        if any(c.change == "added" for c in result.columns):
            result.category = ChangeCategory.NON_BREAKING
        else:  # the CTE order only, or a difference the clause list does not name
            result.reasons.append("statement changed")
    return result


def output_columns(sql: str, dialect: str = "duckdb") -> list[str] | None:
    """The statement's output column names, following ``select *`` through CTEs; None when a
    star reads a table (its columns are not in the SQL)."""
    try:
        tree = normalize(sql, dialect)
    except SqlglotError:
        return None
    ctes, body = _split(tree)

    def columns_of(select: exp.Expr, depth: int = 0) -> list[str] | None:
        if not isinstance(select, exp.Select) or depth > 20:
            return None
        names: list[str] = []
        for projection in select.expressions:
            if isinstance(projection, exp.Star):
                source = select.args.get("from_") or select.args.get("from")
                table = source.this if source else None
                if select.args.get("joins") or not isinstance(table, exp.Table):
                    return None
                inner = ctes.get(table.name)
                if inner is None:
                    return None
                expanded = columns_of(inner, depth + 1)
                if expanded is None:
                    return None
                names.extend(expanded)
            else:
                names.append(projection.alias_or_name)
        return names

    return columns_of(body)


def passes_columns_through(child_sql: str, schema: str, name: str, dialect: str = "duckdb") -> bool:
    """Does the child's output carry every column of the relation ``schema.name`` (a
    ``select *`` chain from it to the output)? Then a column added upstream appears there too."""
    try:
        root = build_scope(normalize(child_sql, dialect))
    except SqlglotError:
        return True  # cannot tell: assume it does
    if root is None:
        return True
    schema, name = schema.lower(), name.lower()

    def through(scope: Scope, depth: int = 0) -> bool:
        if depth > 30:
            return False
        branches = getattr(scope, "set_operation_scopes", None) or []
        if branches:
            return any(through(s, depth + 1) for s in branches)
        select = scope.expression
        if not isinstance(select, exp.Select):
            return False
        qualifiers: set[str | None] = set()
        for projection in select.expressions:
            if isinstance(projection, exp.Star):
                qualifiers.add(None)
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                qualifiers.add(projection.table)
        if not qualifiers:
            return False
        for alias, (_node, source) in scope.selected_sources.items():
            if None not in qualifiers and alias not in qualifiers:
                continue
            if isinstance(source, exp.Table):
                if source.name.lower() == name and (source.db or schema).lower() == schema:
                    return True
            elif isinstance(source, Scope) and through(source, depth + 1):
                return True
        return False

    return through(root)
