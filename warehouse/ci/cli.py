"""``warehouse plan|env|diff|report|promote|save-state|janitor``: plan, build, diff and
promote a change to the dbt warehouse.

The same commands run in CI and on a laptop; DuckDB by default, Snowflake with --target prod.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

from warehouse.ci.core import (
    Settings,
    current_branch,
    default_project_dir,
    profiles_dir,
)
from warehouse.errors import PlanError

EPILOG = """\
a change, start to end (DuckDB, production = warehouse.duckdb as `make run` left it):
  warehouse save-state --state target/prod-state  # on main: production's manifest
  # ...edit models on a branch...
  warehouse plan --state target/prod-state        # what changed, breaking or not
  warehouse env  --state target/prod-state        # build only that into ci_<branch>_*
  warehouse diff                                  # compare with production on each grain
  warehouse report --out report.md                # the Markdown for the pull request
  warehouse promote --state-out target/prod-state # make it production (tests must pass)
  warehouse promote --rollback                    # put the previous production back
  warehouse janitor --older-than 7                # drop stale environments

exit codes: 0 ok; 1 a build, a test or a dbt command failed; 2 the plan has errors;
  3 promotion refused; 4 a missing input (no state, no plan, environment never built).
"""


def _common(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("where")
    g.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="the dbt project (default: $WAREHOUSE_CI_PROJECT_DIR, else the repository root"
        " when its hub packages are installed, else the offline project)",
    )
    g.add_argument(
        "--target",
        choices=("dev", "prod"),
        default=os.environ.get("DBT_TARGET", "dev"),
        help="dbt target: dev = DuckDB, prod = Snowflake (default: $DBT_TARGET or dev)",
    )
    g.add_argument(
        "--database",
        type=Path,
        default=None,
        help="DuckDB file holding production (default: $DUCKDB_PATH or warehouse.duckdb)",
    )
    g.add_argument(
        "--env",
        default=os.environ.get("WAREHOUSE_CI_ENV"),
        help="environment name (default: $WAREHOUSE_CI_ENV, else the git branch); "
        "its schemas are ci_<name>_*",
    )
    g.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where plans, builds and diffs are kept (default: <project>/target/ci)",
    )
    g.add_argument("--quiet", action="store_true", help="print less")


def _state(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--state",
        type=Path,
        default=Path(os.environ["WAREHOUSE_CI_STATE"])
        if "WAREHOUSE_CI_STATE" in os.environ
        else None,
        required=required and "WAREHOUSE_CI_STATE" not in os.environ,
        help="folder with production's manifest.json ($WAREHOUSE_CI_STATE)",
    )


def _parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help: str,
    description: str,
    example: str,
) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=help,
        description=f"{description}\n\nexample:\n  {example}\n\nthe whole cycle:\n{EPILOG}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The CI's commands: plan, env, diff, report, promote, save-state, janitor."""
    p = _parser(
        sub,
        "plan",
        "list modified models, classify each change, show what must be rebuilt",
        "Compare the working tree with production's manifest: directly and indirectly "
        "modified models,\nbreaking or non-breaking, column changes, the rebuild set. "
        "Exits 2 when the plan has errors.",
        "warehouse plan --state target/prod-state",
    )
    _state(p)
    p.add_argument("--json", action="store_true", help="print the plan as JSON")

    e = _parser(
        sub,
        "env",
        "build the planned set into the environment's schemas (unit tests, build, tests)",
        "Build the last plan's rebuild set into ci_<env>_*, deferring everything else to "
        "production.\nRun `warehouse plan` first.",
        "warehouse env --state target/prod-state",
    )
    _state(e)
    e.add_argument(
        "--compare-full",
        action="store_true",
        help="also time a full build of the project (into a scratch schema, dropped after)",
    )

    d = _parser(
        sub,
        "diff",
        "compare each rebuilt model with production on its grain",
        "Compare each model the environment rebuilt with production's, row by row on the "
        "model's grain:\nadded, removed and changed keys, and samples of the differences.",
        "warehouse diff --samples 0",
    )
    d.add_argument("--samples", type=int, default=5, help="sample differences per model")
    d.add_argument(
        "--keys", type=int, default=100, help="differing keys kept per model in diff.json"
    )
    d.add_argument("--json", action="store_true", help="print the diff as JSON")

    r = _parser(
        sub,
        "report",
        "the plan, build and diff as Markdown",
        "The environment's plan, build and diff as one Markdown page (the pull request's comment).",
        "warehouse report --out report.md",
    )
    r.add_argument("--out", type=Path, default=None, help="write here (default: stdout)")

    pr = _parser(
        sub,
        "promote",
        "make the tested environment production, atomically (or --rollback)",
        "Make the environment production, atomically. Refused (exit 3) when the "
        "environment's tests\nfailed. The replaced relations are kept in "
        "<schema>__previous for --rollback.",
        "warehouse promote --state-out target/prod-state",
    )
    pr.add_argument("--rollback", action="store_true", help="undo the last promotion")
    pr.add_argument(
        "--state-out",
        type=Path,
        default=None,
        help="after promoting, compile the tree against production and write the new "
        "production manifest here",
    )

    s = _parser(
        sub,
        "save-state",
        "compile the tree against production; keep its manifest as state",
        "Compile the working tree against production and keep its manifest: the state "
        "the next\n`warehouse plan` compares with.",
        "warehouse save-state --state target/prod-state",
    )
    _state(s)

    j = _parser(
        sub,
        "janitor",
        "drop environments no longer needed",
        "Drop the schemas of environments no longer needed (closed pull requests, stale "
        "branches),\nfound from the registry the CI keeps in the warehouse.",
        "warehouse janitor --older-than 7 --dry-run",
    )
    j.add_argument("--keep", default=None, help="comma-separated environments to keep")
    j.add_argument("--drop", default=None, help="comma-separated environments to drop")
    j.add_argument("--older-than", type=float, default=None, help="days since built")
    j.add_argument("--dry-run", action="store_true", help="list, do not drop")

    for each in (p, e, d, r, pr, s, j):
        _common(each)
        each.set_defaults(handler=run)


