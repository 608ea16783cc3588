"""`warehouse bench` (`make bench-warehouse`): what a build costs, against what the data needs.

A measurement, not a test. At each size (policies; BENCH_SIZES) it prints:

- the full build from an empty warehouse (`dbt run-operation stage_external_sources` +
  `dbt build`, each in its own process) against the one-query floor: a single DuckDB
  query over the same lake files that computes the latest incurred per claim by line and
  loss month, checked equal to the cent to `rpt_loss_ratio_by_line_month`;
- one more daily batch (the increment), a run with no new data, and a full refresh
  (BENCH_FULL_REFRESH=0 skips it);
- the peak memory (resident set of the process) of staging, building and the floor;

and once, at the default size (5,000 policies), `warehouse run` over a lake it has built
already (BENCH_RUN_CHECK=0 skips it); then fits time = a + b x records over the sizes for
the build and the floor, and checks the targets of the largest size (the issue's targets
are for 1,000,000 policies).

Generating the lakes is setup, not measured: each is generated once (clean, as of a fixed
date) and kept under bench/lakes/. Each size's warehouse is made again under bench/runs/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from warehouse.dbt import dbt_environment, dbt_executable
from warehouse.errors import ConfigurationError, WarehouseError
from warehouse.runner.modes import ROOT, Mode, resolve

AS_OF = dt.date(2026, 11, 22)
SEED = 42
BATCHES = 7
DEFAULT_SIZES = (50_000, 200_000, 1_000_000)
BENCH_DIR = ROOT / "bench"
REPORT = "rpt_loss_ratio_by_line_month"
GIB = 1024.0

# Targets (issue 16), for stage + build at 1,000,000 policies.
NO_CHANGE_SHARE = 0.20  # a run with no new data, at most this share of a full build
INCREMENT_EXTRA_SHARE = 0.05  # (increment - no change), at most this share of a full build
# past this share, a build with no new data is most of a full build: the increment's extra
# cost is then the difference of two large, noisy figures and says little
VACUOUS_NO_CHANGE_SHARE = 0.5
PER_RECORD_FACTOR = 10.0  # the build's cost per record, at most this many times the floor's
PEAK_MIB = 6 * 1024.0  # staging and building, each
NO_NEW_DATA_RUN_SECONDS = 5.0  # `warehouse run` with no new data, at the default size
DEFAULT_SIZE = 5_000  # `make run`'s POLICIES


class BenchError(WarehouseError):
    """The benchmark could not measure what it set out to (a step failed, a lake is bad)."""


# The one-query floor: latest incurred per claim (its version as at the valuation date,
# the latest ingest date; soft deletes left out), in USD at the loss month's rate, by the
# line of the policy's current version ('unknown' for a claim whose policy, or whose
# policy's line, the lake does not hold) and loss month. {lake} and {fx} are quoted paths.
FLOOR_SQL = """
with
claim_lines as (
    select
        claim_id, policy_id, loss_date, currency, amounts, record_status, filename,
        cast(strptime(updated_at, '%Y-%m-%dT%H:%M:%SZ') as timestamp) as updated_at
    from read_json(
        {lake} || '/claims/ingest_date=*/*',
        format = 'newline_delimited',
        filename = true,
        columns = {{
            claim_id: 'varchar', policy_id: 'varchar', loss_date: 'date',
            currency: 'varchar', record_status: 'varchar', updated_at: 'varchar',
            amounts: 'struct(paid decimal(18, 2), reserve decimal(18, 2), recovered decimal(18, 2))'
        }}
    )
),
valuation as (
    select max(cast(regexp_extract(file, 'ingest_date=([0-9-]+)', 1) as date)) as valuation_date
    from glob({lake} || '/_manifests/ingest_date=*/*.json')
),
latest_claims as (
    select claim_lines.*
    from claim_lines cross join valuation
    where cast(claim_lines.updated_at as date) <= valuation.valuation_date
    qualify row_number() over (
        partition by claim_id order by updated_at desc, filename desc
    ) = 1
),
policies as (
    select policy_id, line_code
    from read_json(
        {lake} || '/policies/ingest_date=*/*',
        format = 'newline_delimited',
        filename = true,
        columns = {{policy_id: 'varchar', line_code: 'varchar', updated_at: 'varchar'}}
    )
    qualify row_number() over (
        partition by policy_id order by updated_at desc, filename desc
    ) = 1
),
known_lines as (
    select distinct line_code
    from read_csv({lake} || '/specialty_lines/ingest_date=*/*', header = true, all_varchar = true)
),
fx as (
    select month, currency, cast(usd_per_unit as decimal(38, 8)) as usd_per_unit
    from read_csv({fx}, header = true, columns = {{
        month: 'date', currency: 'varchar', units_per_usd: 'double', usd_per_unit: 'varchar'
    }})
),
incurred as (
    select
        coalesce(known_lines.line_code, 'unknown') as line_code,
        cast(date_trunc('month', c.loss_date) as date) as loss_month,
        cast(round(
            cast(c.amounts.paid + c.amounts.reserve - c.amounts.recovered as decimal(38, 2))
            * fx.usd_per_unit, 2
        ) as decimal(18, 2)) as incurred_usd
    from latest_claims as c
    left join policies on c.policy_id = policies.policy_id
    left join known_lines on policies.line_code = known_lines.line_code
    left join fx
        on c.currency = fx.currency and fx.month = cast(date_trunc('month', c.loss_date) as date)
    where c.record_status != 'deleted'
)
select line_code, loss_month, sum(incurred_usd) as incurred_usd
from incurred
group by all
order by all
"""


def floor_sql(lake: Path) -> str:
    def quoted(path: Path) -> str:
        return "'" + str(path.resolve()).replace("'", "''") + "'"

    return FLOOR_SQL.format(lake=quoted(lake), fx=quoted(ROOT / "seeds" / "fx_rates_monthly.csv"))


@dataclass(frozen=True)
class Step:
    """One process: wall seconds, peak resident memory (MiB), whether it succeeded, and
    the CPU seconds (user + system) it and its children used: on a shared machine the wall
    time moves with the load, the CPU time much less."""

    name: str
    seconds: float
    peak_mib: float
    ok: bool
    output: str = ""
    cpu_seconds: float = 0.0


@dataclass(frozen=True)
class Pair:
    """Staging then building."""

    stage: Step
    build: Step

    @property
    def seconds(self) -> float:
        return self.stage.seconds + self.build.seconds

    @property
    def ok(self) -> bool:
        return self.stage.ok and self.build.ok


@dataclass
class SizeResult:
    policies: int
    records: int  # landed by the full build (every batch but the last)
    increment_records: int  # the last batch
    full: Pair
    increment: Pair
    no_change: Pair
    full_refresh: Step
    floor: Step
    floor_matches: bool
    floor_detail: str
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> SizeResult:
        data = json.loads(text)
        for name in ("full", "increment", "no_change"):
            data[name] = Pair(Step(**data[name]["stage"]), Step(**data[name]["build"]))
        for name in ("full_refresh", "floor"):
            data[name] = Step(**data[name])
        return cls(**data)


def measured(name: str, argv: Sequence[str], env: dict[str, str], cwd: Path = ROOT) -> Step:
    """Run ``argv`` in a child process; its peak resident set from the kernel (wait4)."""
    start = time.perf_counter()
    with open(os.devnull, "rb") as devnull:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=devnull,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Step(name, seconds, usage.ru_maxrss / 1024.0, proc.returncode == 0, output, cpu)


def lake_for(policies: int) -> Path:
    """The clean lake of ``policies`` (generated once, then reused)."""
    name = f"clean-policies-{policies}-batches-{BATCHES}-seed-{SEED}-as-of-{AS_OF}"
    lake = BENCH_DIR / "lakes" / name
    if lake.is_dir():
        return lake
    partial = lake.with_name(".partial-" + name)
    shutil.rmtree(partial, ignore_errors=True)
    print(f"  generating the lake of {policies:,} policies (setup, not measured)", flush=True)
    subprocess.run(
        [
            str(Path(sys.executable).with_name("lakegen")),
            "generate",
            "--out",
            str(partial),
            "--policies",
            str(policies),
            "--batches",
            str(BATCHES),
            "--seed",
            str(SEED),
            "--as-of",
            AS_OF.isoformat(),
            "--fault-scale",
            "0",
            "--quiet",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    partial.rename(lake)
    return lake


def ingest_dates(lake: Path) -> list[str]:
    return sorted(p.name.split("=", 1)[1] for p in (lake / "_manifests").glob("ingest_date=*"))


def batch_records(lake: Path, ingest_date: str) -> int:
    total = 0
    for manifest in (lake / "_manifests" / f"ingest_date={ingest_date}").glob("*.json"):
        total += sum(int(f["rows"]) for f in json.loads(manifest.read_text())["files"])
    return total


def deliver(lake: Path, view: Path, ingest_date: str) -> None:
    """Put one batch of ``lake`` into ``view`` (hard links: no copy, same bytes)."""
    for path in lake.glob(f"*/ingest_date={ingest_date}/*"):
        target = view / path.relative_to(lake)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def dbt_argv(mode: Mode, *args: str) -> list[str]:
    dbt = dbt_executable()
    return [dbt, "--quiet", *args, "--project-dir", str(mode.project_dir)]


def report_figures(database: Path) -> dict[tuple[str, str], Decimal]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        schema = con.execute(
            "select table_schema from information_schema.tables where table_name = ?", [REPORT]
        ).fetchone()
        if schema is None:
            raise BenchError(f"{REPORT} was not built")
        rows = con.execute(
            f"select line_code, report_month, gross_incurred_loss_usd "
            f"from {schema[0]}.{REPORT} where gross_incurred_loss_usd != 0"
        ).fetchall()
    return {(str(line), str(month)): Decimal(amount) for line, month, amount in rows}


def floor_figures(output: str) -> dict[tuple[str, str], Decimal]:
    rows = json.loads(output.strip().splitlines()[-1])
    return {(line, month): Decimal(amount) for line, month, amount in rows if Decimal(amount)}


def compare(report: dict[tuple[str, str], Decimal], floor: dict[tuple[str, str], Decimal]) -> str:
    """'' when equal to the cent, else what differs."""
    keys = sorted(set(report) | set(floor))
    differ = [k for k in keys if report.get(k) != floor.get(k)]
    if not differ:
        return ""
    first = ", ".join(
        f"{k[0]} {k[1]}: report {report.get(k)} floor {floor.get(k)}" for k in differ[:3]
    )
    return f"{len(differ)} of {len(keys)} (line, month) differ, e.g. {first}"


def bench_size(
    policies: int, mode: Mode, env: dict[str, str], full_refresh: bool = True
) -> SizeResult:
    lake = lake_for(policies)
    dates = ingest_dates(lake)
    if len(dates) < 2:
        raise BenchError(f"{lake} holds {len(dates)} batch(es); the increment needs 2 or more")
    work = BENCH_DIR / "runs" / f"policies-{policies}"
    shutil.rmtree(work, ignore_errors=True)
    view, database = work / "lake", work / "warehouse.duckdb"
    view.mkdir(parents=True)
    step_env = {
        **env,
        **dbt_environment(str(view.resolve()), database.resolve(), work / "target"),
        **mode.environment(),
    }
    stage_argv = dbt_argv(mode, "run-operation", "stage_external_sources")
    build_argv = dbt_argv(mode, "build")

    def pair(label: str) -> Pair:
        stage = measured(f"{label}: stage", stage_argv, step_env)
        build = measured(f"{label}: build", build_argv, step_env)
        for step in (stage, build):
            if not step.ok:
                tail = "\n".join(step.output.strip().splitlines()[-15:])
                print(f"  {step.name} FAILED\n{tail}", flush=True)
        print(
            f"  {label:<13} stage {stage.seconds:7.1f}s {stage.peak_mib:7.0f} MiB   "
            f"build {build.seconds:7.1f}s {build.peak_mib:7.0f} MiB   "
            f"CPU {stage.cpu_seconds + build.cpu_seconds:7.1f}s",
            flush=True,
        )
        return Pair(stage, build)

    for date in dates[:-1]:
        deliver(lake, view, date)
    records = sum(batch_records(lake, d) for d in dates[:-1])
    full = pair("full build")
    deliver(lake, view, dates[-1])
    increment = pair("increment")
    no_change = pair("no new data")
    if full_refresh:
        refresh = measured("full refresh", dbt_argv(mode, "build", "--full-refresh"), step_env)
        print(
            f"  full refresh  build {refresh.seconds:7.1f}s {refresh.peak_mib:7.0f} MiB", flush=True
        )
    else:
        refresh = Step("full refresh", 0.0, 0.0, True, "skipped")
        print("  full refresh  skipped (BENCH_FULL_REFRESH=0)", flush=True)
    floor = measured(
        "floor",
        [sys.executable, "-m", "warehouse.runner.bench_warehouse", "floor", "--lake", str(view)],
        step_env,
    )
    if not floor.ok:
        raise BenchError(f"the floor query failed:\n{floor.output[-2000:]}")
    detail = compare(report_figures(database), floor_figures(floor.output))
    print(
        f"  floor         {floor.seconds:7.1f}s {floor.peak_mib:7.0f} MiB   "
        f"equal to {REPORT} to the cent: {'yes' if not detail else 'NO: ' + detail}",
        flush=True,
    )
    notes = [
        s.name + " failed"
        for p in (full, increment, no_change)
        for s in (p.stage, p.build)
        if not s.ok
    ]
    result = SizeResult(
        policies=policies,
        records=records,
        increment_records=batch_records(lake, dates[-1]),
        full=full,
        increment=increment,
        no_change=no_change,
        full_refresh=refresh,
        floor=floor,
        floor_matches=not detail,
        floor_detail=detail,
        notes=notes,
    )
    (work / "result.json").write_text(result.to_json())
    return result


def warehouse_run_argv(lake: Path, database: Path, hub: str) -> list[str]:
    return [
        str(Path(sys.executable).with_name("warehouse")),
        "run",
        "--resume",
        "--lake",
        str(lake),
        "--database",
        str(database),
        "--policies",
        str(DEFAULT_SIZE),
        "--batches",
        str(BATCHES),
        "--seed",
        str(SEED),
        "--as-of",
        AS_OF.isoformat(),
        "--fault-scale",
        "0",
        "--hub",
        hub,
        "--no-docs",
    ]


def bench_no_new_data_run(hub: str, env: dict[str, str]) -> Step:
    """`warehouse run` over a lake it has built already, at the default size: it should
    decide, without dbt, that there is nothing to build. The first run (setup, not
    measured) builds the lake's every batch."""
    lake = lake_for(DEFAULT_SIZE)
    work = BENCH_DIR / "runs" / "no-new-data-run"
    shutil.rmtree(work, ignore_errors=True)
    view, database = work / "lake", work / "warehouse.duckdb"
    view.mkdir(parents=True)
    for date in ingest_dates(lake):
        deliver(lake, view, date)
    argv = warehouse_run_argv(view, database, hub)
    setup = measured("warehouse run (setup)", argv, env)
    if not setup.ok:
        raise BenchError("warehouse run failed:\n" + setup.output[-2000:])
    quiet = measured("warehouse run, no new data", argv, env)
    decision = next(
        (line.strip() for line in quiet.output.splitlines() if "decision:" in line), "no decision"
    )
    print(
        f"  warehouse run with no new data at {DEFAULT_SIZE:,} policies: {quiet.seconds:.1f}s "
        f"(CPU {quiet.cpu_seconds:.1f}s) {quiet.peak_mib:.0f} MiB; {decision}",
        flush=True,
    )
    step = Step(quiet.name, quiet.seconds, quiet.peak_mib, quiet.ok, decision, quiet.cpu_seconds)
    (work / "result.json").write_text(json.dumps(asdict(step), indent=1))
    return step


