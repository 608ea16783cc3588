"""``warehouse check snowflake-sql``: the check's command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from warehouse.checks.snowflake_sql.compile import DEFAULT_TARGET, OFFLINE_PROJECT
from warehouse.checks.snowflake_sql.report import run_check
from warehouse.checks.snowflake_sql.rules import FUNCTIONS_FILE

EXAMPLES = """\
examples:
  warehouse check snowflake-sql              # the offline project (make check-snowflake-sql)
  warehouse check snowflake-sql --packages-dir dbt_packages --project-dir .
  warehouse check snowflake-sql --statements WORK/emulator/statements.jsonl
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``warehouse check snowflake-sql``."""
    parser = sub.add_parser(
        "snowflake-sql",
        help="compile for Snowflake offline and check the SQL",
        description=(
            "Compile the dbt project for its Snowflake target without a Snowflake account"
            " and check that every compiled SQL text parses as Snowflake SQL and calls only"
            " Snowflake functions; also check that no model branches on target.name or"
            " target.type. Exits 1 when there is any problem."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=OFFLINE_PROJECT,
        help="dbt project (default: the offline project, which needs no hub package)",
    )
    parser.add_argument(
        "--profiles-dir",
        type=Path,
        default=None,
        help="folder of profiles.yml (default: the repository root)",
    )
    parser.add_argument(
        "--packages-dir",
        type=Path,
        default=None,
        help="a folder with the hub packages installed: also check the root's"
        " stage_external_sources (dbt-external-tables' statements for Snowflake)",
    )
    parser.add_argument(
        "--statements",
        type=Path,
        default=None,
        help="a statement log of a dbt build on the emulator (statements.jsonl, written by"
        " warehouse check emulator): check every statement dbt sent",
    )
    parser.add_argument(
        "--target",
        default=DEFAULT_TARGET,
        help=f"a Snowflake output of the profile (default: {DEFAULT_TARGET})",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="where dbt writes its target/ and logs/ (default: a new temporary folder)",
    )
    parser.add_argument(
        "--functions",
        type=Path,
        default=FUNCTIONS_FILE,
        help="allow-list of Snowflake function names",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the check; domain errors are left to the command line."""
    report = run_check(
        args.project_dir,
        target=args.target,
        profiles_dir=args.profiles_dir,
        work_dir=args.work_dir,
        functions_file=args.functions,
        packages_dir=args.packages_dir,
        statements_file=args.statements,
    )
    print(report.render())
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """``warehouse check snowflake-sql ...`` (the tests call it)."""
    from warehouse.cli import main as warehouse_main

    return warehouse_main(["check", "snowflake-sql", *(argv or [])])
