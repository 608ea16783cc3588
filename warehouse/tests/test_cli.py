"""The one command: `warehouse --help` lists every subcommand, each subcommand's help reads
well, a domain error from library code is one line and an exit code (never a traceback),
and the engine of a target is the profile's adapter type."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.ci.core import Settings
from warehouse.cli import build_parser, main
from warehouse.dbt import adapter_type
from warehouse.errors import ConfigurationError, MissingInputError

ROOT = Path(__file__).resolve().parents[2]
SUBCOMMANDS = (
    "run",
    "plan",
    "env",
    "diff",
    "report",
    "promote",
    "save-state",
    "janitor",
    "check",
    "dashboard",
    "bench",
)
NESTED = (("check", "snowflake-sql"), ("check", "emulator"))


def listed_commands(help_text: str) -> list[str]:
    """The subcommands a help text lists: the names indented under its positional
    arguments (argparse puts a long name alone on its line)."""
    section = help_text.split("positional arguments:", 1)[1].split("\noptions:", 1)[0]
    return re.findall(r"^    ([a-z][a-z-]*)(?:\s|$)", section, flags=re.MULTILINE)


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_warehouse_help_lists_every_subcommand() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "warehouse", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert listed_commands(proc.stdout) == list(SUBCOMMANDS)
    assert "examples:" in proc.stdout and "exit codes:" in proc.stdout


def test_the_entry_point_is_the_one_command() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    scripts = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0]
    assert sorted(re.findall(r"^(\S+) =", scripts, flags=re.MULTILINE)) == [
        "lakegen",
        "warehouse",
    ]
    assert 'warehouse = "warehouse.cli:main"' in scripts


@pytest.mark.parametrize("argv", [(c,) for c in SUBCOMMANDS] + list(NESTED), ids=" ".join)
def test_each_subcommand_help_has_a_description(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    text = help_of(capsys, *argv)
    assert text.startswith(f"usage: warehouse {' '.join(argv)}")
    # a description: the paragraph after the usage, a sentence or more
    description = text.split("\n\n", 2)[1]
    assert len(description.split()) >= 8, text
    assert "example" in text, text


def test_check_lists_its_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert listed_commands(help_of(capsys, "check")) == [name for _, name in NESTED]


def test_a_library_error_is_one_line_and_its_exit_code(tmp_path: Path) -> None:
    """The check raises MissingInputError deep in library code (no dbt project there)."""
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "warehouse", "check", "snowflake-sql"),
            *("--project-dir", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == MissingInputError.exit_code == 4
    assert proc.stderr.strip().splitlines() == [
        f"warehouse check snowflake-sql: error: no dbt_project.yml at {tmp_path}"
    ]
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("bench", "--sizes", "0"), 4, "warehouse bench: error: --sizes: one or more"),
        (("check", "emulator", "--lake", "lake"), 1, "give both --lake and --duckdb"),
    ],
)
def test_errors_of_other_subcommands_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], code: int, message: str
) -> None:
    assert main(list(argv)) == code
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err
    assert "Traceback" not in err


def test_the_dashboard_runs_streamlit_as_make_dashboard_did() -> None:
    from warehouse.cli import dashboard_argv

    args = build_parser().parse_args(["dashboard", "--port", "8600"])
    argv = dashboard_argv(args)
    assert argv[1:4] == ["-m", "streamlit", "run"]
    assert Path(argv[4]) == ROOT / "warehouse" / "dashboard" / "app.py"
    assert Path(argv[4]).is_file()
    assert " ".join(argv[5:]) == (
        "--server.headless true --browser.gatherUsageStats false "
        "--client.toolbarMode viewer --server.port 8600"
    )


def test_the_engine_is_the_profiles_adapter_type_not_the_targets_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    assert adapter_type(ROOT, ROOT, "dev") == "duckdb"
    assert adapter_type(ROOT, ROOT, "prod") == "snowflake"
    # a profile whose `prod` is DuckDB and whose `warehouse` is Snowflake
    (tmp_path / "dbt_project.yml").write_text("name: p\nprofile: other\n")
    (tmp_path / "profiles.yml").write_text(
        "other:\n  target: prod\n  outputs:\n"
        "    prod: {type: duckdb, path: x.duckdb}\n"
        "    warehouse: {type: snowflake, account: a}\n"
    )
    assert Settings(project_dir=tmp_path, target="prod").engine == "duckdb"
    assert Settings(project_dir=tmp_path, target="warehouse").engine == "snowflake"
    with pytest.raises(ConfigurationError, match="no target 'qa'"):
        _ = Settings(project_dir=tmp_path, target="qa").engine


def test_the_package_is_one_beside_the_generator() -> None:
    packages = sorted(
        p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "offline"
    )
    assert packages == ["generator", "warehouse"]
    assert shutil.which("warehouse-ci", path=str(Path(sys.executable).parent)) is None


def test_make_targets_call_the_one_command() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipes = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^([a-z-]+):[^\n]*\n((?:\t[^\n]*\n)+)", makefile, flags=re.MULTILINE)
    }
    assert "$(BIN)/warehouse run " in recipes["run"]
    assert "$(BIN)/warehouse dashboard" in recipes["dashboard"]
    assert "$(BIN)/warehouse check snowflake-sql" in recipes["check-snowflake-sql"]
    assert "$(BIN)/warehouse check emulator" in recipes["emulator"]
    assert "$(BIN)/warehouse bench" in recipes["bench-warehouse"]
    for gone in ("warehouse-ci", "python -m pipeline", "python -m warehouse", "streamlit run"):
        assert gone not in makefile, gone
