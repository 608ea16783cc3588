"""Incremental = full: a faulty lake built batch by batch incrementally (stage, then build,
after each batch, as `warehouse run` does) gives the same tables, row for row, as the same
lake built once with `dbt build --full-refresh`.

The batches land out of order (the second batch after the third: a late file with an older
ingest date), over a lake with late and out-of-order versions, duplicates, re-delivered files,
late parents and schema drift; then a second delivery on the last day amends treaties (a
change that fans out to every policy and claim ceded to them, with the valuation date
unchanged, so the models cut at it take the increment too) and an insured's risk rating
(a change that fans out to every month of their policies in rpt_policy_months_wide). After
the first batch, an insured whose policies have been parsed is erased (seed
erasure_requests, in a copy of the project): every incremental model must forget rows it
computed from their records, and the later batches' lines of theirs are never parsed.
Every model is compared both ways with EXCEPT ALL; only the audit columns that record when
a run processed a row differ, and they are listed here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pytest

from generator.generate import generate
from generator.tests.conftest import faulty_config
from warehouse.dbt import dbt_environment
from warehouse.runner.modes import Mode
from warehouse.runner.tests.conftest import AIR_GAPPED, deliver_manifest, large_scale
from warehouse.runner.tests.test_erasure import copy_project

pytestmark = pytest.mark.cost(100)

# Columns that say when a dbt run processed the row: the only columns allowed to differ.
AUDIT_COLUMNS = frozenset({"processed_at"})
# Models by policy that hold rows of the insured erased half-way through the batches.
POLICY_MODELS = (
    ("main_intermediate", "int_finance__policy_treaties"),
    ("main_marts", "rpt_policy_months_wide"),
    ("main_marts", "fct_earned_premiums"),
)
# The as-at columns an incremental model keeps up to date in place when the valuation date
# moves (a post-hook updates the rows whose value changed; docs/incremental.md): the only
# columns a moved valuation date may change in an incremental table.
AS_AT_COLUMNS = {
    "fct_policy_premiums": frozenset({"is_written_to_date"}),
    "fct_earned_premiums": frozenset({"valuation_date"}),
    "fct_earned_premium_schedule": frozenset({"valuation_date"}),
    "rpt_policy_months_wide": frozenset({"valuation_date"}),
    "int_finance__claims": frozenset({"valuation_date"}),
    "fct_incurred_losses": frozenset({"valuation_date"}),
    "rpt_claims_wide": frozenset({"valuation_date"}),
}
# Incremental tables cut as at the valuation date (their rows are the months up to it, with
# figures to date): a moved valuation date recomputes the policies whose rows it changes
# (valuation_dependent_policies; docs/incremental.md), and only them. They are not
# history: a moved date may rewrite some of their rows, and they must still equal a full
# refresh. fct_earned_premium_schedule is cut at the valuation date too, but a date moved
# forwards with no new data changes none of its rows: it stays among the history tables.
# fct_policy_exposures recomputes the policies in force from the earlier valuation month on.
AS_AT_TABLES = frozenset({"fct_earned_premiums", "rpt_policy_months_wide", "fct_policy_exposures"})
# Doubles are compared rounded (a sum's last bits depend on the order it was added in).
DOUBLE_DIGITS = 6


def comparison_config():
    policies, batches = (2500, 6) if large_scale() else (300, 3)
    cfg = faulty_config(policies=policies, batches=batches, drift_from_batch=2)
    return replace(cfg, faults=replace(cfg.faults, orphan_reference=0.08))


def landing_order(batches: int) -> list[int]:
    """Batch numbers in the order they land: the second lands after the third (late)."""
    order = list(range(1, batches + 1))
    order[1], order[2] = order[2], order[1]
    return order


def deliver_treaty_amendment(lake: Path) -> None:
    """A second delivery on the latest ingest date (the valuation date does not move) with
    new versions of three treaties: a quota share cedes 10 points more, an excess of loss
    costs 1 point more, a surplus treaty is soft-deleted."""
    ingest_date = max(p.name.split("=", 1)[1] for p in (lake / "_manifests").glob("ingest_date=*"))
    landed = sorted((lake / "reinsurance_treaties").glob("ingest_date=*/*.csv"))
    rows = list(csv.DictReader(io.StringIO(landed[0].read_text())))
    fields = list(rows[0])
    amended = []
    changes = {"quota_share": ("cession_pct", 10), "excess_of_loss": ("premium_rate_pct", 1)}
    for kind in ("quota_share", "excess_of_loss", "surplus"):
        row = dict(next(r for r in rows if r["treaty_type"] == kind))
        if kind in changes:
            field, points = changes[kind]
            row[field] = f"{float(row[field]) + points:.2f}"
        else:
            row["record_status"] = "deleted"
        row["updated_at"] = f"{ingest_date}T01:00:00Z"
        amended.append(row)
    deliver_csv(lake, "reinsurance_treaties", ingest_date, fields, amended, batch_number=98)


def deliver_csv(
    lake: Path,
    source: str,
    ingest_date: str,
    fields: list[str],
    rows: list[dict[str, str]],
    batch_number: int,
) -> None:
    """A second delivery of ``rows`` of ``source`` on ``ingest_date``, with its manifest."""
    compact = ingest_date.replace("-", "")
    folder = lake / source / f"ingest_date={ingest_date}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{source}_{compact}T230000Z_0001.csv"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())
    deliver_manifest(lake, [path], ingest_date, batch_number=batch_number)


def deliver_insured_amendment(lake: Path, database: Path) -> None:
    """A second delivery on the latest ingest date with a new version of an insured that
    holds policies in rpt_policy_months_wide: their risk rating changes, and the change
    fans out to every month of their policies."""
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute(
            """
            select policies.insured_id
            from main_staging.stg_landing__policies as policies
            inner join main_marts.rpt_policy_months_wide as months
                on policies.policy_id = months.policy_id
            group by policies.insured_id
            order by count(*) desc, policies.insured_id
            limit 1
            """
        ).fetchone()
    assert row is not None, "no insured with a policy month to amend"
    ingest_date = max(p.name.split("=", 1)[1] for p in (lake / "_manifests").glob("ingest_date=*"))
    ratings = ["A", "B", "C", "D", "E"]
    versions = [
        version
        for path in sorted((lake / "insureds").glob("ingest_date=*/*.csv"))
        for version in csv.DictReader(io.StringIO(path.read_text(errors="replace")))
        if version.get("insured_id") == row[0]
        and None not in version  # no stray fields
        and version.get("risk_rating") in ratings
        and len(version.get("updated_at") or "") == len("2026-01-01T00:00:00Z")
    ]
    assert versions, f"no clean landed version of {row[0]}"
    latest = dict(max(versions, key=lambda version: version["updated_at"]))
    latest["risk_rating"] = ratings[(ratings.index(latest["risk_rating"]) + 1) % len(ratings)]
    latest["updated_at"] = f"{ingest_date}T01:30:00Z"
    deliver_csv(lake, "insureds", ingest_date, list(latest), [latest], batch_number=97)


def request_erasure(project: Mode, database: Path) -> list[str]:
    """Puts on the suppression list of ``project`` the insured with the most policies ceded
    to a treaty in ``database`` (already parsed, so every model holds rows of theirs);
    returns those policies."""
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute(
            """
            select
                policies.insured_id,
                list(distinct policies.policy_id order by policies.policy_id)
            from main_staging.stg_landing__policies as policies
            inner join main_intermediate.int_finance__policy_treaties as treaties
                on policies.policy_id = treaties.policy_id
            group by policies.insured_id
            order by count(distinct policies.policy_id) desc, policies.insured_id
            limit 1
            """
        ).fetchone()
    assert row is not None, "no insured with a ceded policy to erase"
    seed = project.project_dir.parent / "seeds" / "erasure_requests.csv"
    seed.write_text(f"insured_id,requested_on\n{row[0]},2026-11-30\n", encoding="utf-8")
    return list(row[1])


def rows_of_policies(database: Path, policies: list[str]) -> dict[str, int]:
    """How many rows of ``policies`` each incremental model by policy holds."""
    counts = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for schema, name in POLICY_MODELS:
            (counts[f"{schema}.{name}"],) = con.execute(  # type: ignore[misc]
                f"select count(*) from {schema}.{name} where policy_id in (select unnest(?))",
                [policies],
            ).fetchone()
    return counts


# Stage, then build, in one dbt process (dbt-duckdb keeps the database open in the process
# that ran it: a process of its own per step leaves it free for the next step and for the
# comparison, which attaches both files).
STAGE_AND_BUILD = """
import sys
from dbt.cli.main import dbtRunner

