"""``warehouse``: the one command of the insurance warehouse.

Each subcommand's parser and handler live beside the code it runs (``warehouse.runner.cli``,
``warehouse.ci.cli``, ``warehouse.checks``, ``warehouse.runner.bench_warehouse``); this module
puts them under one command and is the one place a domain error
(:class:`warehouse.errors.WarehouseError`) becomes a one-line message and its exit code.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from warehouse.errors import WarehouseError, describe

DASHBOARD_APP = Path(__file__).resolve().parent / "dashboard" / "app.py"
# what `make dashboard` always passes to Streamlit
DASHBOARD_FLAGS = (
    "--server.headless",
    "true",
    "--browser.gatherUsageStats",
    "false",
    "--client.toolbarMode",
    "viewer",
)

EXAMPLES = """\
examples:
  warehouse run --policies 500 --batches 2       # a small warehouse on DuckDB, end to end
  warehouse dashboard                            # the dashboard on what `run` published
  warehouse plan --state target/prod-state       # what a change to the models does
  warehouse check snowflake-sql                  # the Snowflake SQL, checked offline
  warehouse <command> --help                     # each command's options and examples

exit codes: 0 ok; 1 a build, a test, a check or a dbt command failed; 2 the plan has
  errors; 3 promotion refused; 4 the configuration or a required input is wrong or missing.
"""


def _check_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from warehouse.checks import emulator
    from warehouse.checks.snowflake_sql import cli as snowflake_sql

    check = sub.add_parser(
        "check",
        help="offline checks of the Snowflake side: the compiled SQL, a build on the emulator",
        description="Checks of what the warehouse sends to Snowflake, without a Snowflake account.",
        epilog="examples:\n  warehouse check snowflake-sql\n  warehouse check emulator\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    checks = check.add_subparsers(dest="check", required=True, metavar="CHECK")
    snowflake_sql.add_parser(checks)
    emulator.add_parser(checks)


def _dashboard_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dashboard = sub.add_parser(
        "dashboard",
        help="serve the dashboard (Streamlit) on the warehouse `warehouse run` published",
        description="Serve the Streamlit dashboard (warehouse/dashboard/app.py) on the copy "
        "of the warehouse `warehouse run` published (published/), or on Snowflake with "
        "--target prod. Stops with Ctrl-C.",
        epilog="examples:\n  warehouse dashboard\n  warehouse dashboard --port 8600\n"
        "  warehouse dashboard --target prod             # Snowflake (the profile's variables)\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dashboard.add_argument(
        "--port", type=int, default=None, help="the server's port (default: Streamlit's, 8501)"
    )
    dashboard.add_argument(
        "--target",
        choices=("dev", "prod"),
        default=None,
        help="dev = the published DuckDB copy, prod = Snowflake (default: $DBT_TARGET or dev)",
    )
    dashboard.set_defaults(handler=run_dashboard)


def dashboard_argv(args: argparse.Namespace) -> list[str]:
    """The Streamlit command `warehouse dashboard` runs."""
    argv = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP), *DASHBOARD_FLAGS]
    if args.port is not None:
        argv += ["--server.port", str(args.port)]
    return argv


def run_dashboard(args: argparse.Namespace) -> int:
    env = dict(os.environ, **({"DBT_TARGET": args.target} if args.target else {}))
    try:
        return subprocess.run(dashboard_argv(args), env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0


def build_parser() -> argparse.ArgumentParser:
    from warehouse.ci import cli as ci
    from warehouse.runner import bench_warehouse
    from warehouse.runner import cli as runner

    parser = argparse.ArgumentParser(
        prog="warehouse",
        description="The insurance warehouse: run it end to end, plan and promote a change, "
        "check the Snowflake SQL offline, serve the dashboard, measure a build.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    runner.add_parser(sub)
    ci.add_parsers(sub)
    _check_parser(sub)
    _dashboard_parser(sub)
    bench_warehouse.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    command = args.command + (f" {args.check}" if args.command == "check" else "")
    try:
        return int(args.handler(args))
    except WarehouseError as error:
        print(describe(f"warehouse {command}", error), file=sys.stderr)
        return error.exit_code