def saved_no_new_data_run() -> Step | None:
    path = BENCH_DIR / "runs" / "no-new-data-run" / "result.json"
    return Step(**json.loads(path.read_text())) if path.is_file() else None


def fit(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Least squares y = a + b x."""
    n = len(points)
    if n == 1:
        x, y = points[0]
        return 0.0, y / x if x else 0.0
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx if sxx else 0.0
    return mean_y - b * mean_x, b


def verdict(ok: bool) -> str:
    return "pass" if ok else "MISS"


def summary(results: list[SizeResult], quiet: Step | None = None) -> list[str]:
    lines = ["", "== Warehouse benchmark " + "=" * 56]
    head = (
        f"{'policies':>10} {'records':>10} {'full s':>8} {'floor s':>8} {'ratio':>6} "
        f"{'incr s':>7} {'no-new s':>8} {'refresh s':>9} {'stage MiB':>9} {'build MiB':>9} "
        f"{'floor MiB':>9} {'= report':>8}"
    )
    lines.append(head)
    for r in results:
        stage_peak = max(p.stage.peak_mib for p in (r.full, r.increment, r.no_change))
        build_peak = max(
            [p.build.peak_mib for p in (r.full, r.increment, r.no_change)]
            + [r.full_refresh.peak_mib]
        )
        lines.append(
            f"{r.policies:>10,} {r.records:>10,} {r.full.seconds:>8.1f} {r.floor.seconds:>8.2f} "
            f"{r.full.seconds / r.floor.seconds:>6.0f} {r.increment.seconds:>7.1f} "
            f"{r.no_change.seconds:>8.1f} {r.full_refresh.seconds:>9.1f} {stage_peak:>9.0f} "
            f"{build_peak:>9.0f} {r.floor.peak_mib:>9.0f} {'yes' if r.floor_matches else 'NO':>8}"
        )
    for r in results:
        pairs = (r.full, r.increment, r.no_change)
        cpu = [p.stage.cpu_seconds + p.build.cpu_seconds for p in pairs]
        if any(cpu):
            lines.append(
                f"{r.policies:>10,} CPU s: full build {cpu[0]:.1f}, increment {cpu[1]:.1f}, "
                f"no new data {cpu[2]:.1f}, floor {r.floor.cpu_seconds:.1f}"
            )
    build_fit = fit([(r.records, r.full.seconds) for r in results])
    floor_fit = fit([(r.records, r.floor.seconds) for r in results])
    lines.append("")
    lines.append(
        f"per record: full build = {build_fit[0]:.2f} s + {build_fit[1] * 1e6:.2f} µs x records; "
        f"floor = {floor_fit[0]:.2f} s + {floor_fit[1] * 1e6:.2f} µs x records"
    )
    largest = max(results, key=lambda r: r.policies)
    full_s = largest.full.seconds
    share_no_change = largest.no_change.seconds / full_s
    extra = (largest.increment.seconds - largest.no_change.seconds) / full_s
    factor = build_fit[1] / floor_fit[1] if floor_fit[1] > 0 else float("inf")
    pairs = (largest.full, largest.increment, largest.no_change)
    stage_peak = max(p.stage.peak_mib for p in pairs)
    build_peak = max([p.build.peak_mib for p in pairs] + [largest.full_refresh.peak_mib])
    lines.append(
        f"increment: one more daily batch of {largest.increment_records:,} records "
        f"({largest.increment_records / largest.records:.2%} of the book) at {largest.policies:,} "
        f"policies: {largest.increment.seconds:.1f}s, against {full_s:.1f}s for the full build, "
        + (
            f"{largest.full_refresh.seconds:.1f}s for a full refresh and "
            if largest.full_refresh.output != "skipped"
            else ""
        )
        + f"{largest.no_change.seconds:.1f}s with no new data"
    )
    lines.append("")
    scope = f"at {largest.policies:,} policies" + (
        "" if largest.policies >= 1_000_000 else " (the targets are for 1,000,000)"
    )
    lines.append(f"targets, stage + build, {scope}:")
    checks = [
        (
            f"no new data <= {NO_CHANGE_SHARE:.0%} of a full build",
            f"{share_no_change:.1%}",
            share_no_change <= NO_CHANGE_SHARE,
        ),
        (
            f"increment - no new data <= {INCREMENT_EXTRA_SHARE:.0%} of a full build",
            f"{extra:.1%}"
            + (
                " (vacuous: no new data costs most of a full build too, the difference is noise)"
                if share_no_change > VACUOUS_NO_CHANGE_SHARE
                else ""
            ),
            extra <= INCREMENT_EXTRA_SHARE,
        ),
        (
            f"per-record cost <= {PER_RECORD_FACTOR:.0f} x the floor's",
            f"{factor:.1f} x",
            factor <= PER_RECORD_FACTOR,
        ),
        (
            f"peak memory of staging < {PEAK_MIB / GIB:.0f} GiB",
            f"{stage_peak / GIB:.2f} GiB",
            stage_peak < PEAK_MIB,
        ),
        (
            f"peak memory of building < {PEAK_MIB / GIB:.0f} GiB",
            f"{build_peak / GIB:.2f} GiB",
            build_peak < PEAK_MIB,
        ),
        (
            f"warehouse run, no new data, {DEFAULT_SIZE:,} policies <= "
            f"{NO_NEW_DATA_RUN_SECONDS:.0f} s, nothing built",
            "not measured"
            if quiet is None
            else f"{quiet.seconds:.1f} s (CPU {quiet.cpu_seconds:.1f} s); {quiet.output}",
            quiet is not None
            and quiet.ok
            and quiet.seconds <= NO_NEW_DATA_RUN_SECONDS
            and "nothing to build" in quiet.output.lower(),
        ),
        (
            f"the floor equals {REPORT} to the cent (every size)",
            "yes" if all(r.floor_matches for r in results) else "no",
            all(r.floor_matches for r in results),
        ),
    ]
    for label, value, ok in checks:
        lines.append(f"  {verdict(ok):<5} {label:<58} {value}")
    failed = [n for r in results for n in r.notes]
    if failed:
        lines.append("steps that failed (their figures are not comparable): " + ", ".join(failed))
    return lines


def duckdb_settings(env: dict[str, str]) -> str:
    return ", ".join(
        f"{name}={env.get(variable, default)}"
        for name, variable, default in (
            ("memory_limit", "DUCKDB_MEMORY_LIMIT", "5GB"),
            ("threads", "DUCKDB_THREADS", "4"),
            ("dbt threads", "DBT_THREADS", "2"),
        )
    )


def run(sizes: Sequence[int], hub: str, full_refresh: bool = True, quiet_run: bool = True) -> int:
    mode = resolve(hub)
    env = dict(os.environ)
    print(
        f"warehouse benchmark: sizes {', '.join(f'{s:,}' for s in sizes)} policies; "
        f"{BATCHES} daily batches as of {AS_OF}, clean lakes; dbt project {mode.project_dir.name} "
        f"({mode.name}); DuckDB {duckdb_settings(env)}",
        flush=True,
    )
    quiet = bench_no_new_data_run(hub, env) if quiet_run else saved_no_new_data_run()
    results = []
    for policies in sorted(sizes):
        print(f"{policies:,} policies", flush=True)
        results.append(bench_size(policies, mode, env, full_refresh))
    print("\n".join(summary(results, quiet)))
    return 0 if all(r.floor_matches and not r.notes for r in results) else 1


def run_summary(sizes: Sequence[int]) -> int:
    """The summary again, over the results the runs of these sizes saved."""
    results = []
    for policies in sorted(sizes):
        path = BENCH_DIR / "runs" / f"policies-{policies}" / "result.json"
        if not path.is_file():
            raise BenchError(f"no saved result for {policies:,} policies ({path})")
        results.append(SizeResult.from_json(path.read_text()))
    print("\n".join(summary(results, saved_no_new_data_run())))
    return 0


def run_floor(lake: Path) -> int:
    """The floor query, alone in this process; its rows as one JSON line."""
    import duckdb

    con = duckdb.connect()
    rows = con.execute(floor_sql(lake)).fetchall()
    print(json.dumps([[line, str(month), str(amount)] for line, month, amount in rows]))
    return 0


EXAMPLES = """\
examples:
  warehouse bench                                # 50000, 200000 and 1000000 policies
  warehouse bench --sizes "2000 5000 20000"      # a quick run
  warehouse bench summary                        # the last runs' summary again
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``warehouse bench``."""
    parser = sub.add_parser(
        "bench",
        help="the warehouse benchmark: a full build against the one-query floor, an "
        "increment, peak memory",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(handler=run_command)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="bench_command", metavar="STEP")
    sub.add_parser("run", help="the benchmark (default)")
    sub.add_parser("summary", help="print the summary of the sizes' last runs again")
    floor = sub.add_parser("floor", help="run the one-query floor over a lake, print its rows")
    floor.add_argument("--lake", type=Path, required=True)
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES", " ".join(str(s) for s in DEFAULT_SIZES)),
        help="policies at each size, space or comma separated (default: BENCH_SIZES or "
        "50000 200000 1000000)",
    )
    parser.add_argument(
        "--hub",
        choices=("on", "off", "auto"),
        default=os.environ.get("BENCH_HUB", "off"),
        help="dbt project: off = offline/ (air-gapped; default), "
        "on/auto = the root with hub packages",
    )
    parser.add_argument(
        "--no-full-refresh",
        action="store_true",
        default=os.environ.get("BENCH_FULL_REFRESH", "1") == "0",
        help="skip the full refresh step (BENCH_FULL_REFRESH=0)",
    )
    parser.add_argument(
        "--no-run-check",
        action="store_true",
        default=os.environ.get("BENCH_RUN_CHECK", "1") == "0",
        help="skip `warehouse run` with no new data at the default size (BENCH_RUN_CHECK=0; "
        "the summary then shows its last saved figure)",
    )


def run_command(args: argparse.Namespace) -> int:
    """``warehouse bench``; domain errors are left to the command line."""
    if args.bench_command == "floor":
        return run_floor(args.lake)
    try:
        sizes = [int(s) for s in args.sizes.replace(",", " ").split()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise ConfigurationError("--sizes: one or more positive numbers of policies")
    if args.bench_command == "summary":
        return run_summary(sizes)
    return run(sizes, args.hub, not args.no_full_refresh, not args.no_run_check)


def main(argv: Sequence[str] | None = None) -> int:
    """The floor's own process (``python -m warehouse.runner.bench_warehouse floor``): its
    peak memory is measured apart from the benchmark's."""
    parser = argparse.ArgumentParser(prog="python -m warehouse.runner.bench_warehouse")
    add_arguments(parser)
    return run_command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