project, extra = sys.argv[1], sys.argv[2:]
runner = dbtRunner()
for command in (
    ["run-operation", "stage_external_sources"],
    ["build", "--exclude-resource-type", "test", "unit_test", *extra],
):
    if not runner.invoke(["--quiet", *command, "--project-dir", project]).success:
        sys.exit(f"dbt {command[0]} failed")
"""


def build(lake: Path, database: Path, project: Mode, *extra: str) -> None:
    """Stage the lake, then build (tables only: the tests run on the batch-by-batch warehouse
    of the pipeline tests)."""
    env = {
        **os.environ,
        **dbt_environment(str(lake.resolve()), database.resolve(), target_of(database)),
        **project.environment(),
    }
    done = subprocess.run(
        [sys.executable, "-c", STAGE_AND_BUILD, str(project.project_dir), *extra],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def target_of(database: Path) -> Path:
    return database.parent / f"target_{database.stem}"


def models(database: Path) -> list[tuple[str, str]]:
    """(schema, name) of every model of the project, from the manifest of the build."""
    manifest = json.loads((target_of(database) / "manifest.json").read_text())
    return sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    )


def compared_columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str) -> str:
    """The model's columns but the audit ones, doubles rounded."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [catalog, schema, name],
    ).fetchall()
    assert columns, f"{schema}.{name} is missing from the full build"
    return ", ".join(
        f'round("{c}", {DOUBLE_DIGITS}) as "{c}"' if t in ("DOUBLE", "FLOAT") else f'"{c}"'
        for c, t in columns
        if c not in AUDIT_COLUMNS
    )


