"""`make run`: generate the lake batch by batch and run the warehouse after each batch.

Running batch by batch (stage the new files, then build) is what makes the snapshots hold
real history and the incremental models take real increments.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import GeneratorConfig
from generator.generate import generate
from generator.lake import batch_id, manifest_path
from warehouse.dbt import Dbt, DbtOutcome, WarnedTest, dbt_environment
from warehouse.runner.build_state import (
    Asked,
    Decision,
    code_digest,
    decide_on_code,
    decide_on_data,
    decide_without_dbt,
    forget_state,
    lake_digest,
    landing_fingerprint,
    load_state,
    note_lake,
    save_state,
)
from warehouse.runner.elementary import ReportOutcome, generate_report
from warehouse.runner.modes import HUB_FEATURES, HUB_PACKAGE_ROLES, Mode
from warehouse.runner.publish import publish, published_dir

Say = Callable[[str], None]


@dataclass
class RunReport:
    mode: Mode
    batches: list[dict] = field(default_factory=list)
    build_statuses: dict[str, Counter] = field(default_factory=dict)
    warnings: list[WarnedTest] = field(default_factory=list)  # of the last build
    failures: list[str] = field(default_factory=list)
    quarantine: list[tuple[str, str, int]] = field(default_factory=list)
    # what landing did not land: (severity, source table, file, reason)
    landing_issues: list[tuple[str, str, str, str]] = field(default_factory=list)
    skipped_hub_nodes: dict[str, Counter] = field(default_factory=dict)  # package -> kind -> n
    freshness: list[tuple[str, str, float | None]] = field(default_factory=list)
    elementary: ReportOutcome | None = None
    docs: Path | None = None
    published: Path | None = None  # the copy readers open (the dashboard)
    decisions: list[Decision] = field(default_factory=list)  # one per stage-and-build pass
    built: bool = False  # whether any pass built
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


def run_pipeline(
    cfg: GeneratorConfig,
    lake: Path,
    database: Path,
    mode: Mode,
    *,
    fresh: bool = True,
    docs: bool = True,
    freshness: bool = True,
    elementary_report: bool = True,
    asked: Asked | None = None,
    say: Say = print,
) -> RunReport:
    """Generate the batches, and after each one stage and build (when there is anything to
    build: warehouse/runner/build_state.py). With ``fresh`` false (--resume) the lake and database
    are kept and only the batches not yet in the lake are generated; when every batch is
    there, one stage-and-build pass runs over what landed."""
    start = time.perf_counter()
    asked = asked or Asked()
    if fresh:
        shutil.rmtree(lake, ignore_errors=True)
        for path in (database, database.with_name(database.name + ".wal")):
            path.unlink(missing_ok=True)
        forget_state(database)
    target = mode.project_dir / "target"
    env = dbt_environment(str(lake.resolve()), database.resolve(), target)
    report = RunReport(mode=mode)
    say(f"mode: {mode.name} ({mode.reason}); dbt project: {mode.project_dir}")
    numbers = [n for n in range(1, cfg.batches + 1) if fresh or not _delivered(cfg, lake, n)]
    passes: list[int | None] = [*numbers] or [None]  # None: stage and build, no new batch
    if not numbers:
        say(f"every batch of the run is in the lake already ({cfg.batches}): nothing to generate")
        code = code_digest(
            mode.project_dir,
            mode.packages_dir,
            _variables(asked),
            {**os.environ, **env, **mode.environment()},
        )
        quick = decide_without_dbt(asked, database, lake_digest(lake), code)
        if quick is not None:
            say(f"decision: {quick.render()}")
            report.decisions.append(quick)
            passes = []
    dbt = Dbt(mode, env) if passes else None
    for number in passes:
        assert dbt is not None
        t0 = time.perf_counter()
        landed = ""
        if number is not None:
            batch = generate(cfg, lake, [number], workers=1)[number]
            landed = (
                f"batch {number}/{cfg.batches} {batch.ingest_date}: "
                f"{sum(batch.records.values()):,} records landed; "
            )
        staged, built, decision = _stage_and_build(dbt, lake, database, target, asked)
        say(f"decision: {decision.render()}")
        _absorb(report, staged, built)
        report.decisions.append(decision)
        report.built = report.built or decision.build
        if number is not None:
            counts = {k: dict(v) for k, v in built.statuses.items()}
            report.batches.append(
                {
                    "batch": number,
                    "ingest_date": batch.ingest_date,
                    "records": sum(batch.records.values()),
                    "build": counts,
                }
            )
        say(f"{landed}{_brief(built)} ({time.perf_counter() - t0:.1f}s)")
        if not (staged.success and built.success):
            say("stopping: the build failed")
            break
    if freshness and report.built and dbt is not None:
        report.freshness = _freshness(dbt, target)
    if report.ok and docs and report.built and dbt is not None:
        # --static: one file with the manifest and catalog inside, that opens from disk
        outcome = dbt.invoke("docs", "generate", "--static")
        if outcome.success:
            report.docs = target / "static_index.html"
    report.quarantine = _quarantine(database)
    report.landing_issues = _landing_issues(database)
    report.skipped_hub_nodes = _skipped_hub_nodes(target / "manifest.json")
    if report.ok and report.built:
        report.published = publish(
            database,
            target / "semantic_manifest.json",
            {"batches": report.batches, "freshness": report.freshness},
            published_dir(database),
        )
    if mode.full and elementary_report and report.built:
        say("elementary: generating the report (edr report)")
        report.elementary = generate_report(
            database.resolve(), target / "elementary", schema=_duckdb_schema()
        )
        say(f"elementary: {report.elementary.path or report.elementary.reason}")
    report.seconds = time.perf_counter() - start
    return report


def _delivered(cfg: GeneratorConfig, lake: Path, number: int) -> bool:
    """Batch ``number`` is in the lake: its manifest (written after its files) is there."""
    ingest_date = cfg.batch_dates()[number - 1]
    return (lake / manifest_path(ingest_date, batch_id(number))).is_file()


def _variables(asked: Asked) -> tuple[str, ...]:
    return ("--vars", "{full_tests: true}") if asked.full_tests else ()


def _stage_and_build(
    dbt: Dbt, lake: Path, database: Path, target: Path, asked: Asked
) -> tuple[DbtOutcome, DbtOutcome, Decision]:
    """Parse once, stage what is new, decide, and build what the decision says; after a
    successful build, save what it built from (the manifest, the landing fingerprint, the
    code and lake digests)."""
    variables = _variables(asked)
    code = code_digest(dbt.mode.project_dir, dbt.mode.packages_dir, variables, os.environ)
    lake_now = lake_digest(lake)
    parsed = dbt.parse(*variables)
    if not parsed.success:
        return parsed, DbtOutcome(command="build", success=False), Decision(False, "parse failed")
    staged = dbt.invoke("run-operation", "stage_external_sources")
    # only the project's DuckDB loader records what landed; elsewhere there is no record
    landing = landing_fingerprint(database) if dbt.adapter_type == "duckdb" else None
    saved = load_state(database)
    decision = decide_on_data(asked, saved, landing)
    if decision is None and saved is not None:
        if saved.code == code:
            decision = decide_on_code([], saved)
        else:
            modified = dbt.ls("--select", "state:modified", "--state", str(saved.manifest_dir))
            decision = (
                decide_on_code(modified, saved)
                if modified is not None
                else Decision(True, "the code could not be compared with the last build's")
            )
    if decision is None:  # unreachable: decide_on_data builds when nothing was saved
        decision = Decision(True, "no successful build of this database yet")
    if not decision.build:
        if saved is not None and staged.success:
            note_lake(database, saved, lake_now)
        return staged, DbtOutcome(command="build", success=True), decision
    built = dbt.invoke("build", *decision.arguments, *variables)
    if staged.success and built.success:
        save_state(database, target / "manifest.json", landing, code, lake_now)
    return staged, built, decision


def _absorb(report: RunReport, *outcomes: DbtOutcome) -> None:
    for outcome in outcomes:
        report.failures.extend(outcome.failures)
        if outcome.command.split(" ")[0] == "build":
            report.build_statuses = {k: Counter(v) for k, v in outcome.statuses.items()}
            report.warnings = list(outcome.warnings)


def _brief(outcome: DbtOutcome) -> str:
    parts = []
    for kind in ("seed", "model", "snapshot", "test", "unit_test"):
        statuses = outcome.statuses.get(kind)
        if statuses:
            parts.append(f"{kind}s " + " ".join(f"{s}={n}" for s, n in sorted(statuses.items())))
    return "; ".join(parts) or "nothing built"


def _rows_of(database: Path, table: str, query: str) -> list[tuple]:
    """``query`` over ``table`` (``{table}`` in it: the table in whatever schema holds it);
    nothing when the database or the table does not exist."""
    import duckdb

    if not database.exists():
        return []
    with duckdb.connect(str(database)) as con:  # dbt-duckdb may hold it open in-process
        found = con.execute(
            "select table_schema from information_schema.tables where table_name = ?", [table]
        ).fetchall()
        if not found:
            return []
        return con.execute(query.format(table=f"{found[0][0]}.{table}")).fetchall()


def _quarantine(database: Path) -> list[tuple[str, str, int]]:
    rows = _rows_of(
        database,
        "stg_landing__quarantine",
        "select source_name, quarantine_category, count(*) from {table} group by all order by all",
    )
    return [(s, c, int(n)) for s, c, n in rows]


def _landing_issues(database: Path) -> list[tuple[str, str, str, str]]:
    rows = _rows_of(
        database,
        "_landing_issues",
        "select severity, source_table, file_name, reason from {table} order by all",
    )
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def _duckdb_schema() -> str:
    import os

    return os.environ.get("DUCKDB_SCHEMA", "main")


def _freshness(dbt: Dbt, target: Path) -> list[tuple[str, str, float | None]]:
    """`dbt source freshness` on the landing sources: (source, status, age in hours)."""
    dbt.invoke("source", "freshness")
    path = target / "sources.json"
    if not path.exists():
        return []
    rows = []
    for r in json.loads(path.read_text()).get("results", []):
        name = r.get("unique_id", "?").split(".")[-1]
        age = r.get("max_loaded_at_time_ago_in_s")
        rows.append((name, r.get("status", "?"), None if age is None else age / 3600))
    return sorted(rows)


def _skipped_hub_nodes(manifest_path: Path) -> dict[str, Counter]:
    """Disabled nodes that need a hub package (from the dbt manifest): for each package,
    how many of each kind (the test's name, e.g. expect_column_values_to_be_between)."""
    skipped: dict[str, Counter] = {}
    if not manifest_path.exists():
        return skipped
    manifest = json.loads(manifest_path.read_text())
    for versions in manifest.get("disabled", {}).values():
        for node in versions:
            package = (node.get("config", {}).get("meta") or {}).get("needs_hub_package")
            if not package:
                continue
            metadata = node.get("test_metadata") or {}
            kind = metadata.get("name") or node.get("resource_type", "node")
            skipped.setdefault(package, Counter())[kind] += 1
    return skipped


def render_summary(report: RunReport) -> str:
    lines = ["", "== Summary " + "=" * 60]
    lines.append(f"mode: {report.mode.name} ({report.mode.reason})")
    lines.append(f"batches run: {len(report.batches)}, in {report.seconds:.0f}s")
    if report.decisions:
        lines.append(f"last decision: {report.decisions[-1].render()}")
    for kind in ("seed", "model", "snapshot", "test", "unit_test"):
        statuses = report.build_statuses.get(kind)
        if statuses:
            text = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
            lines.append(f"last build, {kind}s: {text}")
    if report.warnings:
        lines.append(f"warnings of the last build ({len(report.warnings)}):")
        lines.extend(f"  - {w.render()}" for w in sorted(report.warnings, key=str))
    if report.landing_issues:
        lines.append(f"not landed ({len(report.landing_issues)}):")
        lines.extend(
            f"  {severity.upper():<5} {file}: {reason}"
            for severity, _, file, reason in report.landing_issues
        )
    total = sum(n for _, _, n in report.quarantine)
    lines.append(f"quarantined records: {total}")
    for source, category, n in report.quarantine:
        lines.append(f"  {source:<22} {category:<40} {n:>6}")
    if report.freshness:
        text = ", ".join(
            f"{name} {status}" + (f" ({age:.0f}h)" if age is not None else "")
            for name, status, age in report.freshness
        )
        lines.append(f"source freshness: {text}")
    if report.mode.full:
        lines.append("hub-package features: on")
        if report.elementary is not None:
            if report.elementary.produced:
                lines.append(f"Elementary report: {report.elementary.path}")
            else:
                lines.append(f"Elementary report: skipped ({report.elementary.reason})")
    else:
        total = sum(sum(c.values()) for c in report.skipped_hub_nodes.values())
        lines.append(
            f"skipped (air-gapped mode: they need packages from the dbt hub, "
            f"which this run does not have; {total} tests and monitors disabled, none replaced):"
        )
        for feature in HUB_FEATURES:
            lines.append(f"  - {feature}")
        for package, kinds in sorted(report.skipped_hub_nodes.items()):
            role = HUB_PACKAGE_ROLES.get(package, "")
            head = f"  - {package}: {sum(kinds.values())} disabled"
            lines.append(head + (f" ({role})" if role else ""))
            for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"      {n:>3} {kind}")
        lines.append("  - the Elementary report: full mode only (make run HUB=on)")
    if report.docs:
        lines.append(
            f"dbt docs: {report.docs} (serve with: .venv/bin/dbt docs serve "
            f"--project-dir {report.mode.project_dir} --profiles-dir .)"
        )
    if report.published:
        lines.append(f"published for the dashboard: {report.published} (make dashboard)")
    if report.failures:
        lines.append("FAILED:")
        lines.extend(f"  {f}" for f in report.failures[:30])
    return "\n".join(lines)
