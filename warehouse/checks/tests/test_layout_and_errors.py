"""The Snowflake check is split by job and runs as ``warehouse check snowflake-sql``; the
checks raise domain errors, which only the command line turns into an exit code and one
message."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.checks import emulator
from warehouse.checks import snowflake_sql as sf
from warehouse.errors import CheckError, MissingInputError, WarehouseError

PACKAGE = Path(sf.__file__).parent
JOBS = {"rules", "adapter", "compile", "report", "cli"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_one_small_module_per_job() -> None:
    modules = {p.stem: p for p in PACKAGE.glob("*.py")}
    assert set(modules) >= JOBS
    assert all(len(p.read_text().splitlines()) <= 320 for p in modules.values())
    # the rules are pure SQL work: neither dbt nor a database
    assert not imported(modules["rules"]) & {"dbt", "duckdb", "snowflake"}


def test_the_command_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "warehouse", "check", "snowflake-sql", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--statements" in done.stdout


def test_not_a_dbt_project_is_a_domain_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(MissingInputError, match=r"no dbt_project\.yml"):
        sf.run_check(tmp_path)
    assert sf.main(["--project-dir", str(tmp_path)]) == MissingInputError.exit_code
    err = capsys.readouterr().err
    assert err.strip() == (
        f"warehouse check snowflake-sql: error: no dbt_project.yml at {tmp_path}"
    )


def test_a_missing_statement_log_is_a_domain_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "statements.jsonl"
    assert sf.main(["--statements", str(missing)]) == MissingInputError.exit_code
    assert capsys.readouterr().err.strip() == (
        f"warehouse check snowflake-sql: error: no statements.jsonl at {tmp_path}"
    )


def test_emulator_errors_are_domain_errors(tmp_path: Path) -> None:
    assert issubclass(emulator.EmulatorError, CheckError)
    assert issubclass(CheckError, WarehouseError)
    (tmp_path / "_manifests").mkdir()
    with pytest.raises(emulator.EmulatorError, match="at least two batches"):
        emulator.default_runs(tmp_path)
