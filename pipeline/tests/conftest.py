from __future__ import annotations

from pathlib import Path

import pytest

from generator.tests.conftest import faulty_config
from pipeline.modes import ROOT, Mode
from pipeline.run import RunReport, run_pipeline

AIR_GAPPED = Mode("air-gapped", ROOT, "tests run without hub packages")


def pipeline_config():
    """A small, faulty world: every fault kind occurs, over four daily batches."""
    return faulty_config(policies=700, batches=4, drift_from_batch=3)


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, RunReport]:
    """The pipeline run batch by batch on the faulty lake: (lake, database, report)."""
    base = tmp_path_factory.mktemp("warehouse")
    lake, database = base / "lake", base / "warehouse.duckdb"
    report = run_pipeline(
        pipeline_config(), lake, database, AIR_GAPPED, docs=False, say=lambda _m: None
    )
    return lake, database, report
