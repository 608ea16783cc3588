"""The SQL compiled for Snowflake is Snowflake SQL: on the real project, and the checker
catches what it must (DuckDB functions, syntax errors, engine branches in models)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from warehouse.checks import snowflake_sql as sf

pytestmark = pytest.mark.cost(130)

ALLOWED = sf.load_allowed_functions()


# --- the real project -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def project_report(tmp_path_factory: pytest.TempPathFactory) -> sf.Report:
    return sf.run_check(work_dir=tmp_path_factory.mktemp("snowflake-sql"))


def test_project_compiles_to_snowflake_sql(project_report: sf.Report) -> None:
    assert project_report.ok, project_report.render()
    assert project_report.node_count.get("model", 0) > 0
    assert project_report.checked >= project_report.node_count["model"]


def test_root_stage_external_sources_hands_over_to_dbt_external_tables(
    hub_packages: Path, tmp_path: Path
) -> None:
    staged = sf.stage_external_sources(sf.REPO_ROOT, hub_packages, work_dir=tmp_path)
    assert not staged.errors, staged.errors
    statements = [item.sql.lower() for item in staged.sql]
    created = [s for s in statements if s.startswith("create or replace external table")]
    # one external table per source with an `external` block: five sources + manifests
    assert len(created) == 6, statements
    assert all("location = @landing.lake_stage/" in s for s in created)
    assert sum("file_format = landing.raw_lines" in s for s in created) == 5
    assert any("create schema if not exists" in s for s in statements)
    # the stage's prefix is stripped from METADATA$FILENAME: names as in the manifests
    assert all(
        "file_name varchar as (substr(metadata$filename, length('raw/') + 1)" in s for s in created
    )
    # no S3 notification is relied on: each run refreshes every table itself, synchronously
    assert all("auto_refresh = false" in s for s in created)
    tables = {name.upper(): "EXTERNAL_TABLE" for name in sf.EXTERNAL_SOURCES}
    daily = sf.stage_external_sources(
        sf.REPO_ROOT,
        hub_packages,
        work_dir=tmp_path / "daily",
        existing={("INSURANCE", "LANDING"): tables},
    )
    refreshed = [q.sql.lower() for q in daily.sql if "refresh" in q.sql.lower()]
    assert len(refreshed) == 6, [q.sql for q in daily.sql]
    assert all(s.lstrip().startswith("alter external table") for s in refreshed)
    report = sf.run_check(work_dir=tmp_path / "check", packages_dir=hub_packages)
    assert report.ok, report.render()
    assert "6 external table(s) created by dbt-external-tables" in report.render()


# --- checking SQL text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select json_extract_string(x, '$.a') from t", "JSON_EXTRACT_STRING"),
        ("select regexp_full_match(x, '[0-9]+') from t", "REGEXP_FULL_MATCH"),
        ("select regexp_matches(x, 'a') from t", "REGEXP_MATCHES"),
        ("select regexp_extract_all(x, ',(a)', 1) from t", "REGEXP_EXTRACT_ALL"),
        ("select list_sort(list_filter(k, e -> e > 1)) from t", "LIST_SORT"),
        ("select json_valid(x), json_type(x) from t", "JSON_VALID"),
        ("select json_type(x) from t", "JSON_TYPE"),
        ("select try_strptime(x, '%Y') from t", "TRY_STRPTIME"),
        ("select strftime(d, '%Y') from t", "STRFTIME"),
        ("select * from t cross join unnest(cast(a as json[])) as l(value)", "UNNEST"),
        ("select no_such_function(x) from t", "NO_SUCH_FUNCTION"),
        ("select cast(x as json) from t", "JSON"),
        ("select cast(x as hugeint) from t", "INT128"),
    ],
)
def test_non_snowflake_sql_is_reported(sql: str, expected: str) -> None:
    problems = sf.check_sql(sql, ALLOWED)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "sql",
    [
        "select (1 + from t",
        "select a from t where",
        "select case when a then 1 from t",
    ],
)
def test_syntax_error_is_reported(sql: str) -> None:
    problems = sf.check_sql(sql, ALLOWED)
    assert problems and problems[0].startswith("does not parse as Snowflake SQL"), problems


def test_snowflake_sql_passes() -> None:
    sql = textwrap.dedent(
        """
        with docs as (
            select iff(is_object(try_parse_json(line)), try_parse_json(line), null) as doc
            from landing.policies
        )
        select
            doc:"policy"."id"::varchar as policy_id,
            regexp_substr_all(',' || line, ',("([^"]|"")*"|[^,]*)', 1, 1, 'e', 1) as fields,
            array_size(fields) as n,
            fields[0]::varchar as first_field,
            try_to_timestamp_ntz(x, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as ts,
            try_to_decimal(y, 18, 2) as amount,
            len(line) as chars,
            nullif(array_to_string(array_sort(array_except(object_keys(doc),
                array_construct('a', 'b'))), ','), '') as extra,
            listed.value:id::varchar as id,
            md5(cast(coalesce(cast(a as varchar), '') as varchar)) as key,
            row_number() over (partition by a order by b desc) as rn,
            datediff(day, d1, d2) as days,
            cast(x as number(38, 0)) as n2, x::timestamp_ntz as t2, current_timestamp() as now
        from docs
        cross join lateral flatten(input => doc:files) as listed
        """
    )
    assert sf.check_sql(sql, ALLOWED) == []


def test_functions_file_lists_the_functions_the_macros_use() -> None:
    for name in ("IFF", "REGEXP_LIKE", "TRY_PARSE_JSON", "OBJECT_KEYS", "FLATTEN", "ARRAY_SIZE"):
        assert name in ALLOWED
    assert "JSON_EXTRACT_STRING" not in ALLOWED
    assert "REGEXP_FULL_MATCH" not in ALLOWED


# --- engine branches ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{% if target.name == 'dev' %} select 1 {% endif %}",
        "{% if target.type == 'duckdb' %} select 1 {% endif %}",
        "select {{ 'a' if target['name'] == 'prod' else 'b' }}",
        "{%- set engine = target.get('type') -%}",
        "config:\n  enabled: \"{{ target.name != 'dev' }}\"",
    ],
)
def test_target_branch_is_found(text: str) -> None:
    assert sf.find_target_branches(text)


def test_sql_column_named_target_name_is_not_a_branch() -> None:
    assert sf.find_target_branches("select target.name from t as target {{ ref('x') }}") == []


# --- a throwaway project, compiled for Snowflake offline --------------------------------------

PROFILE = """
throwaway:
  target: ci
  outputs:
    ci:
      type: snowflake
      account: offline
      user: CHECK
      password: offline
      role: R
      database: DB
      warehouse: W
      schema: S
      threads: 2
"""

MODELS = {
    "good.sql": "select iff(true, 1, 0) as a, regexp_like('1', '[0-9]') as b",
    "duckdb_function.sql": "select json_extract_string(x, '$.a') as a from {{ ref('good') }} as x",
    "syntax_error.sql": "select (1 + from {{ ref('good') }}",
    "target_branch.sql": (
        "{% if target.name == 'dev' %} select 1 as a {% else %} select 2 as a {% endif %}"
    ),
    "incremental_only.sql": (
        "{{ config(materialized='incremental') }}\n"
        "select a from {{ ref('good') }}\n"
        "{% if is_incremental() %}\n"
        "where regexp_full_match(a::varchar, '[0-9]+')\n"
        "{% endif %}"
    ),
    "compile_time_query.sql": (
        "{% set rows = run_query(\"select strftime(current_date, '%Y') as y\") %}\nselect 1 as a"
    ),
}


# A contract declaring a DuckDB type: dbt-snowflake sends it verbatim in its probe.
CONTRACT = """
version: 2
models:
  - name: contracted
    config:
      contract: {enforced: true}
    columns:
      - name: n
        data_type: hugeint
"""


@pytest.fixture(scope="session")
def throwaway_report(tmp_path_factory: pytest.TempPathFactory) -> sf.Report:
    project = tmp_path_factory.mktemp("throwaway")
    (project / "dbt_project.yml").write_text(
        "name: throwaway\nversion: '1.0'\nconfig-version: 2\nprofile: throwaway\n",
        encoding="utf-8",
    )
    (project / "profiles.yml").write_text(PROFILE, encoding="utf-8")
    (project / "models").mkdir()
    for name, sql in MODELS.items():
        (project / "models" / name).write_text(sql + "\n", encoding="utf-8")
    (project / "models" / "contracted.sql").write_text("select 1 as n\n", encoding="utf-8")
    (project / "models" / "_models.yml").write_text(CONTRACT, encoding="utf-8")
    return sf.run_check(project, target="ci", work_dir=project / "_work")


def _problems_of(report: sf.Report, fragment: str) -> list[str]:
    return [p for where, ps in report.problems.items() if fragment in where for p in ps]


def test_throwaway_project_fails(throwaway_report: sf.Report) -> None:
    assert not throwaway_report.ok
    assert "problem(s)" in throwaway_report.render()
    assert _problems_of(throwaway_report, "model.throwaway.good (") == []


def test_duckdb_function_in_a_model_is_reported(throwaway_report: sf.Report) -> None:
    problems = _problems_of(throwaway_report, "model.throwaway.duckdb_function")
    assert any("JSON_EXTRACT_STRING" in p for p in problems), throwaway_report.render()


def test_syntax_error_in_a_model_is_reported(throwaway_report: sf.Report) -> None:
    problems = _problems_of(throwaway_report, "model.throwaway.syntax_error")
    assert any("does not parse" in p for p in problems), throwaway_report.render()


def test_target_branch_in_a_model_is_reported(throwaway_report: sf.Report) -> None:
    problems = _problems_of(throwaway_report, str(Path("models") / "target_branch.sql"))
    assert any("target" in p for p in problems), throwaway_report.render()


def test_incremental_branch_is_checked(throwaway_report: sf.Report) -> None:
    first_run = throwaway_report.problems.get(
        "model.throwaway.incremental_only (models/incremental_only.sql)", []
    )
    assert first_run == []
    problems = _problems_of(throwaway_report, "model.throwaway.incremental_only (incremental run)")
    assert any("REGEXP_FULL_MATCH" in p for p in problems), throwaway_report.render()


def test_a_file_name_keeping_the_stage_prefix_is_reported() -> None:
    def manifest(expression: str) -> dict:
        column = {"config": {"meta": {"expression": expression}}}
        source = {"unique_id": "source.p.landing.claims", "external": {"location": "@S/claims/"}}
        return {"sources": {"s": {**source, "columns": {"file_name": column}}}}

    kept = sf.check_file_name_expressions(manifest("metadata$filename"), "raw/")
    assert "stage's prefix" in kept["source.p.landing.claims"][0]
    stripped = "substr(metadata$filename, length('raw/') + 1)"
    assert sf.check_file_name_expressions(manifest(stripped), "raw/") == {}


def test_duckdb_type_in_a_contract_is_reported(throwaway_report: sf.Report) -> None:
    problems = _problems_of(throwaway_report, "model.throwaway.contracted (contract probe)")
    assert any("INT128" in p for p in problems), throwaway_report.render()


def test_compile_time_query_is_checked(throwaway_report: sf.Report) -> None:
    problems = _problems_of(throwaway_report, "compile-time query")
    assert any("STRFTIME" in p for p in problems), throwaway_report.render()


def test_cli_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        sf.main(["--help"])
    assert exit_info.value.code == 0
    assert "Snowflake" in capsys.readouterr().out