def rows_only_in(
    con: duckdb.DuckDBPyConnection, left: str, right: str, relation: str, columns: str
) -> int:
    return con.execute(
        f"select count(*) from (select {columns} from {left}.{relation} "
        f"except all select {columns} from {right}.{relation})"
    ).fetchone()[0]


def differences(incremental: Path, full: Path) -> dict[str, tuple[int, int]]:
    """For each model whose rows differ: (rows only in the incremental build, rows only in
    the full build). Each file is attached under its own name (its stem): the views dbt
    wrote in it name their tables by that catalog."""
    found: dict[str, tuple[int, int]] = {}
    left, right = incremental.stem, full.stem
    assert left != right, "the two databases need file names of their own"
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as \"{left}\" (read_only)")
        con.execute(f"attach '{full}' as \"{right}\" (read_only)")
        for schema, name in models(full):
            columns = compared_columns(con, right, schema, name)
            relation = f'"{schema}"."{name}"'
            only_incremental = rows_only_in(con, f'"{left}"', f'"{right}"', relation, columns)
            only_full = rows_only_in(con, f'"{right}"', f'"{left}"', relation, columns)
            if only_incremental or only_full:
                found[name] = (only_incremental, only_full)
    return found


@dataclass(frozen=True)
class Erasure:
    policies: list[str]  # the erased insured's policies
    rows_before: dict[str, int]  # their rows in POLICY_MODELS before the erasure
    rows_after: dict[str, int]  # and at the end of the incremental builds


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Erasure, Mode]:
    """(incremental database, full database, the erasure, the project copy that built them)
    over the same lake."""
    base = tmp_path_factory.mktemp("incremental_equals_full")
    cfg, lake = comparison_config(), base / "lake"
    incremental, full = base / "incremental.duckdb", base / "rebuilt.duckdb"
    copied = copy_project(base / "project")
    project = replace(AIR_GAPPED, project_dir=copied / AIR_GAPPED.project_dir.name)
    for position, number in enumerate(landing_order(cfg.batches)):
        generate(cfg, lake, [number], workers=1)
        build(lake, incremental, project)
        if position == 0:
            erased = request_erasure(project, incremental)
            before = rows_of_policies(incremental, erased)
    deliver_treaty_amendment(lake)
    deliver_insured_amendment(lake, incremental)
    build(lake, incremental, project)
    build(lake, full, project, "--full-refresh")
    erasure = Erasure(erased, before, rows_of_policies(incremental, erased))
    return incremental, full, erasure, project


def test_an_incremental_build_equals_a_full_build(
    builds: tuple[Path, Path, Erasure, Mode],
) -> None:
    incremental, full, _, _ = builds
    assert models(full), "no model was built"
    assert differences(incremental, full) == {}


def test_the_erased_insureds_rows_were_built_then_forgotten(
    builds: tuple[Path, Path, Erasure, Mode],
) -> None:
    """The erasure is partial: their policies had rows in every model by policy when it
    was requested, and the incremental builds after it left none."""
    erasure = builds[2]
    assert erasure.policies
    assert all(erasure.rows_before.values()), erasure.rows_before
    assert not any(erasure.rows_after.values()), erasure.rows_after


def test_the_landing_order_has_a_late_batch() -> None:
    order = landing_order(comparison_config().batches)
    assert order[:3] == [1, 3, 2]


def incremental_models(database: Path) -> list[tuple[str, str]]:
    """(schema, name) of the incremental models, from the manifest of the build."""
    manifest = json.loads((target_of(database) / "manifest.json").read_text())
    return sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    )