def settings_from(args: argparse.Namespace) -> Settings:
    chosen = args.project_dir or os.environ.get("WAREHOUSE_CI_PROJECT_DIR")
    project = Path(chosen).resolve() if chosen else default_project_dir()
    home = profiles_dir(project)  # where profiles.yml, warehouse.duckdb and target/ live
    database = args.database or Path(os.environ.get("DUCKDB_PATH", str(home / "warehouse.duckdb")))
    if not database.is_absolute():
        database = (home / database) if not database.exists() else database.resolve()
    return Settings(
        project_dir=project,
        target=args.target,
        database=database,
        workdir=(args.workdir or home / "target" / "ci").resolve(),
        env=args.env or current_branch(project),
        quiet=args.quiet,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``warehouse <command> ...`` for the CI's commands (the tests call it)."""
    from warehouse.cli import main as warehouse_main

    return warehouse_main(argv)


def run(args: argparse.Namespace) -> int:
    """Run the command ``args`` names; domain errors are left to :func:`main`."""
    settings = settings_from(args)
    from warehouse.ci import diff, environment, janitor, plan, promote, report

    if args.command == "plan":
        result = plan.build_plan(settings, args.state.resolve())
        plan.save(settings, result)
        print(json.dumps(result.to_json(), indent=2) if args.json else plan.render_text(result))
        return 0 if result.ok else PlanError.exit_code
    if args.command == "env":
        record = environment.build_environment(
            settings, args.state.resolve(), compare_full=args.compare_full
        )
        print(environment.render_text(record))
        return 0 if record["ok"] else 1
    if args.command == "diff":
        compared = diff.diff_environment(settings, samples=args.samples, key_limit=args.keys)
        print(
            json.dumps(compared, indent=2, default=str) if args.json else diff.render_text(compared)
        )
        return 0
    if args.command == "report":
        text = report.render(settings)
        if args.out:
            args.out.write_text(text)
            settings.say(f"report written to {args.out}")
        else:
            print(text)
        return 0
    if args.command == "promote":
        if args.rollback:
            undone = promote.rollback(settings)
            print(f"rolled back the promotion of {undone['rolled_back']}:")
            for m in undone["relations"]:
                print(f"  {m['relation']}: " + ("restored" if m["previous"] else "dropped"))
            if args.state_out:
                path = promote.restore_previous_state(args.state_out.resolve())
                print(f"production state: {path or 'no previous manifest to restore'}")
            return 0
        done = promote.promote(settings)
        print(f"promoted {settings.env}: {len(done['promoted'])} relation(s)")
        for m in done["promoted"]:
            print(f"  {m['relation']} <- {m['from']}")
        if args.state_out:
            saved = promote.save_production_state(settings, args.state_out.resolve())
            print(f"production state written to {saved}")
        return 0
    if args.command == "save-state":
        saved = promote.save_production_state(settings, args.state.resolve())
        print(f"production state written to {saved}")
        return 0
    if args.command == "janitor":
        dropped = janitor.clean(
            settings,
            keep=args.keep.split(",") if args.keep is not None else None,
            drop=args.drop.split(",") if args.drop else None,
            older_than_days=args.older_than,
            dry_run=args.dry_run,
        )
        verb = "would drop" if args.dry_run else "dropped"
        for d in dropped:
            print(f"{verb} {d['environment']} ({', '.join(d['schemas'])}): {d['why']}")
        if not dropped:
            print("no environment to drop")
        return 0
    return 1  # pragma: no cover
