"""The DAG on a Snowflake emulator (fakesnow), compared with the DuckDB build.

    warehouse check emulator [--lake LAKE --duckdb WAREHOUSE.duckdb] [--work-dir D]

dbt builds the offline project for a Snowflake target whose connection is fakesnow's
(:mod:`warehouse.checks.emulator_worker`, in fakesnow's own virtual environment
``.venv-fakesnow``, made by ``scripts/fakesnow_venv.sh``), over the same lake as a DuckDB
build, in two runs:

1. **first build**: the first batch only, with no claim delivered yet (the claims feed's
   stage is empty and its manifest entries are withheld), so the claims marts start
   empty, as on a first day without claims;
2. **second build**: every batch; the incremental models take their increment (an empty
   previous build must not leave ``fct_claim_movements`` empty for good); the snapshots
   stay out (fakesnow cannot MERGE into an existing snapshot);
3. **snapshots again**, only for the MERGE statements dbt sends (checked as Snowflake SQL
   with everything else the runs sent); their failure on fakesnow is expected.

Then every mart's row count and the sum of each of its numeric columns must equal the
DuckDB build's, every staging model must have rows, and no more than
``MAX_QUARANTINE_SHARE`` of the landed records may be quarantined: a run whose parsing
fails quietly (every record quarantined, every test passing on empty tables) fails here.

Without ``--lake``, a small faulty lake is generated and built on DuckDB first.
The whole run is bounded: each statement by ``--statement-timeout``, the process by
``--timeout``. docs/snowflake-emulator.md says what this proves and what it does not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from warehouse.checks.emulator_worker import HUNG_EXIT_CODE, relation_figures
from warehouse.checks.snowflake_sql.rules import stage_prefix
from warehouse.errors import CheckError

REPO_ROOT = Path(__file__).resolve().parents[2]
OFFLINE_PROJECT = REPO_ROOT / "offline"
VENV_SCRIPT = REPO_ROOT / "scripts" / "fakesnow_venv.sh"
DEFAULT_VENV = REPO_ROOT / ".venv-fakesnow"

# Every var the emulator's dbt invocations get, in one place (on top of the offline
# project's own): what fakesnow cannot emulate is switched off here, with the reason.
EMULATOR_VARS: dict[str, Any] = {
    # the offline project: no hub package (Elementary, dbt-expectations) on the emulator
    "hub_packages": False,
    # fakesnow has no object tags: the tag statements behind the masking policies
    # (macros/access/pii.sql) are checked offline by warehouse/runner/tests/test_access.py
    "snowflake_masking_policies": False,
}

# Nodes the emulator does not run, each with the reason (dbt selection syntax).
EMULATOR_EXCLUDES: dict[str, str] = {
    "unit_test:quarantine_reasons_for_json_records": (
        "its duplicate-key and beyond-double-precision rows test JSON semantics that"
        " fakesnow takes from DuckDB (DuckDB accepts duplicate keys and reads JSON numbers"
        " as doubles; Snowflake's TRY_PARSE_JSON refuses the first and keeps the second"
        " exact)"
    ),
}

# Snapshots on a second run: dbt-snowflake's snapshot MERGE fails on fakesnow
# ("Ambiguous reference"), so the second run builds everything but the snapshots.
SECOND_RUN_EXCLUDES: dict[str, str] = {
    "resource_type:snapshot": "fakesnow cannot run a snapshot's MERGE into an existing snapshot",
}

# Above this share of quarantined records the emulator's parsing is taken to be broken.
MAX_QUARANTINE_SHARE = 0.10
STATEMENT_TIMEOUT = 120.0
TOTAL_TIMEOUT = 420.0
# Sums are compared to the cent (decimals are exact on both engines; a double column
# such as a loss ratio may differ in its last digits).
TOLERANCE = Decimal("0.01")


class EmulatorError(CheckError):
    """The emulator could not run (no environment, a hung statement, a crash)."""


@dataclass(frozen=True)
class Run:
    label: str
    ingest_dates: list[str]
    command: list[str]
    withheld_sources: list[str] = field(default_factory=list)
    # False for a run that only captures what dbt sends, where fakesnow is known to fail
    must_succeed: bool = True


def lake_ingest_dates(lake: Path) -> list[str]:
    folder = lake / "_manifests"
    return sorted(p.name.split("=", 1)[1] for p in folder.glob("ingest_date=*") if p.is_dir())


def _excludes(extra: Mapping[str, str] | None = None) -> list[str]:
    selectors = [*EMULATOR_EXCLUDES, *(extra or {})]
    return ["--exclude", *selectors] if selectors else []


def default_runs(lake: Path) -> list[Run]:
    """First build: the first batch, no claims yet; second build: every batch; then the
    snapshots again, for the MERGE statements they send (fakesnow cannot run them)."""
    dates = lake_ingest_dates(lake)
    if len(dates) < 2:
        raise EmulatorError(f"the lake {lake} needs at least two batches, it has {len(dates)}")
    return [
        Run("first build (batch 1, no claims yet)", dates[:1], ["build", *_excludes()], ["claims"]),
        Run(
            f"second build (batches 1-{len(dates)})",
            dates,
            ["build", *_excludes(SECOND_RUN_EXCLUDES)],
        ),
        Run(
            "snapshots again (MERGE sent and checked; fakesnow cannot run it)",
            dates,
            ["snapshot"],
            must_succeed=False,
        ),
    ]


# --- running the worker ---------------------------------------------------------------------


def emulator_python(venv: Path = DEFAULT_VENV) -> Path:
    """fakesnow's environment's Python, made (or brought up to date) by its script."""
    completed = subprocess.run(
        ["bash", str(VENV_SCRIPT)],
        env={**os.environ, "FAKESNOW_VENV": str(venv)},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise EmulatorError(f"cannot make fakesnow's environment:\n{completed.stderr[-2000:]}")
    return Path(completed.stdout.strip().splitlines()[-1])


@dataclass
class EmulatorResult:
    runs: list[dict[str, Any]]
    marts: dict[str, dict[str, Any]]
    staging: dict[str, int]
    statements: int
    failed_statements: list[dict[str, str]]
    seconds: float
    work_dir: Path  # statements.jsonl: every statement dbt sent (warehouse/checks/sent_sql.py)


def run_emulator(
    lake: Path,
    work_dir: Path,
    runs: Sequence[Run] | None = None,
    *,
    project_dir: Path = OFFLINE_PROJECT,
    python: Path | None = None,
    shims: bool = True,
    disabled_shims: Sequence[str] = (),
    dbt_vars: Mapping[str, Any] | None = None,
    statement_timeout: float = STATEMENT_TIMEOUT,
    timeout: float = TOTAL_TIMEOUT,
) -> EmulatorResult:
    """Run the worker over ``lake``; raise :class:`EmulatorError` when it cannot finish."""
    work_dir.mkdir(parents=True, exist_ok=True)
    runs = list(runs) if runs is not None else default_runs(lake)
    plan = {
        "work_dir": str(work_dir.resolve()),
        "lake": str(lake.resolve()),
        "project_dir": str(project_dir.resolve()),
        "statement_timeout": statement_timeout,
        # METADATA$FILENAME starts with the stage's folder in the bucket (the project's
        # var, which terraform/tests checks against terraform's landing prefix)
        "stage_prefix": stage_prefix(project_dir),
        "shims": shims,
        "disabled_shims": list(disabled_shims),
        "vars": {**EMULATOR_VARS, **(dbt_vars or {})},
        "runs": [run.__dict__ for run in runs],
    }
    plan_path = work_dir / "plan.json"
    plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    python = python or emulator_python()
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    with (work_dir / "worker.log").open("w", encoding="utf-8") as output:
        try:
            completed = subprocess.run(
                [str(python), "-m", "warehouse.checks.emulator_worker", str(plan_path)],
                cwd=REPO_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise EmulatorError(
                f"the emulator ran over {timeout:.0f} s (log: {work_dir / 'worker.log'})"
            ) from None
    if completed.returncode == HUNG_EXIT_CODE:
        hung = (work_dir / "hung.sql").read_text(encoding="utf-8")
        raise EmulatorError(f"a statement ran over {statement_timeout:.0f} s:\n{hung[:2000]}")
    result_path = work_dir / "result.json"
    if completed.returncode != 0 or not result_path.exists():
        log = (work_dir / "worker.log").read_text(encoding="utf-8", errors="replace")
        raise EmulatorError(f"the emulator failed (exit {completed.returncode}):\n{log[-3000:]}")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    if "error" in result:
        raise EmulatorError(result["error"])
    return EmulatorResult(
        runs=result["runs"],
        marts=result.get("marts", {}),
        staging=result.get("staging", {}),
        statements=result.get("statements", 0),
        failed_statements=result.get("failed_statements", []),
        seconds=round(time.perf_counter() - started, 1),
        work_dir=work_dir,
    )


def capture_statements(
    project_dir: Path, work_dir: Path, command: Sequence[str], **options: Any
) -> EmulatorResult:
    """Run one dbt ``command`` on the emulator over an empty lake, for the statements it
    sends (``statements.jsonl``), whatever the run's outcome."""
    empty_lake = work_dir / "empty-lake"
    empty_lake.mkdir(parents=True, exist_ok=True)
    run = Run("capture", [], list(command))
    return run_emulator(empty_lake, work_dir, [run], project_dir=project_dir, **options)


