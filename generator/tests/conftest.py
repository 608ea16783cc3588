from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.config import FaultRates, GeneratorConfig
from generator.generate import generate

AS_OF = dt.date(2026, 11, 22)


def faulty_config(**overrides) -> GeneratorConfig:
    """A small world with every fault kind at a rate high enough to occur in each run."""
    values = dict(
        seed=7,
        as_of=AS_OF,
        batches=5,
        policies=1500,
        history_days=450,
        faults=FaultRates(
            duplicate=0.02,
            out_of_order=0.03,
            malformed=0.01,
            unparsable_value=0.01,
            business_rule=0.02,
            orphan_reference=0.02,
            non_utf8=0.01,
            empty_file=0.3,
            redelivered_file=0.3,
        ),
        drift_from_batch=4,
    )
    values.update(overrides)
    return GeneratorConfig(**values)


@pytest.fixture(scope="session")
def faulty_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("lake")
    reports = generate(faulty_config(), root)
    return root, reports
