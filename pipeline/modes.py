"""Full mode and air-gapped mode: which dbt project a run uses.

The warehouse itself (the repository root) is a dbt project that needs no hub package:
that is air-gapped mode. Full mode is the `full/` project, which installs the hub
packages (dbt-utils, dbt-external-tables, dbt-expectations with dbt-date, elementary)
beside the warehouse, turns on what needs them (`hub_packages: true`), and hands
`stage_external_sources` to dbt-external-tables. Choosing the project is the one switch.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "full"
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

    @property
    def full(self) -> bool:
        return self.name == "full"


def declared_packages(project_dir: Path = FULL) -> list[str]:
    data = yaml.safe_load((project_dir / "packages.yml").read_text())
    return [p.get("package") or p.get("local") for p in data.get("packages", [])]


def installed_packages(project_dir: Path = FULL) -> list[str]:
    folder = project_dir / "dbt_packages"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "dbt_project.yml").is_file())


def _hub_packages_present(project_dir: Path = FULL) -> bool:
    wanted = {"dbt_utils", "dbt_external_tables", "dbt_expectations", "dbt_date", "elementary"}
    return wanted <= set(installed_packages(project_dir))


def try_install(project_dir: Path = FULL, timeout: int = 120) -> tuple[bool, str]:
    """`dbt deps` in the full project; False with the reason when the hub is unreachable."""
    dbt = Path(sys.executable).with_name("dbt")
    try:
        proc = subprocess.run(
            [str(dbt), "deps", "--project-dir", str(project_dir), "--profiles-dir", str(ROOT)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"dbt deps timed out after {timeout}s"
    if proc.returncode == 0:
        return True, "installed by dbt deps"
    output = proc.stdout + proc.stderr
    if "ConnectionError" in output or "Failed to resolve" in output:
        return False, "dbt deps could not reach the package hub"
    last = [line for line in output.splitlines() if line.strip()]
    return False, "dbt deps failed: " + (last[-1].strip()[:160] if last else "no output")


def resolve(choice: str) -> Mode:
    """``choice``: "on" (full mode or fail), "off" (air-gapped), "auto" (full when the
    packages are installed or can be, else air-gapped)."""
    if choice == "off":
        return Mode("air-gapped", ROOT, "asked for (--hub off)")
    if _hub_packages_present():
        return Mode("full", FULL, "hub packages found in full/dbt_packages")
    ok, why = try_install()
    if ok and _hub_packages_present():
        return Mode("full", FULL, why)
    if choice == "on":
        raise SystemExit(f"full mode asked for, but the hub packages are not available: {why}")
    return Mode("air-gapped", ROOT, why)
