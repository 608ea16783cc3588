"""What dbt sends to Snowflake, checked statement by statement: the kinds, the checks, and
a DuckDB type planted in a contract or a prefix strip taken out of an external table,
each caught in the statements dbt actually sends (fakesnow's cursor for `dbt build`,
the offline stand-in for dbt-external-tables)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warehouse.checks import emulator as emu
from warehouse.checks import sent_sql
from warehouse.checks import snowflake_sql as sf

pytestmark = pytest.mark.cost(60)

ALLOWED = sf.load_allowed_functions()
PROJECT_FOLDERS = ("models", "macros", "tests", "seeds", "snapshots", "analyses")


def project_copy(dest: Path) -> Path:
    """The repository's dbt projects (root and offline/) in ``dest``, to plant a change."""
    for folder in PROJECT_FOLDERS:
        shutil.copytree(sf.REPO_ROOT / folder, dest / folder)
    for name in ("dbt_project.yml", "packages.yml", "package-lock.yml", "profiles.yml"):
        shutil.copy(sf.REPO_ROOT / name, dest / name)
    (dest / "offline").mkdir()
    shutil.copy(sf.REPO_ROOT / "offline" / "dbt_project.yml", dest / "offline")
    return dest


def plant(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("create or replace transient table d.s.t as (select 1 as a)", "table"),
        ("create or replace view d.s.v as (select 1 as a)", "view"),
        (
            "select * from (select cast(null as bigint) as n) as s where false limit 0",
            "contract probe",
        ),
        ("delete from d.s.t using d.s.t__dbt_tmp as u where u.k = t.k", "incremental delete"),
        ("insert into d.s.t (a) (select a from d.s.t__dbt_tmp)", "insert"),
        (
            "merge into d.s.snap as t using d.s.snap__dbt_tmp as s on t.k = s.k"
            " when matched then update set a = s.a",
            "snapshot merge",
        ),
        (
            "with dbt_internal_unit_test_actual as (select 1 as a)"
            " select * from dbt_internal_unit_test_actual",
            "unit-test fixture",
        ),
        ("select count(*) as failures, count(*) != 0 as should_warn from (select 1) t", "test"),
        (
            "create or replace external table d.landing.c (a varchar as (value:c1::varchar))"
            " location = @s/c/",
            "external table",
        ),
        ("alter external table d.landing.c refresh", "external table"),
        ("show terse objects in schema d.s", "introspection"),
        ("begin", "transaction"),
    ],
)
def test_statement_kinds(sql: str, kind: str) -> None:
    assert sent_sql.statement_kind(sql) == kind


def test_bound_seed_rows_parse() -> None:
    sql = "insert into d.s.fx (a, b) values (%s,%s),(%s,%s)"
    assert sf.check_sql(sql, ALLOWED)
    assert sf.check_sql(sent_sql.bind_placeholders(sql), ALLOWED) == []


def test_external_table_keeping_the_prefix_is_reported() -> None:
    kept = (
        "create or replace external table d.landing.claims (file_name varchar as"
        " (metadata$filename)) location = @landing.lake_stage/claims/ auto_refresh = false"
    )
    stripped = kept.replace(
        "(metadata$filename)", "(substr(metadata$filename, length('raw/') + 1))"
    )
    statements = [sent_sql.SentStatement("n", kept), sent_sql.SentStatement("m", stripped)]
    report = sent_sql.check_statements(statements, ALLOWED, "raw/")
    assert list(report.problems) == ["n (external table)"]
    assert "stage's prefix" in report.problems["n (external table)"][0]


def test_duckdb_type_in_a_probe_is_reported() -> None:
    probe = "select * from (select cast(null as hugeint) as n) as s where false limit 0"
    report = sent_sql.check_statements([sent_sql.SentStatement("m", probe)], ALLOWED, "raw/")
    assert report.problems == {"m (contract probe)": ["type INT128 is not a Snowflake type"]}


# --- planted in the project, caught in what dbt sends ------------------------------------------


def test_planted_duckdb_type_in_a_contract_is_caught_in_what_dbt_build_sends(
    tmp_path: Path,
) -> None:
    project = project_copy(tmp_path / "project")
    plant(
        project / "models" / "marts" / "claims" / "_claims__models.yml",
        "    data_type: bigint\n  - name: incurred_amount_usd\n",
        "    data_type: hugeint\n  - name: incurred_amount_usd\n",
    )
    # the model and what it reads, with no rows (--empty): the contract is probed as the
    # model is created
    captured = emu.capture_statements(
        project / "offline",
        tmp_path / "emulator",
        [
            *("build", "--empty", "--select", "+rpt_claims_per_day"),
            *("--resource-type", "model", "--resource-type", "seed"),
        ],
    )
    # every seed the selection reads is loaded (a run that loaded none proves nothing)
    assert captured.runs[0]["success"], captured.runs
    assert set(captured.runs[0]["statuses"]["seed"]) == {"success"}, captured.runs
    statements = sent_sql.load_statements(captured.work_dir / "statements.jsonl")
    report = sent_sql.check_statements(statements, ALLOWED, "raw/")
    where = "model.insurance_warehouse.rpt_claims_per_day (contract probe)"
    assert report.problems.get(where) == ["type INT128 is not a Snowflake type"], report.problems


def test_planted_missing_prefix_strip_is_caught_in_the_external_table_ddl(
    hub_packages: Path, tmp_path: Path
) -> None:
    project = project_copy(tmp_path / "project")
    plant(
        project / "models" / "staging" / "landing" / "_landing__sources.yml",
        'expression: "substr(metadata$filename,'
        " length('{{ var('snowflake_stage_prefix') }}') + 1)\"",
        'expression: "metadata$filename"',
    )
    staged = sf.stage_external_sources(
        project, hub_packages, profiles_dir=sf.REPO_ROOT, work_dir=tmp_path / "stage"
    )
    assert not staged.errors, staged.errors
    statements = [sent_sql.SentStatement("stage_external_sources", q.sql) for q in staged.sql]
    report = sent_sql.check_statements(statements, ALLOWED, "raw/")
    problems = report.problems.get("stage_external_sources (external table)", [])
    assert len(problems) == 1 and "keeps the stage's prefix 'raw/'" in problems[0], report.problems
    assert report.kinds["external table"] == 6


def test_partition_columns_without_parentheses_parse() -> None:
    """dbt-external-tables writes `name type as expression` for a partition column."""
    ddl = (
        "create or replace external table d.l.x(\n"
        "  ingest_date date as to_date(split_part(metadata$filename, '=', 2)),\n"
        "  n number(38, 0) as cast(x as number(38, 0)),\n"
        "  file_name varchar as (substr(metadata$filename, length('raw/') + 1)::varchar)\n"
        ") partition by (ingest_date) location = @l.s/x/ auto_refresh = false"
    )
    normalised = sent_sql.parenthesise_computed_columns(ddl)
    assert "date as (to_date(split_part(metadata$filename, '=', 2)))" in normalised
    assert "number(38, 0) as (cast(x as number(38, 0)))" in normalised
    assert "varchar as (substr(" in normalised
    report = sent_sql.check_statements([sent_sql.SentStatement("s", ddl)], ALLOWED, "raw/")
    assert report.problems == {}
