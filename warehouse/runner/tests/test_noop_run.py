"""`warehouse run` builds only when there is something to build (warehouse/runner/build_state.py).

On a copy of the project (so that a model can be edited): a first run builds; a second
run with no new data builds nothing (decided without dbt while the lake's files are as
they were; by dbt after staging when a file was touched); a new file in the lake builds
everything; an edited model builds that model and what depends on it, through dbt's
state:modified.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from generator.tests.conftest import faulty_config
from warehouse.runner.build_state import (
    Asked,
    LandingFingerprint,
    SavedState,
    decide_on_code,
    decide_on_data,
)
from warehouse.runner.modes import ROOT, Mode
from warehouse.runner.run import RunReport, run_pipeline
from warehouse.runner.tests.conftest import deliver_manifest

pytestmark = pytest.mark.cost(90)

DBT_FOLDERS = ("models", "macros", "seeds", "snapshots", "tests", "analyses")
EDITED = Path("models", "marts", "claims", "rpt_claims_per_day.sql")


def _copy_project(base: Path) -> Mode:
    for folder in DBT_FOLDERS:
        shutil.copytree(ROOT / folder, base / folder)
    (base / "offline").mkdir()
    shutil.copy(ROOT / "offline" / "dbt_project.yml", base / "offline")
    return Mode("air-gapped", base / "offline", "tests run without hub packages")


def _models(report: RunReport) -> int:
    return sum(report.build_statuses.get("model", {}).values())


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunReport]:
    base = tmp_path_factory.mktemp("noop")
    mode = _copy_project(base / "project")
    lake, database = base / "lake", base / "warehouse.duckdb"
    cfg = faulty_config(policies=300, batches=1, drift_from_batch=None)

    def run(fresh: bool = False) -> RunReport:
        return run_pipeline(
            cfg,
            lake,
            database,
            mode,
            fresh=fresh,
            docs=False,
            freshness=False,
            elementary_report=False,
            say=lambda _m: None,
        )

    reports = {"first": run(fresh=True), "again": run()}
    claims = sorted((lake / "claims").glob("ingest_date=*/*.jsonl"))[-1]
    copy = claims.with_name(claims.stem + "_redelivered.jsonl")
    shutil.copy(claims, copy)
    next_day = (cfg.batch_dates()[-1] + dt.timedelta(days=1)).isoformat()
    deliver_manifest(lake, [copy], next_day)
    reports["new file"] = run()
    reports["after it"] = run()
    # a file touched, not changed: dbt stages (it rehashes the file) and lands nothing
    stamp = copy.stat().st_mtime + 60
    os.utime(copy, (stamp, stamp))
    reports["touched"] = run()
    reports["after the touch"] = run()
    edited = mode.project_dir.parent / EDITED
    edited.write_text(edited.read_text() + "-- edited\n")
    reports["code change"] = run()
    return reports


def test_the_first_run_builds_everything(runs: dict[str, RunReport]) -> None:
    first = runs["first"]
    assert first.ok, first.failures
    assert first.decisions[-1].build
    assert "no successful build" in first.decisions[-1].reason
    assert _models(first) > 30


def test_a_run_with_no_new_data_builds_nothing(runs: dict[str, RunReport]) -> None:
    for name in ("again", "after it", "touched", "after the touch"):
        report = runs[name]
        assert report.ok, report.failures
        assert not report.decisions[-1].build, report.decisions[-1].render()
        assert "no new data" in report.decisions[-1].reason
        assert report.build_statuses == {}
        assert report.batches == []  # nothing generated: every batch is in the lake


def test_an_unchanged_lake_is_decided_without_dbt(runs: dict[str, RunReport]) -> None:
    for name in ("again", "after it", "after the touch"):
        assert "dbt not started" in runs[name].decisions[-1].reason


def test_a_touched_file_is_staged_by_dbt_and_lands_nothing(runs: dict[str, RunReport]) -> None:
    reason = runs["touched"].decisions[-1].reason
    assert "dbt not started" not in reason
    assert "state:modified is empty" in reason


def test_a_new_file_in_the_lake_builds_everything(runs: dict[str, RunReport]) -> None:
    report = runs["new file"]
    assert report.ok, report.failures
    decision = report.decisions[-1]
    assert decision.build and decision.arguments == ()
    assert "new data landed" in decision.reason
    assert _models(report) == _models(runs["first"])


def test_a_code_change_builds_what_it_changed(runs: dict[str, RunReport]) -> None:
    report = runs["code change"]
    assert report.ok, report.failures
    decision = report.decisions[-1]
    assert decision.build
    assert "state:modified+" in decision.arguments
    assert "{full_tests: true}" in decision.arguments  # a changed test judges every row
    assert "rpt_claims_per_day" in decision.reason
    assert 0 < _models(report) < _models(runs["first"])


LANDED = LandingFingerprint(files=5, records=100, last_loaded_at="2026-11-22 06:00:00", issues="")
SAVED = SavedState(Path("state"), LANDED, code="abc")


@pytest.mark.parametrize(
    ("asked", "saved", "landing", "expected"),
    [
        (Asked(force=True), SAVED, LANDED, "--force"),
        (Asked(full_refresh=True), SAVED, LANDED, "--full-refresh"),
        (Asked(full_tests=True), SAVED, LANDED, "--full-tests"),
        (Asked(), SAVED, None, "no landing record"),
        (Asked(), None, LANDED, "no successful build"),
        (
            Asked(),
            SAVED,
            LandingFingerprint(6, 120, "2026-11-23 06:00:00", ""),
            "new data landed",
        ),
        (
            Asked(),
            SAVED,
            LandingFingerprint(5, 100, "2026-11-22 06:00:00", "other"),
            "landing refused",
        ),
    ],
)
def test_what_makes_a_run_build(
    asked: Asked,
    saved: SavedState | None,
    landing: LandingFingerprint | None,
    expected: str,
) -> None:
    decision = decide_on_data(asked, saved, landing)
    assert decision is not None and decision.build
    assert expected in decision.reason
    assert ("--full-refresh" in decision.arguments) == asked.full_refresh


def test_the_same_data_leaves_the_decision_to_the_code() -> None:
    assert decide_on_data(Asked(), SAVED, LANDED) is None
    assert not decide_on_code([], SAVED).build
    changed = decide_on_code(["model.insurance_warehouse.dim_dates"], SAVED)
    assert changed.build and changed.arguments[:2] == ("--select", "state:modified+")
