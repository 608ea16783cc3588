"""The DAG on a Snowflake emulator (fakesnow) equals the DuckDB build, mart by mart.

One emulator session (two dbt builds on fakesnow, about 2.5 minutes) over the lake of
the pipeline test's DuckDB warehouse; the statements it sent are checked as Snowflake SQL
(warehouse/checks/sent_sql.py). docs/snowflake-emulator.md says what this proves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.checks import emulator as emu
from warehouse.checks import sent_sql
from warehouse.checks import snowflake_sql as sf
from warehouse.runner.run import RunReport

pytestmark = pytest.mark.cost(300)  # the shared warehouse build, then three builds on fakesnow


@pytest.fixture(scope="session")
def emulated(
    warehouse: tuple[Path, Path, RunReport], tmp_path_factory: pytest.TempPathFactory
) -> emu.EmulatorResult:
    lake, _database, report = warehouse
    assert report.ok, report.failures
    return emu.run_emulator(lake, tmp_path_factory.mktemp("emulator"))


def test_every_emulator_run_succeeds(emulated: emu.EmulatorResult) -> None:
    assert emu.run_problems(emulated) == []
    assert [run["success"] for run in emulated.runs[:2]] == [True, True]
    first, second, snapshots = emulated.runs
    assert not snapshots["must_succeed"]
    assert first["statuses"]["model"] == second["statuses"]["model"]
    assert first["statuses"].get("snapshot"), "the first build creates the snapshots"
    assert first["statuses"]["unit_test"].get("pass", 0) > 0


def test_every_mart_equals_the_duckdb_build(
    emulated: emu.EmulatorResult, warehouse: tuple[Path, Path, RunReport]
) -> None:
    _lake, database, _report = warehouse
    comparisons = emu.compare(emu.duckdb_figures(database, list(emulated.marts)), emulated.marts)
    print(emu.render(comparisons, emulated))
    assert len(comparisons) >= 20
    assert all(c.rows_duckdb for c in comparisons), "a mart is empty: nothing was compared"
    assert [c for c in comparisons if not c.equal] == []
    assert sum(c.sums_compared for c in comparisons) > 100


def test_staging_is_populated_and_parsed(emulated: emu.EmulatorResult) -> None:
    assert emu.staging_problems(emulated) == []
    assert emulated.staging["stg_landing__claims"] > 0


def test_claim_movements_appear_after_a_first_build_without_claims(
    emulated: emu.EmulatorResult,
) -> None:
    """An incremental model whose first build saw no claim (an empty stage on day one)
    must not keep a NULL watermark: the next build brings every claim version in."""
    first, second, _snapshots = emulated.runs
    assert first["landed"]["claims"] == 0
    assert first["marts_rows"]["fct_claim_movements"] == 0
    assert second["landed"]["claims"] > 0
    assert second["marts_rows"]["fct_claim_movements"] > 0
    assert (
        emulated.marts["fct_claim_movements"]["rows"] == second["marts_rows"]["fct_claim_movements"]
    )


def test_what_dbt_build_sent_is_snowflake_sql(emulated: emu.EmulatorResult) -> None:
    statements = sent_sql.load_statements(emulated.work_dir / "statements.jsonl")
    report = sent_sql.check_statements(statements, sf.load_allowed_functions(), "raw/")
    assert report.problems == {}, sent_sql.render_problems(report.problems)
    for kind in (
        *("contract probe", "table", "incremental delete", "insert", "test"),
        "snapshot merge",
    ):
        assert report.kinds[kind] > 0, (kind, report.kinds)
    assert report.kinds["unit-test fixture"] > 0


# --- the guards, planted --------------------------------------------------------------------


def _result(staging: dict[str, int], landed: int) -> emu.EmulatorResult:
    run = {"label": "r", "success": True, "landed": {"claims": landed}, "problems": []}
    return emu.EmulatorResult([run], {}, staging, 0, [], 0.0, Path("."))


def test_empty_staging_fails_the_emulator_run() -> None:
    empty = _result({"stg_landing__claims": 0, "stg_landing__policies": 5}, 5)
    assert emu.staging_problems(empty) == ["stg_landing__claims is empty"]
    not_built = _result({"stg_landing__claims": None, "stg_landing__policies": 5}, 5)
    assert emu.staging_problems(not_built) == ["stg_landing__claims was not built"]
    withheld = _result({"stg_landing__claims": 0, "stg_landing__policies": 5}, 5)
    withheld.runs[-1]["withheld_sources"] = ["claims"]
    assert emu.staging_problems(withheld) == []


def test_mostly_quarantined_staging_fails_the_emulator_run() -> None:
    quarantined = _result(
        {"stg_landing__claims": 3, "stg_landing__policies": 3, "stg_landing__quarantine": 900},
        1000,
    )
    assert "parsing is broken" in emu.staging_problems(quarantined)[0]


def test_a_mart_that_differs_is_reported() -> None:
    duck = {"fct_claims": {"rows": 2, "sums": {"paid_amount": "10.00"}}}
    same = emu.compare(duck, {"fct_claims": {"rows": 2, "sums": {"paid_amount": "10.00"}}})
    assert same[0].equal
    off = emu.compare(duck, {"fct_claims": {"rows": 2, "sums": {"paid_amount": "10.02"}}})
    assert off[0].differences == ["sum(paid_amount) 10.00 != 10.02"]
    missing = emu.compare(duck, {})
    assert missing[0].differences == ["missing on the emulator"]
