"""Tests scoped to what changed (macros/tests/test_scope.sql), on a real dbt build.

A small project with the warehouse's scoping macro: an incremental model that stamps its
rows with `processed_at` (the run's start, as the warehouse's incremental models do), a
table rebuilt whole from it (carrying its processed_at), and a view of the same rows
without it. A bad row landed by an earlier build is reported by
the nightly full test run only; a bad new row by both; a key test sees a duplicate across
old and new rows on every run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warehouse.dbt import Dbt, DbtOutcome, dbt_environment
from warehouse.runner.modes import ROOT, Mode

pytestmark = pytest.mark.cost(40)

PROJECT = """\
name: insurance_warehouse
version: "1.0"
config-version: 2
profile: insurance_warehouse
vars:
  full_tests: false
data_tests:
  +severity: warn
"""

EVENTS = """\
{{ config(materialized='incremental') }}
select
    id,
    status,
    batch,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as processed_at
from read_csv(
    '{{ env_var("SCOPE_ROWS") }}',
    header = true,
    columns = {'id': 'integer', 'status': 'varchar', 'batch': 'integer'}
)
{% if is_incremental() %}
where batch > (select max(batch) from {{ this }})
{% endif %}
"""

EVENTS_TABLE = """\
{{ config(materialized='table') }}
select * from {{ ref('events') }}
"""

EVENTS_VIEW = """\
select id, status, batch
from read_csv(
    '{{ env_var("SCOPE_ROWS") }}',
    header = true,
    columns = {'id': 'integer', 'status': 'varchar', 'batch': 'integer'}
)
"""

SCHEMA = """\
version: 2
models:
  - name: events
    data_tests:
      - expression_is_true:
          arguments: {expression: "batch > 0"}
          config: {where: "status != 'bogus_new'"}
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: status
        data_tests:
          - accepted_values:
              arguments: {values: [open, closed]}
          - accepted_values:
              name: events_status_whole_table
              arguments: {values: [open, closed]}
              config: {meta: {test_scope: whole_table}}
  - name: events_table
    columns:
      - name: status
        data_tests:
          - accepted_values:
              arguments: {values: [open, closed]}
  - name: events_view
    columns:
      - name: status
        data_tests:
          - accepted_values:
              arguments: {values: [open, closed]}
"""

BATCH_1 = "id,status,batch\n1,open,1\n2,bogus_old,1\n3,closed,1\n"
BATCH_2 = "4,bogus_new,2\n3,open,2\n5,closed,2\n"


def failing(outcome: DbtOutcome) -> dict[str, int]:
    """Failing rows per test (the tests warn), by the test's name."""
    return {w.test: w.failing_rows or 0 for w in outcome.warnings}


def by_prefix(counts: dict[str, int], prefix: str) -> int:
    found = [n for name, n in counts.items() if name.startswith(prefix)]
    assert len(found) <= 1, counts
    return found[0] if found else 0


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dbt, Path]:
    base = tmp_path_factory.mktemp("scope")
    (base / "models").mkdir()
    (base / "dbt_project.yml").write_text(PROJECT)
    (base / "models" / "events.sql").write_text(EVENTS)
    (base / "models" / "events_view.sql").write_text(EVENTS_VIEW)
    (base / "models" / "events_table.sql").write_text(EVENTS_TABLE)
    (base / "models" / "_models.yml").write_text(SCHEMA)
    # the scoping macro and the project's generic tests (expression_is_true)
    shutil.copytree(ROOT / "macros" / "tests", base / "macros")
    rows = base / "rows.csv"
    rows.write_text(BATCH_1)
    env = dbt_environment(str(base), base / "w.duckdb", base / "target")
    env["SCOPE_ROWS"] = str(rows)
    return Dbt(Mode("air-gapped", base, "test"), env), rows


@pytest.fixture(scope="module")
def runs(project: tuple[Dbt, Path]) -> dict[str, dict[str, int]]:
    dbt, rows = project
    first = dbt.invoke("build")
    assert first.success, first.failures
    with rows.open("a") as out:
        out.write(BATCH_2)
    second = dbt.invoke("build")
    assert second.success, second.failures
    again = dbt.invoke("test")
    nightly = dbt.invoke("test", "--vars", "{full_tests: true}")
    # as `warehouse run` does: parse once, then commands on that manifest
    assert dbt.parse().success
    parsed_scoped = dbt.invoke("test")
    parsed_full = dbt.invoke("test", "--vars", "{full_tests: true}")
    return {
        "first": failing(first),
        "second": failing(second),
        "again": failing(again),
        "nightly": failing(nightly),
        "parsed, scoped": failing(parsed_scoped),
        "parsed, full": failing(parsed_full),
    }


def test_a_first_build_tests_every_row(runs: dict[str, dict[str, int]]) -> None:
    assert by_prefix(runs["first"], "accepted_values_events_status") == 1  # bogus_old


def test_an_incremental_build_tests_only_the_new_rows(runs: dict[str, dict[str, int]]) -> None:
    # bogus_old was landed by the first build: not tested again; bogus_new is
    assert by_prefix(runs["second"], "accepted_values_events_status") == 1
    # a `dbt test` after the build tests the same latest rows
    assert by_prefix(runs["again"], "accepted_values_events_status") == 1


def test_the_nightly_full_run_tests_every_row(runs: dict[str, dict[str, int]]) -> None:
    assert by_prefix(runs["nightly"], "accepted_values_events_status") == 2


def test_a_key_test_sees_a_duplicate_across_old_and_new_rows(
    runs: dict[str, dict[str, int]],
) -> None:
    assert by_prefix(runs["first"], "unique_events_id") == 0
    assert by_prefix(runs["second"], "unique_events_id") == 1
    assert by_prefix(runs["nightly"], "unique_events_id") == 1


def test_without_processed_at_or_when_asked_a_test_reads_the_whole_table(
    runs: dict[str, dict[str, int]],
) -> None:
    # the view has no processed_at: both bad rows, incremental run or not
    assert by_prefix(runs["second"], "accepted_values_events_view_status") == 2
    # a table rebuilt whole carries processed_at from upstream: still the whole table
    assert by_prefix(runs["second"], "accepted_values_events_table_status") == 2
    # meta: {test_scope: whole_table}
    assert runs["second"]["events_status_whole_table"] == 2


def test_a_where_config_of_the_test_still_applies(
    project: tuple[Dbt, Path], runs: dict[str, dict[str, int]]
) -> None:
    """The test's own `where` is and-ed with the new-rows condition (compiled SQL)."""
    dbt, _ = project
    assert dbt.invoke("compile", "--select", "expression_is_true_events*").success
    compiled = sorted((dbt.mode.project_dir / "target" / "compiled").rglob("expression_is_true*"))
    assert compiled
    sql = compiled[0].read_text()
    assert "processed_at >= (select max(processed_at)" in sql
    assert "status != 'bogus_new'" in sql


def test_a_parsed_manifest_reused_honours_the_var(runs: dict[str, dict[str, int]]) -> None:
    """`warehouse run` parses once and reuses the manifest: --vars given to a later
    command still reach the scoping macro."""
    assert by_prefix(runs["parsed, scoped"], "accepted_values_events_status") == 1
    assert by_prefix(runs["parsed, full"], "accepted_values_events_status") == 2
