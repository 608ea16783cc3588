"""The emulator's shims: each rewrites what it must, and the docs list every one."""

from __future__ import annotations

import pytest
import sqlglot

from warehouse.checks import emulator, emulator_shims

DOC = (emulator.REPO_ROOT / "docs" / "snowflake-emulator.md").read_text(encoding="utf-8")


def shimmed(sql: str, disabled: tuple[str, ...] = ()) -> str:
    tree = sqlglot.parse_one(sql, read="snowflake")
    return emulator_shims.rewrite_tree(tree, disabled).sql(dialect="duckdb")


@pytest.mark.parametrize(
    ("name", "sql", "expected"),
    [
        ("is_object", "select is_object(try_parse_json(x))", "JSON_TYPE("),
        (
            "timestamp_format_literals",
            """select try_to_timestamp_ntz(x, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""",
            "'%Y-%m-%dT%H:%M:%SZ'",
        ),
        (
            "to_char_format",
            """select to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS')""",
            "STRFTIME(t, '%Y-%m-%dT%H:%M:%S')",
        ),
        ("variant_element_text", "select get(f, n - 1)::varchar", "f ->> (n - 1)"),
        (
            "temporary_tables",
            "create or replace temporary table d.s.t as (select 1 as a)",
            "CREATE OR REPLACE TABLE d.s.t",
        ),
    ],
)
def test_each_tree_shim_rewrites_its_gap(name: str, sql: str, expected: str) -> None:
    assert expected in shimmed(sql)
    assert expected not in shimmed(sql, disabled=(name,))


def test_every_shim_is_documented_with_its_reason() -> None:
    names = [shim.name for shim in emulator_shims.SHIMS]
    assert set(emulator_shims.TREE_SHIMS) <= set(names)
    for shim in emulator_shims.SHIMS:
        assert f"| `{shim.name}` |" in DOC, shim.name
        assert len(shim.reason) > 40


def test_every_exclusion_is_documented() -> None:
    assert "unit_test:quarantine_reasons_for_json_records" in emulator.EMULATOR_EXCLUDES
    for selector in emulator.EMULATOR_EXCLUDES:
        assert selector.split(":", 1)[1] in DOC
    assert "snapshots in the second build" in DOC