def rows_changed(before: Path, after: Path, tables: list[tuple[str, str]]) -> dict[str, int]:
    """For each table whose rows differ (every column, processed_at included, but its
    AS_AT_COLUMNS): rows gone plus rows new."""
    found: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{before}' as before_run (read_only)")
        con.execute(f"attach '{after}' as after_run (read_only)")
        for schema, name in tables:
            relation = f'"{schema}"."{name}"'
            columns = ", ".join(
                f'"{c}"'
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where "
                    "table_catalog = 'before_run' and table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if c not in AS_AT_COLUMNS.get(name, frozenset())
            )
            changed = sum(
                con.execute(
                    f"select count(*) from (select {columns} from {left}.{relation} "
                    f"except all select {columns} from {right}.{relation})"
                ).fetchone()[0]
                for left, right in (("before_run", "after_run"), ("after_run", "before_run"))
            )
            if changed:
                found[name] = changed
    return found


def rows_held(database: Path, tables: list[tuple[str, str]]) -> dict[str, int]:
    """Rows of each table: a table rewritten in full shows twice as many in rows_changed
    (every row gone, as many new)."""
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            name: con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            for schema, name in tables
        }


def exposures_of_expired_policies_changed(
    before: Path, after: Path, month: dt.date
) -> tuple[int, int]:
    """(rows of fct_policy_exposures whose policy expired before `month`, how many of them
    differ between the two builds, processed_at included)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{before}' as before_run (read_only)")
        con.execute(f"attach '{after}' as after_run (read_only)")
        expired = (
            "select * from {db}.main_marts.fct_policy_exposures where policy_id in ("
            "select policy_id from before_run.main_intermediate.int_finance__premium_versions "
            "group by policy_id having max(expiry_date) < ?)"
        )
        left, right = expired.format(db="before_run"), expired.format(db="after_run")
        (rows,) = con.execute(f"select count(*) from ({left})", [month]).fetchone()
        (changed,) = con.execute(
            f"select count(*) from ({left} except all {right})", [month, month]
        ).fetchone()
    return rows, changed


def latest_ingest_date(lake: Path) -> dt.date:
    return max(
        dt.date.fromisoformat(p.name.split("=", 1)[1])
        for p in (lake / "_manifests").glob("ingest_date=*")
    )


def valuation_moves() -> list[str]:
    """How far the valuation date moves after the last batch: into the next month (the
    valuation month closes), and in `make test-slow` also by one day."""
    return ["next month", "one day"] if large_scale() else ["next month"]


@pytest.mark.parametrize("move", valuation_moves())
def test_a_moved_valuation_date_rewrites_no_history_table(
    builds: tuple[Path, Path, Erasure, Mode], tmp_path: Path, move: str
) -> None:
    """A new valuation date with no new data: the incremental build rewrites no row of an
    incremental table (no processed_at changes: nothing is recomputed; only the as-at
    columns kept in place may change) but in the as-at tables, which rewrite fewer rows
    than they hold (only the policies whose rows the date changes), and its as-at cuts
    (views and the tables cut from them) equal a full refresh at the new date."""
    incremental, full, _, project = builds
    lake = incremental.parent / "lake"
    landed = latest_ingest_date(lake)
    if move == "one day":
        moved_to = landed + dt.timedelta(days=1)
    else:
        moved_to = (landed.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    moved_vars = ["--vars", "{valuation_date: '" + moved_to.isoformat() + "'}"]
    moved, rebuilt = tmp_path / "moved.duckdb", tmp_path / "rebuilt.duckdb"
    shutil.copyfile(incremental, moved)
    shutil.copyfile(full, rebuilt)
    shutil.copytree(target_of(incremental), target_of(moved))
    shutil.copytree(target_of(full), target_of(rebuilt))
    build(lake, moved, project, *moved_vars)
    # the full build's tables upstream of the valuation date are already a full refresh
    build(lake, rebuilt, project, "--full-refresh", "--select", "dim_valuation_date+", *moved_vars)
    incremental_tables = incremental_models(moved)
    history = [(schema, name) for schema, name in incremental_tables if name not in AS_AT_TABLES]
    assert history, "no incremental model was built"
    assert {name for _, name in incremental_tables} >= AS_AT_TABLES, "an as-at table is gone"
    assert rows_changed(incremental, moved, history) == {}
    as_at = [(schema, name) for schema, name in incremental_tables if name in AS_AT_TABLES]
    rewritten, held = rows_changed(incremental, moved, as_at), rows_held(incremental, as_at)
    assert all(rewritten.get(name, 0) < 2 * held[name] for name in held), (rewritten, held)
    # the exposures of the policies that expired before the earlier valuation month stay
    expired_rows, expired_changed = exposures_of_expired_policies_changed(
        incremental, moved, landed.replace(day=1)
    )
    assert expired_rows > 0
    assert expired_changed == 0
    schema = {name: schema for schema, name in models(moved)}["dim_valuation_date"]
    with duckdb.connect(str(moved), read_only=True) as con:
        query = f'select valuation_date from "{schema}".dim_valuation_date'
        valuation = con.execute(query).fetchone()
    assert valuation == (moved_to,)
    assert differences(moved, rebuilt) == {}
