"""Domain errors: library code raises them, the command line turns each into an exit code and
one message, and an unexpected bug keeps its traceback. No dbt runs here (a failing dbt is a
stand-in)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from warehouse.ci import cli, core, environment, plan, promote
from warehouse.ci.core import REPO_ROOT, DbtCall, Manifest, Settings, read_json, write_json
from warehouse.ci.plan import Plan
from warehouse.errors import (
    ConfigurationError,
    DbtInvocationError,
    EnvironmentNotFoundError,
    HubPackagesUnavailable,
    MetricsUnavailable,
    MissingInputError,
    PlanError,
    PromotionRefusedError,
    WarehouseError,
)

CLI_MODULES = {"cli.py", "__main__.py"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """An environment of a project that is only its profile (no dbt runs here)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "dbt_project.yml").write_text("name: stand_in\nprofile: insurance_warehouse\n")
    shutil.copyfile(REPO_ROOT / "profiles.yml", project / "profiles.yml")
    return Settings(
        project_dir=tmp_path / "project",
        target="dev",
        database=tmp_path / "warehouse.duckdb",
        workdir=tmp_path / "ci",
        env="feature/x",
        quiet=True,
    )


def cli_args(settings: Settings, command: str, *extra: str) -> list[str]:
    return [
        command,
        *extra,
        *("--project-dir", str(settings.project_dir)),
        *("--database", str(settings.database)),
        *("--workdir", str(settings.workdir)),
        *("--env", settings.env),
        "--quiet",
    ]


def save_plan(settings: Settings, errors: list[str]) -> None:
    plan.save(settings, Plan(settings.env, "2026-11-22T00:00:00+00:00", "state", errors=errors))


def failing_dbt(settings: Settings, args: Any, *, target_path: Path, **_: Any) -> DbtCall:
    target_path.mkdir(parents=True, exist_ok=True)
    log = target_path / "dbt.log"
    log.write_text("Compilation Error in model broken\n  unexpected '}'\n")
    return DbtCall(list(args), 2, 0.1, target_path, log)


# -- library code raises ------------------------------------------------------------------


def test_missing_manifest_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MissingInputError, match="no dbt manifest"):
        Manifest.load(tmp_path)
    with pytest.raises(MissingInputError, match="run the step that writes it first"):
        read_json(tmp_path / "diff.json")
    assert issubclass(MissingInputError, ConfigurationError)


def test_environment_without_plan_is_not_found(settings: Settings) -> None:
    with pytest.raises(EnvironmentNotFoundError, match="warehouse plan"):
        Plan.load(settings)
    with pytest.raises(EnvironmentNotFoundError):
        environment.build_environment(settings, settings.workdir)


def test_environment_never_built_is_not_found(settings: Settings) -> None:
    save_plan(settings, [])
    with pytest.raises(EnvironmentNotFoundError, match="warehouse env"):
        promote.promote(settings)


def test_plan_with_errors_is_not_built(settings: Settings) -> None:
    save_plan(settings, ["breaking change to fct_claims, a model with an enforced contract"])
    with pytest.raises(PlanError, match="fct_claims"):
        environment.build_environment(settings, settings.workdir)


def test_promotion_refused_when_tests_failed(settings: Settings) -> None:
    save_plan(settings, [])
    write_json(
        settings.env_dir / "environment.json",
        {"ok": False, "steps": [{"step": "build", "failures": ["test.not_null: fail"]}]},
    )
    with pytest.raises(PromotionRefusedError, match="not_null"):
        promote.check_promotable(settings)


def test_failed_dbt_raises_with_the_log(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan, "dbt", failing_dbt)
    monkeypatch.setattr(promote, "dbt", failing_dbt)
    with pytest.raises(DbtInvocationError, match="unexpected") as raised:
        plan.compile_working_tree(settings, settings.workdir)
    assert raised.value.command == "compile"
    with pytest.raises(DbtInvocationError, match="dbt compile failed"):
        promote.save_production_state(settings, settings.workdir / "state")


