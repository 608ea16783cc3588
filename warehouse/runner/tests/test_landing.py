"""Landing attacked with files no generator writes: hostile names, edited and truncated
files, reordered headers, files outside their folders, lines too long, and a staging run
killed at random points. Each file lands exactly once, whole and as its manifest says, or
is refused or left pending with its reason; nothing else stops."""

from __future__ import annotations

import gzip
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from generator.config import FaultRates
from generator.generate import generate
from generator.tests.conftest import faulty_config
from warehouse.dbt import Dbt, dbt_environment
from warehouse.runner.modes import OFFLINE, ROOT
from warehouse.runner.tests.conftest import AIR_GAPPED, deliver_manifest

pytestmark = pytest.mark.cost(60)

DBT = str(Path(sys.executable).with_name("dbt"))
HOSTILE = "x'); drop table landing.claims; --"
NEW_DATE = "2026-11-23"  # a batch after the generated ones (as of 2026-11-22)


def clean_lake(root: Path, batches: int = 2, policies: int = 150) -> Path:
    cfg = replace(
        faulty_config(policies=policies, batches=batches, drift_from_batch=None),
        faults=FaultRates.scaled(0.0),
    )
    generate(cfg, root, workers=1)
    return root


def query(database: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database)) as con:
        return con.execute(sql, parameters or []).fetchall()


def delivered(lake: Path, source: str, name: str, data: bytes) -> Path:
    folder = lake / source / f"ingest_date={NEW_DATE}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def first_file(lake: Path, source: str) -> Path:
    return sorted((lake / source).glob("ingest_date=*/*"))[0]


