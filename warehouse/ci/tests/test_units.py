"""Fast checks without dbt: the SQL classifier, the Snowflake SQL, the CLI and the workflows."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
import yaml

from warehouse.ci.categories import ChangeCategory
from warehouse.ci.classify import classify_sql, output_columns, passes_columns_through
from warehouse.ci.core import REPO_ROOT, Relation, to_dialect
from warehouse.ci.diff import diff_sql, sample_sql
from warehouse.ci.promote import snowflake_promotion_sql, snowflake_rollback_sql
from warehouse.cli import build_parser

BASE = """
with accepted as (select * from "db"."main_staging"."policies" where quarantine_reason is null),
ranked as (select *, row_number() over (partition by policy_id order by updated_at desc) as r
           from accepted)
select policy_id, currency, cast(premium as decimal(18, 2)) as premium
from ranked where r = 1
"""


@pytest.mark.parametrize(
    ("new", "category", "reason"),
    [
        (
            BASE.replace("from ranked", "-- a comment\nFROM   ranked").upper(),
            ChangeCategory.UNCHANGED,
            None,
        ),
        (BASE.replace('"db".', '"other_db".'), ChangeCategory.UNCHANGED, None),
        (
            BASE.replace("currency,", "currency, lower(currency) as ccy,"),
            ChangeCategory.NON_BREAKING,
            None,
        ),
        (BASE.replace("currency,", ""), ChangeCategory.BREAKING, "column currency removed"),
        (
            BASE.replace("currency,", "currency as ccy,"),
            ChangeCategory.BREAKING,
            "column currency removed",
        ),
        (
            BASE.replace("decimal(18, 2)", "double"),
            ChangeCategory.BREAKING,
            "column premium retyped",
        ),
        (
            BASE.replace("r = 1", "r = 1 and currency <> 'EUR'"),
            ChangeCategory.BREAKING,
            "filter changed",
        ),
        (
            BASE.replace("is null", "is not null"),
            ChangeCategory.BREAKING,
            "CTE accepted: filter changed",
        ),
        (
            BASE.replace("from ranked", "from ranked join x using (policy_id)"),
            ChangeCategory.BREAKING,
            "join changed",
        ),
        (
            BASE.replace("select policy_id", "select distinct policy_id"),
            ChangeCategory.BREAKING,
            "grain",
        ),
        (
            BASE.replace("currency,", "currency, unnest(tags) as tag,"),
            ChangeCategory.BREAKING,
            "multiplies rows",
        ),
    ],
)
def test_classification(new, category, reason):
    result = classify_sql(BASE, new)
    assert result.category == category, result.reasons
    if reason:
        assert any(reason in r for r in result.reasons), result.reasons


def test_output_columns_follow_stars_through_ctes():
    sql = "with a as (select x, y from t), b as (select * from a) select * from b"
    assert output_columns(sql) == ["x", "y"]
    assert output_columns("select * from t") is None


def test_star_passthrough():
    parent = ("main_staging", "base")
    assert passes_columns_through("select * exclude (a) from main_staging.base", *parent)
    assert passes_columns_through(
        "with c as (select * from main_staging.base) select c.*, 1 as k from c", *parent
    )
    assert not passes_columns_through(
        "with c as (select * from main_staging.base) select id from c", *parent
    )
    assert not passes_columns_through("select * from main_staging.other", *parent)


def test_diff_and_promotion_sql_is_snowflake_sql():
    prod = Relation("INSURANCE", "ANALYTICS_MARTS", "DIM_POLICIES")
    env = Relation("INSURANCE", "CI_PR_7_MARTS", "DIM_POLICIES")
    cols = [("PREMIUM", True), ("STATUS", False)]
    for sql in (
        diff_sql(prod, env, ["POLICY_VERSION_KEY"], cols),
        sample_sql(prod, env, ["POLICY_VERSION_KEY"], cols, "changed", 5),
    ):
        snowflake = to_dialect(sql, "snowflake")
        assert sqlglot.parse_one(snowflake, read="snowflake")
        assert "IS DISTINCT FROM" in snowflake.upper()
    statements = snowflake_promotion_sql([(prod, env)])
    assert (
        statements[0] == "create or replace schema ANALYTICS_MARTS__CANDIDATE clone ANALYTICS_MARTS"
    )
    assert "alter schema ANALYTICS_MARTS swap with ANALYTICS_MARTS__CANDIDATE" in statements
    # a replaced table keeps its grants (the schema clone kept them for the others)
    assert (
        "create or replace table ANALYTICS_MARTS__CANDIDATE.DIM_POLICIES"
        " clone CI_PR_7_MARTS.DIM_POLICIES copy grants"
    ) in statements
    for statement in statements + snowflake_rollback_sql(["ANALYTICS_MARTS"]):
        assert sqlglot.parse_one(statement, read="snowflake")


def test_cli_help_reads_well():
    parser = build_parser()
    text = parser.format_help()
    for command in ("plan", "env", "diff", "report", "promote", "save-state", "janitor"):
        assert command in text
    out = subprocess.run(
        [sys.executable, "-m", "warehouse", "plan", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    ).stdout
    assert "--state" in out and "--env" in out


WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def test_workflows_parse_and_call_the_cli():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"pull-request.yml", "main.yml", "nightly.yml"}
    text = {f.name: f.read_text() for f in files}
    for name, body in text.items():
        data = yaml.safe_load(body)
        assert data["jobs"], name
        assert True in data or "on" in data, name  # YAML 1.1 reads `on:` as True
    pr = text["pull-request.yml"]
    for step in (
        "warehouse plan",
        "warehouse env",
        "warehouse diff",
        "warehouse report",
    ):
        assert step in pr
    assert "sqlfluff lint" in pr and "dbt-score lint" in pr
    assert "warehouse promote" in text["main.yml"]
    assert "warehouse janitor" in text["nightly.yml"]
    assert "warehouse-ci " not in "".join(text.values())  # the old command is gone


def _check_jsonschema() -> str | None:
    found = Path(sys.executable).with_name("check-jsonschema")
    return str(found) if found.exists() else shutil.which("check-jsonschema")


@pytest.mark.skipif(_check_jsonschema() is None, reason="check-jsonschema is not installed")
def test_workflows_match_the_github_workflow_schema():
    """Validated offline against the GitHub workflow schema that check-jsonschema ships."""
    proc = subprocess.run(
        [
            _check_jsonschema(),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, sorted(WORKFLOWS.glob("*.yml"))),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_diff_without_samples_keeps_no_row(tmp_path):
    """CI diffs run with --samples 0: counts and match rates, never a row's values."""
    import duckdb

    from warehouse.ci.core import Relation, Settings, Warehouse
    from warehouse.ci.diff import compare

    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema p; create schema e")
        con.execute("create table p.t as select * from (values (1, 'a'), (2, 'b')) v(k, x)")
        con.execute(
            "create table e.t as select * from (values (1, 'a'), (2, 'c'), (3, 'd')) v(k, x)"
        )
    prod, env = Relation("w", "p", "t"), Relation("w", "e", "t")
    with Warehouse(Settings(database=database)) as wh:
        kept = compare(wh, prod, env, ["k"], samples=0)
        sampled = compare(wh, prod, env, ["k"], samples=5)
    assert (kept["changed_rows"], kept["only_in_env"]) == (1, 1)
    assert kept["samples"] == {"only_in_prod": [], "only_in_env": [], "changed": []}
    assert sampled["samples"]["changed"] and sampled["samples"]["only_in_env"]
