"""Incremental = full: a faulty lake built batch by batch incrementally (stage, then build,
after each batch, as `warehouse run` does) gives the same tables, row for row, as the same
lake built once with `dbt build --full-refresh`.

The batches land out of order (the second batch after the third: a late file with an older
ingest date), over a lake with late and out-of-order versions, duplicates, re-delivered files,
late parents and schema drift; then a second delivery on the last day amends treaties (a
change that fans out to every policy and claim ceded to them, with the valuation date
unchanged, so the models cut at it take the increment too). Every model is compared both
ways with EXCEPT ALL; only the audit columns that record when a run processed a row differ,
and they are listed here.
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
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from generator.generate import generate
from generator.tests.conftest import faulty_config
from pipeline.dbt import dbt_environment
from pipeline.tests.conftest import AIR_GAPPED, deliver_manifest, large_scale

# Columns that say when a dbt run processed the row: the only columns allowed to differ.
AUDIT_COLUMNS = frozenset({"processed_at"})
# The as-at columns an incremental model keeps up to date in place when the valuation date
# moves (a post-hook updates the rows whose value changed; docs/incremental.md): the only
# columns a moved valuation date may change in an incremental table.
AS_AT_COLUMNS = {"fct_policy_premiums": frozenset({"is_written_to_date"})}
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
    compact = ingest_date.replace("-", "")
    folder = lake / "reinsurance_treaties" / f"ingest_date={ingest_date}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"reinsurance_treaties_{compact}T230000Z_0001.csv"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(amended)
    path.write_text(out.getvalue())
    deliver_manifest(lake, [path], ingest_date, batch_number=98)


def build(lake: Path, database: Path, *extra: str) -> None:
    """Stage the lake, then build (tables only: the tests run on the batch-by-batch warehouse
    of the pipeline tests). In a process of its own: dbt-duckdb keeps the file open in the
    process that ran it, and the comparison attaches both files."""
    env = {
        **os.environ,
        **dbt_environment(str(lake.resolve()), database.resolve(), target_of(database)),
        **AIR_GAPPED.environment(),
    }
    dbt = str(Path(sys.executable).parent / "dbt")
    project = ["--project-dir", str(AIR_GAPPED.project_dir)]
    for command in (
        ["run-operation", "stage_external_sources"],
        ["build", "--exclude-resource-type", "test", "unit_test", *extra],
    ):
        done = subprocess.run(
            [dbt, "--quiet", *command, *project], env=env, capture_output=True, text=True
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


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(incremental database, full database) over the same lake."""
    base = tmp_path_factory.mktemp("incremental_equals_full")
    cfg, lake = comparison_config(), base / "lake"
    incremental, full = base / "incremental.duckdb", base / "rebuilt.duckdb"
    for number in landing_order(cfg.batches):
        generate(cfg, lake, [number], workers=1)
        build(lake, incremental)
    deliver_treaty_amendment(lake)
    build(lake, incremental)
    build(lake, full, "--full-refresh")
    return incremental, full


def test_an_incremental_build_equals_a_full_build(builds: tuple[Path, Path]) -> None:
    incremental, full = builds
    assert models(full), "no model was built"
    assert differences(incremental, full) == {}


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
    builds: tuple[Path, Path], tmp_path: Path, move: str
) -> None:
    """A new valuation date with no new data: the incremental build rewrites no row of an
    incremental table (no processed_at changes: nothing is recomputed; only the as-at
    columns kept in place may change), and its as-at cuts (views and the tables cut from
    them) equal a full refresh at the new date."""
    incremental, full = builds
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
    build(lake, moved, *moved_vars)
    # the full build's tables upstream of the valuation date are already a full refresh
    build(lake, rebuilt, "--full-refresh", "--select", "dim_valuation_date+", *moved_vars)
    history = incremental_models(moved)
    assert history, "no incremental model was built"
    assert rows_changed(incremental, moved, history) == {}
    schema = {name: schema for schema, name in models(moved)}["dim_valuation_date"]
    with duckdb.connect(str(moved), read_only=True) as con:
        query = f'select valuation_date from "{schema}".dim_valuation_date'
        valuation = con.execute(query).fetchone()
    assert valuation == (moved_to,)
    assert differences(moved, rebuilt) == {}