class Warehouse:
    """dbt in this process over one lake and one database."""

    def __init__(self, lake: Path, database: Path, target: Path) -> None:
        self.lake, self.database = lake, database
        self.dbt = Dbt(AIR_GAPPED, dbt_environment(str(lake), database, target))

    def stage(self):
        outcome = self.dbt.invoke("run-operation", "stage_external_sources")
        assert outcome.success, outcome.failures
        return outcome

    def issues(self) -> dict[str, tuple[str, str]]:
        rows = query(
            self.database, "select file_name, severity, reason from landing._landing_issues"
        )
        return {f: (s, r) for f, s, r in rows}

    def landed(self, table: str, file_name: str) -> int:
        """Records of ``file_name`` in landing table ``table`` (a CSV header is not one)."""
        with duckdb.connect(str(self.database)) as con:
            return con.execute(
                f"select count(*) from landing.{table} where file_name = ? and record_number >= 1",
                [file_name],
            ).fetchone()[0]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    """A clean lake, landed and built, then one more delivery full of hostile files."""
    base = tmp_path_factory.mktemp("hostile")
    lake = clean_lake(base / "lake")
    warehouse = Warehouse(lake, base / "warehouse.duckdb", base / "target")
    warehouse.stage()
    assert warehouse.dbt.invoke("build", "--exclude", "resource_type:test").success

    claims = first_file(lake, "claims").read_bytes()
    lines = claims.splitlines(keepends=True)
    csv = first_file(lake, "specialty_lines").read_text().splitlines()
    header = csv[0].split(",")
    order = list(reversed(range(len(header))))
    reordered = "\n".join(",".join(row.split(",")[i] for i in order) for row in csv) + "\n"
    long_line = b'{"claim_id": "CLM-999999999", "note": "' + b"x" * 3_000_000 + b'"}\n'

    listed = [
        delivered(lake, "claims", f"{HOSTILE}.jsonl", lines[0] + lines[1]),
        delivered(lake, "specialty_lines", "reordered.csv", reordered.encode()),
        delivered(lake, "claims", "long_line.jsonl", lines[2] + long_line + lines[3]),
        delivered(lake, "claims", "glob*.jsonl", lines[8]),  # must not read globbing.jsonl
    ]
    delivered(lake, "claims", "globbing.jsonl", lines[9])  # unlisted: pending
    edited = delivered(lake, "claims", "edited.jsonl", lines[4])
    gz_data = gzip.compress(b"".join(lines[:50]))
    truncated = delivered(lake, "claims", "truncated.jsonl.gz", gz_data)
    deliver_manifest(lake, [*listed, edited, truncated], NEW_DATE)
    edited.write_bytes(lines[4].replace(b"CLM-", b"CLX-"))  # edited after its manifest
    truncated.write_bytes(gz_data[: len(gz_data) // 2])  # cut short in transit
    delivered(lake, "claims", "unlisted.jsonl", lines[5])
    (lake / "claims" / "ingest_date=2026-11-3").mkdir()
    (lake / "claims" / "ingest_date=2026-11-3" / "bad_folder.jsonl").write_bytes(lines[6])
    (lake / "claims" / f"ingest_date={NEW_DATE}" / "nested").mkdir()
    (lake / "claims" / f"ingest_date={NEW_DATE}" / "nested" / "n.jsonl").write_bytes(lines[7])
    (lake / "payments" / "ingest_date=2026-11-23").mkdir(parents=True)
    (lake / "payments" / "ingest_date=2026-11-23" / "p.csv").write_text("a,b\n1,2\n")

    staged = warehouse.stage()
    built = warehouse.dbt.invoke("build")
    return warehouse, staged, built, csv, reordered


def test_a_hostile_file_name_lands_as_data(hostile):
    warehouse, *_ = hostile
    glob = f"claims/ingest_date={NEW_DATE}/glob*.jsonl"
    assert warehouse.landed("claims", glob) == 1  # its own line, not globbing.jsonl's too
    name = f"claims/ingest_date={NEW_DATE}/{HOSTILE}.jsonl"
    assert warehouse.landed("claims", name) == 2
    tables = {t for (t,) in query(warehouse.database, "select table_name from duckdb_tables()")}
    assert "claims" in tables
    records = "select count(*) from landing._landed_files where file_name = ?"
    assert query(warehouse.database, records, [name]) == [(1,)]


def test_files_that_do_not_match_their_manifest_are_refused_and_fail_the_build(hostile):
    warehouse, _, built, *_ = hostile
    issues = warehouse.issues()
    for name in ("edited.jsonl", "truncated.jsonl.gz"):
        path = f"claims/ingest_date={NEW_DATE}/{name}"
        severity, reason = issues[path]
        assert severity == "error" and reason.startswith("refused:"), reason
        assert warehouse.landed("claims", path) == 0
    failed = [f for f in built.failures if "assert_no_file_refused_at_landing" in f]
    assert failed, built.failures


def test_unlisted_misplaced_and_unknown_files_are_warnings_and_the_rest_lands(hostile):
    warehouse, *_ = hostile
    issues = warehouse.issues()
    assert issues[f"claims/ingest_date={NEW_DATE}/unlisted.jsonl"][0] == "warn"
    assert "pending" in issues[f"claims/ingest_date={NEW_DATE}/unlisted.jsonl"][1]
    assert "not directly" in issues[f"claims/ingest_date={NEW_DATE}/nested/n.jsonl"][1]
    assert "folder name" in issues["claims/ingest_date=2026-11-3/bad_folder.jsonl"][1]
    assert "no source reads" in issues["payments/"][1]
    assert warehouse.landed("claims", f"claims/ingest_date={NEW_DATE}/long_line.jsonl") == 3


def test_a_reordered_header_gives_the_same_values(hostile):
    warehouse, *_ = hostile
    rows = query(
        warehouse.database,
        "select file_name, line_code, line_name, line_group, is_active, record_status, "
        "updated_at, quarantine_reason from main_staging.base_landing__specialty_lines",
    )
    reordered = {r[1:] for r in rows if r[0].endswith("reordered.csv")}
    original = {r[1:] for r in rows if not r[0].endswith("reordered.csv")}
    assert reordered and reordered <= original
    assert all(r[-1] is None for r in reordered)


def test_a_line_too_long_is_quarantined_as_such(hostile):
    warehouse, *_ = hostile
    reasons = query(
        warehouse.database,
        "select quarantine_reason from main_staging.base_landing__claims "
        f"where file_name = 'claims/ingest_date={NEW_DATE}/long_line.jsonl' and record_number = 2",
    )
    assert reasons and reasons[0][0].startswith("line too long"), reasons


def test_a_file_changed_after_it_landed_is_reported_and_its_rows_stay(tmp_path):
    lake = clean_lake(tmp_path / "lake", batches=1)
    warehouse = Warehouse(lake, tmp_path / "warehouse.duckdb", tmp_path / "target")
    warehouse.stage()
    path = first_file(lake, "policies")
    name = path.relative_to(lake).as_posix()
    before = warehouse.landed("policies", name)
    path.write_bytes(path.read_bytes() + path.read_bytes().splitlines(keepends=True)[0])
    warehouse.stage()
    severity, reason = warehouse.issues()[name]
    assert severity == "error" and "changed after it landed" in reason
    assert warehouse.landed("policies", name) == before


def test_a_pending_file_lands_when_its_manifest_arrives(tmp_path):
    lake = clean_lake(tmp_path / "lake", batches=1)
    warehouse = Warehouse(lake, tmp_path / "warehouse.duckdb", tmp_path / "target")
    warehouse.stage()
    data = first_file(lake, "claims").read_bytes()
    path = delivered(lake, "claims", "late.jsonl", data)
    warehouse.stage()
    name = path.relative_to(lake).as_posix()
    assert "pending" in warehouse.issues()[name][1]
    deliver_manifest(lake, [path], NEW_DATE)
    warehouse.stage()
    assert name not in warehouse.issues()
    assert warehouse.landed("claims", name) == data.count(b"\n")


def _stage_command(lake: Path, database: Path, target: Path) -> tuple[list[str], dict[str, str]]:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "LAKE_ROOT": str(lake),
        "DUCKDB_PATH": str(database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    argv = [
        DBT,
        "--quiet",
        "run-operation",
        "stage_external_sources",
        "--project-dir",
        str(OFFLINE),
    ]
    return [*argv, "--target-path", str(target)], env


def test_staging_killed_at_random_points_lands_every_file_exactly_once(tmp_path):
    lake = clean_lake(tmp_path / "lake", batches=4, policies=300)
    database, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    argv, env = _stage_command(lake, database, target)
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)  # times a whole run
    whole = time.perf_counter() - started
    database.unlink()
    database.with_name(database.name + ".wal").unlink(missing_ok=True)
    rng = random.Random(13)
    kills = 5 if os.environ.get("WAREHOUSE_TEST_SCALE") != "large" else 25
    for _ in range(kills):
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, whole))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    files = sorted(p for p in lake.glob("*/ingest_date=*/*") if not p.parts[-3].startswith("_"))
    for path in files:
        name = path.relative_to(lake).as_posix()
        table = name.split("/")[0]
        lines = path.read_bytes().count(b"\n") - (1 if path.suffix == ".csv" else 0)
        landed = query(
            database,
            f"select count(*), count(distinct record_number) from landing.{table} "
            "where file_name = ? and record_number >= 1",
            [name],
        )[0]
        assert landed == (lines, lines), name
        records = "select count(*) from landing._landed_files where file_name = ?"
        assert query(database, records, [name]) == [(1,)], name
    shutil.rmtree(lake)
