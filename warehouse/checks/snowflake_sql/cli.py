"""``python -m warehouse.checks.snowflake_sql``: the check's command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from warehouse.checks.snowflake_sql.compile import DEFAULT_TARGET, OFFLINE_PROJECT
from warehouse.checks.snowflake_sql.report import run_check
from warehouse.checks.snowflake_sql.rules import FUNCTIONS_FILE
from warehouse.ci.errors import WarehouseError, describe


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse.checks.snowflake_sql",
        description=(
            "Compile the dbt project for its Snowflake target without a Snowflake account"
            " and check that every compiled SQL text parses as Snowflake SQL and calls only"
            " Snowflake functions; also check that no model branches on target.name or"
            " target.type. Exits 1 when there is any problem."
        ),
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
        " python -m warehouse.checks.emulator): check every statement dbt sent",
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
    args = parser.parse_args(argv)
    try:
        report = run_check(
            args.project_dir,
            target=args.target,
            profiles_dir=args.profiles_dir,
            work_dir=args.work_dir,
            functions_file=args.functions,
            packages_dir=args.packages_dir,
            statements_file=args.statements,
        )
    except WarehouseError as error:
        print(describe("snowflake-sql", error), file=sys.stderr)
        return error.exit_code
    print(report.render())
    return 0 if report.ok else 1