# --- comparing with DuckDB ------------------------------------------------------------------


def duckdb_figures(database: Path, models: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The same figures as the emulator's, from a DuckDB warehouse built by the pipeline."""
    import duckdb

    # not read-only: a process that built it may still hold it open (same configuration)
    with duckdb.connect(str(database)) as con:
        row = con.execute("select current_database()").fetchone()
        assert row is not None  # current_database() returns one row
        catalog = row[0]
        tables = {}
        for model in models:
            hit = con.execute(
                "select table_schema from information_schema.tables"
                " where table_name = ? and table_schema like '%marts' order by 1 limit 1",
                [model],
            ).fetchone()
            if hit:
                tables[model] = f"{catalog}.{hit[0]}.{model}"
        return relation_figures(con, tables)


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# Money columns, by name: their sums are shown side by side in the comparison.
MONEY_COLUMN = re.compile(r"amount|premium|loss|ceded|incurred|paid|reserve|recovered|commission")


def money_total(figures: Mapping[str, Any] | None) -> Decimal | None:
    """The sum of a mart's money columns' sums (one figure to show per engine)."""
    if not figures:
        return None
    values = [
        _decimal(v) for k, v in figures["sums"].items() if MONEY_COLUMN.search(k) and v is not None
    ]
    return sum((v for v in values if v is not None), Decimal(0)) if values else None


@dataclass
class MartComparison:
    mart: str
    rows_duckdb: int | None
    rows_emulator: int | None
    sums_compared: int
    differences: list[str]
    money_duckdb: Decimal | None = None
    money_emulator: Decimal | None = None

    @property
    def equal(self) -> bool:
        return not self.differences


def compare(
    duck: Mapping[str, Mapping[str, Any]], emulated: Mapping[str, Mapping[str, Any]]
) -> list[MartComparison]:
    """Per mart: equal row counts, and equal sums of every numeric column both have."""
    out = []
    for mart in sorted(set(duck) | set(emulated)):
        d, e = duck.get(mart), emulated.get(mart)
        differences = []
        if d is None or e is None:
            differences.append("missing on " + ("DuckDB" if d is None else "the emulator"))
            rows_duckdb = None if d is None else d["rows"]
            rows_emulator = None if e is None else e["rows"]
            out.append(MartComparison(mart, rows_duckdb, rows_emulator, 0, differences))
            continue
        if d["rows"] != e["rows"]:
            differences.append(f"rows {d['rows']} != {e['rows']}")
        compared = 0
        for column in sorted(set(d["sums"]) | set(e["sums"])):
            if column not in d["sums"] or column not in e["sums"]:
                differences.append(f"{column}: numeric on one engine only")
                continue
            a, b = _decimal(d["sums"][column]), _decimal(e["sums"][column])
            compared += 1
            if (a is None) != (b is None) or (
                a is not None and b is not None and abs(a - b) > TOLERANCE
            ):
                differences.append(f"sum({column}) {a} != {b}")
        out.append(
            MartComparison(
                mart, d["rows"], e["rows"], compared, differences, money_total(d), money_total(e)
            )
        )
    return out


def staging_problems(result: EmulatorResult) -> list[str]:
    """An emulator run whose staging is empty, or mostly quarantined, has failed."""
    problems = []
    # what landing reported and what it quarantined are empty on a good day, and so is a
    # feed the last run withheld
    withheld = result.runs[-1].get("withheld_sources", []) if result.runs else []
    may_be_empty = {"stg_landing__quarantine", "stg_landing__file_issues"}
    may_be_empty |= {f"stg_landing__{source}" for source in withheld}
    for model, rows in sorted(result.staging.items()):
        if rows is None:
            problems.append(f"{model} was not built")
        elif model.startswith("stg_landing__") and model not in may_be_empty and not rows:
            problems.append(f"{model} is empty")
    landed = sum(result.runs[-1]["landed"].values()) if result.runs else 0
    quarantined = result.staging.get("stg_landing__quarantine") or 0
    if landed and quarantined > MAX_QUARANTINE_SHARE * landed:
        problems.append(
            f"{quarantined} of {landed} landed records quarantined"
            f" (more than {MAX_QUARANTINE_SHARE:.0%}): the emulator's parsing is broken"
        )
    return problems


def run_problems(result: EmulatorResult) -> list[str]:
    """Every run must succeed: no model, snapshot or test errored or was skipped."""
    problems = []
    for run in result.runs:
        if run.get("must_succeed", True) and not run["success"]:
            shown = run["problems"][:10] or [run.get("exception") or "dbt failed"]
            problems += [f"{run['label']}: {p}" for p in shown]
    return problems


def render(comparisons: Sequence[MartComparison], result: EmulatorResult) -> str:
    lines = [
        f"Snowflake emulator (fakesnow): {len(result.runs)} run(s),"
        f" {result.statements} statements, {result.seconds:.0f} s",
    ]
    for run in result.runs:
        counts = "; ".join(
            f"{kind} " + " ".join(f"{s}={n}" for s, n in sorted(st.items()))
            for kind, st in sorted(run["statuses"].items())
        )
        lines.append(f"  {run['label']}: {counts} ({run['seconds']:.0f} s)")
    lines.append("")
    lines.append(
        "| mart | rows duckdb | rows fakesnow | money sums duckdb | money sums fakesnow"
        " | numeric sums compared | equal |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---|")
    for c in comparisons:
        verdict = "yes" if c.equal else "NO: " + "; ".join(c.differences[:3])
        money = [f"{m:,.2f}" if m is not None else "-" for m in (c.money_duckdb, c.money_emulator)]
        lines.append(
            f"| {c.mart} | {c.rows_duckdb} | {c.rows_emulator} | {money[0]} | {money[1]}"
            f" | {c.sums_compared} | {verdict} |"
        )
    lines.append(
        "(money sums: the total of the sums of the columns named like amounts, premiums,"
        " losses, cessions; every numeric column's sum is compared to the cent)"
    )
    return "\n".join(lines)


# --- the command ------------------------------------------------------------------------------


def _build_duckdb(base: Path) -> tuple[Path, Path]:
    """A small faulty lake, built batch by batch on DuckDB (the offline project)."""
    from generator.config import FaultRates, GeneratorConfig
    from warehouse.runner.modes import air_gapped
    from warehouse.runner.run import run_pipeline

    cfg = GeneratorConfig(
        seed=11,
        as_of=dt.date(2026, 11, 22),
        batches=4,
        policies=700,
        faults=FaultRates.scaled(4.0),
        drift_from_batch=3,
    )
    lake, database = base / "lake", base / "warehouse.duckdb"
    report = run_pipeline(
        cfg,
        lake,
        database,
        air_gapped("the emulator's reference build"),
        docs=False,
        freshness=False,
        say=lambda _m: None,
    )
    if not report.ok:
        raise EmulatorError(f"the DuckDB build failed: {report.failures[:5]}")
    return lake, database


EXAMPLES = """\
examples:
  warehouse check emulator                      # a small lake, built on DuckDB and on fakesnow
  warehouse check emulator --lake lake --duckdb warehouse.duckdb --first-build-only
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``warehouse check emulator``."""
    parser = sub.add_parser(
        "emulator",
        help="build the DAG on the Snowflake emulator and compare every mart with DuckDB",
        description="Build the DAG on fakesnow (the Snowflake emulator, in its own virtual "
        "environment: scripts/fakesnow_venv.sh) and compare every mart with the DuckDB "
        "build of the same lake. Exits 1 when anything differs.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lake", type=Path, help="a lake (default: generate a small one)")
    parser.add_argument("--duckdb", type=Path, help="the DuckDB warehouse built from --lake")
    parser.add_argument(
        "--work-dir", type=Path, default=None, help="default: a new temporary folder"
    )
    parser.add_argument(
        "--statement-timeout",
        type=float,
        default=STATEMENT_TIMEOUT,
        help=f"seconds a statement may take (default: {STATEMENT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=TOTAL_TIMEOUT,
        help=f"seconds for the whole run (default: {TOTAL_TIMEOUT:g})",
    )
    parser.add_argument(
        "--without-shim",
        action="append",
        default=[],
        metavar="NAME",
        help="switch a shim off (warehouse/checks/emulator_shims.py), to see what it is for",
    )
    parser.add_argument(
        "--first-build-only", action="store_true", help="stop after the first build"
    )
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    """``warehouse check emulator``; domain errors are left to the command line."""
    if (args.lake is None) != (args.duckdb is None):
        raise EmulatorError("give both --lake and --duckdb, or neither")
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="snowflake-emulator-"))
    if args.lake is None:
        print(f"emulator: building the reference lake and DuckDB warehouse in {work}")
        lake, database = _build_duckdb(work / "duckdb")
    else:
        lake, database = args.lake, args.duckdb
    runs = default_runs(lake)
    result = run_emulator(
        lake,
        work / "emulator",
        runs[:1] if args.first_build_only else runs,
        disabled_shims=args.without_shim,
        statement_timeout=args.statement_timeout,
        timeout=args.timeout,
    )
    comparisons = compare(duckdb_figures(database, list(result.marts)), result.marts)
    print(render(comparisons, result))
    problems = run_problems(result) + staging_problems(result)
    problems += [f"{c.mart}: {'; '.join(c.differences)}" for c in comparisons if not c.equal]
    for problem in problems:
        print(f"  - {problem}")
    print(f"{len(problems)} problem(s)" if problems else "OK: every mart equals the DuckDB build")
    return 1 if problems else 0
