from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from generator.tests.conftest import faulty_config
from pipeline.modes import air_gapped
from pipeline.run import RunReport, run_pipeline

AIR_GAPPED = air_gapped("tests run without hub packages")


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
