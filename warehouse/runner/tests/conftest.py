from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import duckdb
import pytest

from generator.manifest import Manifest, ManifestFile, sha256_bytes
from generator.tests.conftest import faulty_config
from warehouse.runner.modes import air_gapped
from warehouse.runner.run import RunReport, run_pipeline

AIR_GAPPED = air_gapped("tests run without hub packages")
T = TypeVar("T")


def deliver_manifest(
    lake: Path, files: list[Path], ingest_date: str, batch_number: int = 99
) -> Path:
    """A manifest in ``ingest_date``'s folder listing ``files`` as they are now: what a
    source system writes when it delivers (or re-delivers) them."""
    listed = []
    for path in files:
        data = path.read_bytes()
        header = 1 if path.name.endswith((".csv", ".csv.gz")) else 0
        relative = path.relative_to(lake).as_posix()
        listed.append(
            ManifestFile(
                source=relative.split("/")[0],
                path=relative,
                rows=data.count(b"\n") - header,
                bytes=len(data),
                sha256=sha256_bytes(data),
            )
        )
    manifest = Manifest(f"batch-{batch_number:04d}", batch_number, ingest_date, listed)
    folder = lake / "_manifests" / f"ingest_date={ingest_date}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{manifest.batch_id}.json"
    path.write_text(manifest.to_json())
    return path


def large_scale() -> bool:
    """`make test-slow` (WAREHOUSE_TEST_SCALE=large): the pipeline checks at full scale;
    `make test` runs them at smoke scale."""
    return os.environ.get("WAREHOUSE_TEST_SCALE", "smoke") == "large"


def pipeline_config():
    """A small, faulty world: every fault kind occurs, over four daily batches, with
    enough orphans that some parents arrive late within the run."""
    policies, batches = (3000, 6) if large_scale() else (700, 4)
    cfg = faulty_config(policies=policies, batches=batches, drift_from_batch=3)
    return replace(cfg, faults=replace(cfg.faults, orphan_reference=0.08))


def shared_build(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]
) -> tuple[Path, T]:
    """``build(folder)`` once per test run, whatever the number of xdist workers, and a
    copy of its folder for this worker: (the copy, what ``build`` returned).

    Under xdist the build goes to the run's folder, which every worker of the run sees; the
    first worker to ask builds it while holding a lock, the others wait for it and read
    what it returned from disk (a pickle). Every worker then works on its own copy of the
    folder, so that no two processes open the same DuckDB file."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if worker else base) / f"shared-{name}"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = shared / "result.pickle"
        if not result.exists():
            built = build(shared / "build")
            result.write_bytes(pickle.dumps(built))
        built = pickle.loads(result.read_bytes())
    copy = tmp_path_factory.mktemp(name) / "build"
    shutil.copytree(shared / "build", copy, symlinks=True)
    return copy, built


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, RunReport]:
    """The pipeline run batch by batch on the faulty lake: (lake, database, report).

    Built once per test run (:func:`shared_build`); each xdist worker gets a copy of the
    lake, the database and its published copy."""

    def build(base: Path) -> RunReport:
        lake, database = base / "lake", base / "warehouse.duckdb"
        report = run_pipeline(
            pipeline_config(), lake, database, AIR_GAPPED, docs=False, say=lambda _m: None
        )
        with duckdb.connect(str(database)) as con:
            con.execute("checkpoint")  # the runner's dbt connection is still open in-process
        return replace(report, published=report.published and report.published.relative_to(base))

    base, report = shared_build(tmp_path_factory, "warehouse", build)
    report = replace(report, published=report.published and base / report.published)
    return base / "lake", base / "warehouse.duckdb", report
