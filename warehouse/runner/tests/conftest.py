from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from generator.manifest import Manifest, ManifestFile, sha256_bytes
from generator.tests.conftest import faulty_config
from warehouse.runner.modes import air_gapped
from warehouse.runner.run import RunReport, run_pipeline

AIR_GAPPED = air_gapped("tests run without hub packages")


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


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, RunReport]:
    """The pipeline run batch by batch on the faulty lake: (lake, database, report)."""
    base = tmp_path_factory.mktemp("warehouse")
    lake, database = base / "lake", base / "warehouse.duckdb"
    report = run_pipeline(
        pipeline_config(), lake, database, AIR_GAPPED, docs=False, say=lambda _m: None
    )
    with duckdb.connect(str(database)) as con:
        con.execute("checkpoint")  # the runner's dbt connection is still open in-process
    return lake, database, report
