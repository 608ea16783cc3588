"""The Elementary report (full mode): `edr report` over the run's results.

`edr` (the Elementary CLI) lives in its own virtual environment, `.venv-edr`
(scripts/edr_venv.sh): it pins its own dbt. It runs a small dbt project of its
own, which needs two hub packages of its own (dbt-utils 0.8.x and elementary at the CLI's
version). Left alone, `edr` fetches them with `dbt deps` on every run; offline that cannot
work. When they are already installed (in `EDR_DBT_PACKAGES`, `.venv-edr/dbt_packages`,
or where an earlier online `edr` run put them), the runner points `edr` at them and turns
its `dbt deps` off.

Whatever stops the report (no CLI, no packages and no hub, an `edr` error) is reported as
skipped with the reason; it never fails the run, and nothing stands in for the report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from warehouse.runner.modes import ROOT

EDR_VENV = ROOT / ".venv-edr"
INSTALL_HINT = "install it with `bash scripts/edr_venv.sh` (PyPI: elementary-data, into .venv-edr)"


@dataclass(frozen=True)
class ReportOutcome:
    path: Path | None
    reason: str  # what happened, or why there is no report

    @property
    def produced(self) -> bool:
        return self.path is not None


def edr_executable() -> Path | None:
    candidate = Path(os.environ.get("EDR_BIN", EDR_VENV / "bin" / "edr"))
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def edr_packages() -> Path | None:
    """A folder holding the packages edr's own dbt project needs, or None."""
    wanted = ("dbt_utils", "elementary")
    if "EDR_DBT_PACKAGES" in os.environ:
        candidates = [Path(os.environ["EDR_DBT_PACKAGES"])]
    else:
        candidates = [EDR_VENV / "dbt_packages"]
        candidates += sorted(
            EDR_VENV.glob("lib/python*/site-packages/elementary/monitor/dbt_project/dbt_packages")
        )
    for folder in candidates:
        if all((folder / name / "dbt_project.yml").is_file() for name in wanted):
            return folder
    return None


def _profiles(folder: Path, database: Path, schema: str) -> None:
    """The `elementary` profile edr reads: the warehouse's DuckDB file, Elementary's schema."""
    (folder / "profiles.yml").write_text(
        "elementary:\n"
        "  target: default\n"
        "  outputs:\n"
        "    default:\n"
        "      type: duckdb\n"
        f"      path: '{database}'\n"
        f"      schema: {schema}\n"
        "      threads: 1\n"
    )


def generate_report(
    database: Path, out_dir: Path, *, schema: str = "main", timeout: int = 900
) -> ReportOutcome:
    """`edr report` over a copy of the DuckDB warehouse; the HTML lands in ``out_dir``."""
    edr = edr_executable()
    if edr is None:
        return ReportOutcome(None, f"the Elementary CLI (edr) is not installed: {INSTALL_HINT}")
    packages = edr_packages()
    out_dir.mkdir(parents=True, exist_ok=True)
    report = out_dir / "elementary_report.html"
    with tempfile.TemporaryDirectory(prefix="edr-") as tmp:
        work = Path(tmp)
        # edr opens the database from another process: it reads a consistent copy, so
        # the runner's own (in-process) dbt connection never conflicts with it.
        import duckdb

        with duckdb.connect(str(database)) as con:
            con.execute("checkpoint")
        copy = work / database.name  # the same name: DuckDB names the catalog after it
        shutil.copy(database, copy)
        _profiles(work, copy, f"{schema}_elementary")
        config = work / "config"
        config.mkdir()
        env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
        env.pop("DBT_TARGET_PATH", None)
        env.pop("DBT_PROFILES_DIR", None)
        env["EDR_INTERNAL_TARGET_PATH"] = str(work / "edr_target")
        if packages is not None:
            (config / "config.yml").write_text(
                "anonymous_usage_tracking: false\nrun_dbt_deps_if_needed: false\n"
            )
            env["DBT_PACKAGES_FOLDER"] = str(packages)
        else:
            (config / "config.yml").write_text("anonymous_usage_tracking: false\n")
        argv = [
            str(edr),
            "report",
            "--profiles-dir",
            str(work),
            "--config-dir",
            str(config),
            "--file-path",
            str(report),
            "--open-browser",
            "false",
            "--target-path",
            str(work / "edr_logs"),
            "--project-name",
            "insurance_warehouse",
        ]
        report.unlink(missing_ok=True)
        try:
            proc = subprocess.run(
                argv,
                env=env,
                cwd=work,  # edr writes its own files (edr_target/) in the working directory
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return ReportOutcome(None, f"edr report timed out after {timeout}s")
    if proc.returncode == 0 and report.is_file():
        how = f"edr's packages from {packages}" if packages else "edr fetched its packages"
        return ReportOutcome(report, f"generated by {edr.parent.parent.name}/bin/edr ({how})")
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    if packages is None:
        return ReportOutcome(
            None,
            "edr needs its own dbt packages (dbt-utils 0.8.x, elementary) from the dbt hub, "
            "which cannot be reached here; install them once into .venv-edr/dbt_packages "
            "(or set EDR_DBT_PACKAGES) to report offline"
            + (f" [edr: {lines[-1].strip()[:200]}]" if lines else ""),
        )
    return ReportOutcome(
        None, "edr report failed: " + (lines[-1].strip()[:300] if lines else "no output")
    )
