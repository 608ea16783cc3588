from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from generator.tests.conftest import faulty_config
from pipeline.modes import ROOT, Mode
from pipeline.run import RunReport, run_pipeline

AIR_GAPPED = Mode("air-gapped", ROOT, "tests run without hub packages")


def pipeline_config():
    """A small, faulty world: every fault kind occurs, over four daily batches, with
    enough orphans that some parents arrive late within the run."""
    cfg = faulty_config(policies=700, batches=4, drift_from_batch=3)
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