def test_snowflake_without_its_settings_is_a_configuration_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for variable in core.SNOWFLAKE_REQUIRED:
        monkeypatch.delenv(variable, raising=False)
    prod = replace(settings, target="prod")
    with pytest.raises(ConfigurationError, match="SNOWFLAKE_ACCOUNT"), core.Warehouse(prod):
        pass
    assert cli.main(cli_args(prod, "janitor", "--target", "prod", "--dry-run")) == 4
    assert "set SNOWFLAKE_ACCOUNT, SNOWFLAKE_PRIVATE_KEY_PATH" in capsys.readouterr().err


def test_no_exit_below_the_command_line() -> None:
    """No module of the warehouse package but a command line exits the process."""
    found = []
    for package in ("warehouse",):
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            if "tests" in path.parts or path.name in CLI_MODULES:
                continue
            tree = ast.parse(path.read_text())
            main_guard = {
                id(n)
                for node in tree.body
                if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
                for n in ast.walk(node)
            }
            for node in ast.walk(tree):
                if id(node) in main_guard:
                    continue
                if isinstance(node, ast.Raise):
                    exits = "SystemExit" in ast.unparse(node)
                elif isinstance(node, ast.Call):
                    exits = ast.unparse(node.func) in {"sys.exit", "exit", "quit"}
                elif isinstance(node, ast.ClassDef):
                    exits = "SystemExit" in map(ast.unparse, node.bases)
                else:
                    continue
                if exits:
                    found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)[:80]}")
    assert not found


# -- the command line turns each into an exit code and one message ------------------------


@pytest.mark.parametrize(
    ("command", "prepare", "code", "message"),
    [
        ("plan", None, 4, "no dbt manifest"),
        ("env", None, 4, "no plan for environment feature/x"),
        ("env", "plan-errors", 2, "the plan has errors"),
        ("promote", "plan-errors", 3, "promotion refused"),
        ("promote", "plan-ok", 4, "was never built"),
        ("report", None, 4, "no plan for environment"),
        ("save-state", "dbt-fails", 1, "dbt compile failed"),
    ],
)
def test_cli_reports_each_error_kind(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    prepare: str | None,
    code: int,
    message: str,
) -> None:
    if prepare == "plan-errors":
        save_plan(settings, ["breaking change to fct_claims"])
    elif prepare == "plan-ok":
        save_plan(settings, [])
    elif prepare == "dbt-fails":
        monkeypatch.setattr(promote, "dbt", failing_dbt)
    extra = ["--state", str(settings.workdir / "no-state")] if command != "promote" else []
    if command == "report":
        extra = []
    assert cli.main(cli_args(settings, command, *extra)) == code
    err = capsys.readouterr().err
    assert err.startswith(f"warehouse {command}: error: ")
    assert message in err
    assert "Traceback" not in err


def test_cli_keeps_the_traceback_of_a_bug(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Plan:
        raise KeyError("a bug, not a domain error")

    monkeypatch.setattr(plan, "build_plan", broken)
    with pytest.raises(KeyError, match="a bug"):
        cli.main(cli_args(settings, "plan", "--state", str(settings.workdir)))


def test_entry_point_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "warehouse", "plan", "--state", str(tmp_path / "none")),
            *("--project-dir", str(REPO_ROOT / "offline"), "--workdir", str(tmp_path), "--quiet"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 4
    assert done.stderr.strip().splitlines() == [
        f"warehouse plan: error: no dbt manifest at {tmp_path / 'none'}"
    ]


def test_every_domain_error_has_an_exit_code() -> None:
    kinds = [
        ConfigurationError,
        MissingInputError,
        EnvironmentNotFoundError,
        DbtInvocationError,
        PlanError,
        PromotionRefusedError,
        HubPackagesUnavailable,
        MetricsUnavailable,
    ]
    assert all(issubclass(k, WarehouseError) and k.exit_code > 0 for k in kinds)
    assert not issubclass(WarehouseError, SystemExit)
