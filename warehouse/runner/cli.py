"""``warehouse run``: the insurance warehouse pipeline end to end."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from generator.cli import _date, _positive
from generator.config import GeneratorConfig
from warehouse.runner.modes import ROOT, resolve

EXAMPLES = """\
examples:
  warehouse run                                  # 5000 policies, 7 daily batches, DuckDB
  warehouse run --policies 500 --batches 2       # a quick one
  warehouse run --resume --full-tests --hub on   # the nightly run: every test, hub packages
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``warehouse run``."""
    r = sub.add_parser(
        "run",
        help="generate, stage and build, batch by batch, then summarise",
        description="Run the insurance warehouse end to end on DuckDB: generate the lake "
        "batch by batch and, after each batch, stage the new files and build every model, "
        "snapshot and test. Starts from an empty lake and database unless --resume. After "
        "staging, builds only when something landed, landing's issues changed, the code "
        "changed (dbt state:modified: then only what changed and its dependants) or when "
        "asked (--force, --full-refresh, --full-tests); it prints what it decided and why.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("--lake", type=Path, default=ROOT / "lake", help="lake folder (default: lake)")
    r.add_argument(
        "--database",
        type=Path,
        default=ROOT / "warehouse.duckdb",
        help="DuckDB file (default: warehouse.duckdb)",
    )
    r.add_argument(
        "--policies",
        type=_positive,
        default=5000,
        help="scale: the total number of policies over the whole simulated history "
        "(three years), not a number a year (default: 5000)",
    )
    r.add_argument("--batches", type=_positive, default=7, help="daily batches (default: 7)")
    r.add_argument("--as-of", type=_date, default=None, help="last ingest date (default: today)")
    r.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    r.add_argument(
        "--fault-scale",
        type=float,
        default=1.0,
        help="multiply the default fault rates (default: 1)",
    )
    r.add_argument(
        "--hub",
        choices=("auto", "on", "off"),
        default="auto",
        help="hub packages: auto = full mode when they can be installed, else "
        "air-gapped; on = full mode or fail; off = air-gapped (default: auto)",
    )
    r.add_argument(
        "--resume",
        action="store_true",
        help="keep the lake and database; generate only the batches not in the lake yet "
        "(none: one stage-and-build pass over what is there)",
    )
    r.add_argument(
        "--force",
        action="store_true",
        help="build even when nothing landed and the code is unchanged",
    )
    r.add_argument(
        "--full-refresh",
        action="store_true",
        help="build with dbt's --full-refresh (incremental models rebuilt from all data)",
    )
    r.add_argument(
        "--full-tests",
        action="store_true",
        help="build, and run every data test over whole tables (the nightly run; "
        "otherwise row-level tests of incremental models read only the new rows)",
    )
    r.add_argument("--no-docs", action="store_true", help="skip dbt docs generate")
    r.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the pipeline ``args`` describes; domain errors are left to the command line."""
    from generator.config import FaultRates
    from warehouse.runner.build_state import Asked
    from warehouse.runner.run import render_summary, run_pipeline

    as_of = args.as_of or dt.datetime.now(dt.timezone.utc).date()
    rates = FaultRates.scaled(args.fault_scale) if args.fault_scale != 1.0 else FaultRates()
    cfg = GeneratorConfig(
        seed=args.seed,
        as_of=as_of,
        batches=args.batches,
        policies=args.policies,
        faults=rates,
        drift_from_batch=max(1, args.batches - 1) if args.batches >= 3 else None,
    )
    mode = resolve(args.hub)
    report = run_pipeline(
        cfg,
        args.lake,
        args.database,
        mode,
        fresh=not args.resume,
        docs=not args.no_docs,
        asked=Asked(force=args.force, full_refresh=args.full_refresh, full_tests=args.full_tests),
        say=lambda m: print(m, flush=True),
    )
    print(render_summary(report))
    return 0 if report.ok else 1
