"""Full mode and air-gapped mode: which dbt project a run uses.

The repository root is the warehouse with its hub packages (packages.yml: dbt-utils,
dbt-external-tables, dbt-expectations with dbt-date, elementary): that is full mode, and
it needs the packages installed (`dbt deps`). The offline project (`offline/`) runs the
same models, macros, tests, seeds, snapshots and analyses with `hub_packages: false`:
that is air-gapped mode, where every hub feature is disabled and reported as skipped.
Choosing the project is the one switch.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from warehouse.errors import HubPackagesUnavailable

ROOT = Path(__file__).resolve().parents[2]
OFFLINE = ROOT / "offline"
# dbt_project.yml reads the install path from this variable (default dbt_packages/).
PACKAGES_VARIABLE = "DBT_PACKAGES_INSTALL_PATH"
HUB_PACKAGES = ("dbt_utils", "dbt_external_tables", "dbt_expectations", "dbt_date", "elementary")
HUB_FEATURES = (
    "dbt-external-tables: external tables on Snowflake (DuckDB uses the project's own loader)",
)
# What the disabled tests of each package check (the run summary lists them per package,
# counted from the manifest's disabled nodes that carry `meta.needs_hub_package`).
HUB_PACKAGE_ROLES = {
    "dbt_utils": "SCD2 ranges mutually exclusive, equal row counts across layers, recency",
    "dbt_expectations": "value ranges on amounts and rates, id patterns, date order, "
    "row counts per batch and across layers",
    "elementary": "volume, freshness, column and dimension anomalies, "
    "schema changes of the landing tables since the previous run",
}


@dataclass(frozen=True)
class Mode:
    name: str  # "full" or "air-gapped"
    project_dir: Path
    reason: str
    packages_dir: Path | None = None  # full mode: where the hub packages are installed

    @property
    def full(self) -> bool:
        return self.name == "full"

    def environment(self) -> dict[str, str]:
        """What dbt needs in its environment to run this mode's project."""
        return {PACKAGES_VARIABLE: str(self.packages_dir)} if self.packages_dir else {}


def air_gapped(reason: str) -> Mode:
    return Mode("air-gapped", OFFLINE, reason)


def full(packages_dir: Path, reason: str) -> Mode:
    return Mode("full", ROOT, reason, packages_dir.resolve())


def default_packages_dir() -> Path:
    configured = os.environ.get(PACKAGES_VARIABLE)
    return Path(configured) if configured else ROOT / "dbt_packages"


def declared_packages(project_dir: Path = ROOT) -> list[str]:
    data = yaml.safe_load((project_dir / "packages.yml").read_text())
    return [p.get("package") or p.get("local") for p in data.get("packages", [])]


def installed_packages(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "dbt_project.yml").is_file())


def hub_packages_present(folder: Path) -> bool:
    return set(HUB_PACKAGES) <= set(installed_packages(folder))


def try_install(packages_dir: Path, timeout: int = 120) -> tuple[bool, str]:
    """`dbt deps` at the root; False with the reason when the hub is unreachable.

    With package-lock.yml present, `dbt deps` empties the install folder before it
    contacts the hub, so it is never run over packages that are already there."""
    present = installed_packages(packages_dir)
    if present:
        return False, (
            f"{packages_dir} holds only {', '.join(present)}; not running `dbt deps` over "
            "packages placed by hand (it would empty the folder first)"
        )
    from warehouse.dbt import flags, run_subprocess, variables

    env = variables(extra={PACKAGES_VARIABLE: str(packages_dir)})
    try:
        proc, _ = run_subprocess(["deps", *flags(ROOT, profiles_dir=ROOT)], env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"dbt deps timed out after {timeout}s"
    if proc.returncode == 0:
        return True, "installed by dbt deps"
    output = proc.stdout + proc.stderr
    if "ConnectionError" in output or "Failed to resolve" in output:
        return False, "dbt deps could not reach the package hub"
    last = [line for line in output.splitlines() if line.strip()]
    return False, "dbt deps failed: " + (last[-1].strip()[:160] if last else "no output")


def resolve(choice: str, packages_dir: Path | None = None) -> Mode:
    """``choice``: "on" (full mode or fail), "off" (air-gapped), "auto" (full when the
    packages are installed or can be, else air-gapped)."""
    if choice == "off":
        return air_gapped("asked for (--hub off)")
    folder = packages_dir or default_packages_dir()
    if hub_packages_present(folder):
        return full(folder, f"hub packages found in {folder}")
    ok, why = try_install(folder)
    if ok and hub_packages_present(folder):
        return full(folder, why)
    if choice == "on":
        raise HubPackagesUnavailable(
            f"full mode asked for, but the hub packages are not available: {why}"
        )
    return air_gapped(why)
