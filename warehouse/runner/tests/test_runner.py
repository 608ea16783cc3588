"""The runner's view of dbt: a failure says why, whatever kind of command failed."""

from __future__ import annotations

from pathlib import Path

from warehouse.dbt import Dbt, dbt_environment
from warehouse.runner.modes import Mode


def test_a_failing_operation_says_why(tmp_path: Path) -> None:
    """A macro that raises while `run-operation` runs it carries no message of its own in
    dbt's results (the summary used to print "?: error: None"): the runner keeps dbt's."""
    (tmp_path / "macros").mkdir()
    (tmp_path / "dbt_project.yml").write_text(
        "name: probe\nversion: '1.0'\nconfig-version: 2\nprofile: insurance_warehouse\n"
    )
    (tmp_path / "macros" / "boom.sql").write_text(
        "{% macro boom() %}{% do run_query('select * from no_such_table') %}{% endmacro %}\n"
    )
    env = dbt_environment(str(tmp_path), tmp_path / "w.duckdb", tmp_path / "target")
    outcome = Dbt(Mode("air-gapped", tmp_path, "test"), env).invoke("run-operation", "boom")
    assert not outcome.success
    assert outcome.failures
    assert all("None" not in f for f in outcome.failures), outcome.failures
    assert any("no_such_table" in f for f in outcome.failures), outcome.failures
