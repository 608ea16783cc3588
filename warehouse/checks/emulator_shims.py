"""Shims for fakesnow's own gaps: every one, in one place, with its reason.

fakesnow (0.12.1) runs Snowflake SQL by translating it to DuckDB with sqlglot. Where its
translation is missing or wrong, the emulator would fail a statement that Snowflake
runs, or, worse, run it with another meaning (a timestamp format that no longer
matches quarantines every record, and the tests still pass on empty tables). Each shim
below rewrites what fakesnow gets so that it computes what Snowflake computes; none
changes what the project sends (the statement log keeps dbt's text), and none is needed
on Snowflake. ``SHIMS`` lists them; docs/snowflake-emulator.md repeats the list.

Two kinds:

* tree shims rewrite the statement as soon as fakesnow has parsed it as Snowflake SQL,
  before any of its own transforms (:func:`rewrite_tree`);
* patches replace one of fakesnow's transforms or statement handlers while the emulator
  runs (:func:`install_patches`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlglot import exp


@dataclass(frozen=True)
class Shim:
    name: str
    reason: str


SHIMS: tuple[Shim, ...] = (
    Shim(
        "is_object",
        "fakesnow has no IS_OBJECT: IS_OBJECT(v) becomes JSON_TYPE(v) = 'OBJECT' (VARIANT is"
        " DuckDB's JSON underneath); without it every JSON record fails to parse.",
    ),
    Shim(
        "timestamp_format_literals",
        "a double-quoted literal in a TO_TIMESTAMP format ('...SS\"Z\"') reaches DuckDB's"
        " strptime with its quotes, so no timestamp parses and every JSON record is"
        " quarantined; the quotes are dropped (a literal stands for itself in strptime).",
    ),
    Shim(
        "to_char_format",
        "TO_CHAR(timestamp, format) loses its format in sqlglot's DuckDB output (a plain"
        " cast to text, another layout): it becomes STRFTIME with the same layout, so the"
        " version keys are what Snowflake computes.",
    ),
    Shim(
        "variant_element_text",
        "GET(array, n)::varchar with a computed index becomes a cast of DuckDB's JSON"
        " element, which keeps the JSON quotes and backslash escapes (a quoted CSV field"
        ' such as "Cargo, ""all risks""" comes back escaped); it becomes DuckDB\'s'
        " ->> (the element's text), as Snowflake returns the string itself.",
    ),
    Shim(
        "temporary_tables",
        "DuckDB keeps temporary tables in its own catalog and refuses a database-qualified"
        " temporary table (dbt-snowflake's unit tests and snapshots create them): they are"
        " created as ordinary tables, which dbt replaces or drops itself.",
    ),
    Shim(
        "numeric_aggregates_exact",
        "fakesnow casts the argument of SUM, AVG and other numeric aggregates to DOUBLE (for"
        " Snowflake's implicit cast of text): sums of NUMBER columns then lose their exact"
        " decimals and their declared type; the cast is kept only for a text literal (the"
        " project never aggregates text).",
    ),
)


# --- tree shims -------------------------------------------------------------------------------

_QUOTED_LITERAL = re.compile(r'"([^"]*)"')


def _unquote_format(node: exp.Expression) -> exp.Expression:
    fmt = node.args.get("format")
    if isinstance(fmt, exp.Literal) and fmt.is_string and '"' in fmt.this:
        node.set("format", exp.Literal.string(_QUOTED_LITERAL.sub(r"\1", fmt.this)))
    return node


def _snowflake_format_to_strftime(fmt: str) -> str:
    from sqlglot.dialects.snowflake import Snowflake
    from sqlglot.time import format_time

    converted = format_time(fmt, Snowflake.TIME_MAPPING, Snowflake.TIME_TRIE) or fmt
    return _QUOTED_LITERAL.sub(r"\1", converted)


def _is_object(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous) and node.name.upper() == "IS_OBJECT":
        return exp.EQ(
            this=exp.Anonymous(this="JSON_TYPE", expressions=[node.expressions[0]]),
            expression=exp.Literal.string("OBJECT"),
        )
    return node


def _timestamp_format_literals(node: exp.Expression) -> exp.Expression:
    return _unquote_format(node) if isinstance(node, exp.StrToTime) else node


def _to_char_format(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.ToChar):
        fmt = node.args.get("format")
        if isinstance(fmt, exp.Literal) and fmt.is_string:
            strftime = _snowflake_format_to_strftime(fmt.this)
            return exp.Anonymous(
                this="STRFTIME", expressions=[node.this, exp.Literal.string(strftime)]
            )
    return node


def _variant_element_text(node: exp.Expression) -> exp.Expression:
    if (
        isinstance(node, exp.Cast)
        and isinstance(node.this, exp.GetExtract)
        and node.to.is_type(*exp.DataType.TEXT_TYPES)
    ):
        element = node.this
        return exp.Cast(
            this=exp.JSONExtractScalar(this=element.this, expression=element.expression),
            to=node.to,
        )
    return node


def _temporary_tables(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Create) and node.args.get("properties") is not None:
        for prop in list(node.args["properties"].expressions):
            if isinstance(prop, exp.TemporaryProperty):
                prop.pop()
    return node


TREE_SHIMS: dict[str, Callable[[exp.Expression], exp.Expression]] = {
    "is_object": _is_object,
    "timestamp_format_literals": _timestamp_format_literals,
    "to_char_format": _to_char_format,
    "variant_element_text": _variant_element_text,
    "temporary_tables": _temporary_tables,
}


def rewrite_tree(tree: exp.Expression, disabled: Iterable[str] = ()) -> exp.Expression:
    """``tree`` (a statement parsed as Snowflake SQL) with the tree shims applied, but
    those named in ``disabled`` (to show what a shim is for)."""
    shims = [shim for name, shim in TREE_SHIMS.items() if name not in set(disabled)]

    def apply(node: exp.Expression) -> exp.Expression:
        for shim in shims:
            node = shim(node)
        return node

    return tree.transform(apply, copy=False)


# --- patches ----------------------------------------------------------------------------------


def _exact_numeric_aggregates(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def transform(expression: Any) -> Any:
        if isinstance(expression, exp.AggFunc):
            arg = expression.this
            is_text = isinstance(arg, exp.Literal) and arg.is_string
            if not is_text:
                return expression
        return original(expression)

    return transform


def install_patches(disabled: Iterable[str] = ()) -> None:
    """Replace fakesnow's transforms that the shims correct (idempotent), but those named
    in ``disabled``."""
    from fakesnow import transforms

    if "numeric_aggregates_exact" in set(disabled):
        return

    current = transforms.numeric_agg_implicit_cast
    if not getattr(current, "_emulator_shim", False):
        patched = _exact_numeric_aggregates(current)
        patched._emulator_shim = True  # type: ignore[attr-defined]
        transforms.numeric_agg_implicit_cast = patched
