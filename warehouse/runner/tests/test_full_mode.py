"""Full mode, on the released hub packages: the root project built batch by batch with
dbt-external-tables, dbt-utils, dbt-expectations and Elementary; the Elementary report
rendered offline and opened in a browser; dbt-project-evaluator over the project.

Skipped, saying why, where this machine has no copy of the released packages (a user's
clone: `dbt deps` is the way there)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from generator.tests.conftest import faulty_config
from warehouse.runner.elementary import edr_executable
from warehouse.runner.modes import PACKAGES_VARIABLE, ROOT, full
from warehouse.runner.run import RunReport, render_summary, run_pipeline
from warehouse.runner.tests.conftest import large_scale

pytestmark = pytest.mark.cost(240)  # a full-mode run, the Elementary report, the evaluator

DBT = str(Path(sys.executable).with_name("dbt"))

# dbt-project-evaluator's findings on this project that stay, each with its reason. Any
# other finding fails the test, and so does an exception that no longer occurs.
EVALUATOR_EXCEPTIONS = {
    "fct_rejoining_of_upstream_concepts": {
        "dim_valuation_date": "a one-row parameter read both by a model and by its parent, "
        "never a second path to the same rows",
        "int_claims__versions": "triangles develop each claim version as known at each age; "
        "the origin model gives each claim's accident and underwriting periods once",
        "int_policies__versions": "fct_policy_exposures' pre-hook takes the policies with a "
        "version processed since its last run from it (docs/incremental.md); "
        "rpt_policy_months_wide reads both",
        "int_finance__claim_cessions": "rpt_treaty_months_wide takes each treaty's premium "
        "rate from fct_reinsurance_cessions and its recoveries by loss month from the claim "
        "cessions, which fct_reinsurance_cessions sums per policy without the month",
    },
    "fct_too_many_joins": {
        "rpt_policy_months_wide": "the one big table for BI tools: one row per policy and "
        "month with the attributes of every dimension",
        **dict.fromkeys(
            ("fct_earned_premiums", "fct_earned_premium_schedule"),
            "an incremental run cuts the as-at view's SQL for the policies it recomputes, "
            "from the view's own inputs; a full build reads the view (docs/incremental.md)",
        ),
        "rpt_claims_wide": "the one big table of claims for BI tools: the attributes of every "
        "dimension at the loss date, and the valuation date its as-at rows are set to",
        "fct_claims": "keys each claim to the policy, insured and line versions in force at "
        "the loss date, and reads those entities' version histories for what changed since "
        "its last run (incremental by claim)",
    },
    "fct_model_fanout": {
        "dim_valuation_date": "the one-row valuation date every as-at cut reads, the earned "
        "premium marts among them (docs/incremental.md)",
    },
    # The right to be forgotten (docs/access.md): the suppression list is applied where the
    # raw lines are first read, so that no model keeps an erased insured's records.
    "fct_direct_join_to_source": {
        "base_landing__erased_records": "finds the erased records in the raw lines themselves, "
        "before any model keeps them (seed erasure_requests beside the sources)",
        "landing.insureds": "the base model leaves out the erased records as it reads the lines",
        "landing.policies": "the base model leaves out the erased records as it reads the lines",
        "landing.claims": "the base model leaves out the erased records as it reads the lines",
    },
    "fct_multiple_sources_joined": {
        "base_landing__erased_records": "an insured's records are its own lines, its policies' "
        "and their claims': one erasure spans three sources",
    },
    "fct_source_fanout": {
        "landing.insureds": "read by its base model and by base_landing__erased_records",
        "landing.policies": "read by its base model and by base_landing__erased_records",
        "landing.claims": "read by its base model and by base_landing__erased_records",
    },
    "fct_sources_without_freshness": {
        "landing.specialty_lines": "reference data that changes a few times a year: "
        "no delivery is expected on a given day",
        "landing.reinsurance_treaties": "renewed once a year, re-rated rarely: "
        "no delivery is expected on a given day",
        "landing.landing_issues": "the loader's own record of what it did not land, "
        "rewritten on each run: not a feed",
    },
}
EVALUATOR_SUMMARIES = {
    "fct_documentation_coverage": "documentation_coverage_pct",
    "fct_test_coverage": "test_coverage_pct",
}


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def full_run(
    hub_packages: Path, package_copies, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, RunReport]:
    """A small faulty lake, three daily batches, built in full mode: (lake, database, report)."""
    base = tmp_path_factory.mktemp("full")
    edr_packages = package_copies(base / "edr_packages", "edr")
    policies, batches = (3000, 7) if large_scale() else (400, 3)
    cfg = faulty_config(policies=policies, batches=batches, drift_from_batch=3)
    lake, database = base / "lake", base / "warehouse.duckdb"
    mode = full(hub_packages, "released packages from the shared folder")
    with environment(EDR_DBT_PACKAGES=str(edr_packages)):
        report = run_pipeline(
            cfg, lake, database, mode, docs=False, freshness=False, say=lambda _m: None
        )
    with duckdb.connect(str(database)) as con:
        con.execute("checkpoint")
    return lake, database, report


def test_full_mode_builds_every_batch_with_the_hub_tests(full_run):
    _, database, report = full_run
    assert report.ok, report.failures
    assert len(report.batches) == (7 if large_scale() else 3)
    tests = report.build_statuses["test"]
    assert tests.get("fail", 0) == 0 and tests.get("error", 0) == 0
    with duckdb.connect(str(database)) as con:
        by_package = dict(
            con.execute(
                "select coalesce(nullif(test_namespace, ''), 'project'), count(*) "
                "from main_elementary.dbt_tests group by 1"
            ).fetchall()
        )
    # every hub package contributes tests; the project's own tests run too
    assert by_package.get("dbt_utils", 0) >= 5, by_package
    assert by_package.get("dbt_expectations", 0) >= 20, by_package
    assert by_package.get("elementary", 0) >= 15, by_package
    assert by_package.get("project", 0) >= 150, by_package
    summary = render_summary(report)
    assert "hub-package features: on" in summary
    for warned in report.warnings:  # each warning named with its model and failing rows
        assert warned.render() in summary


def test_no_elementary_metric_falls_in_a_null_bucket(full_run):
    _, database, _ = full_run
    with duckdb.connect(str(database)) as con:
        rows, nulls = con.execute(
            "select count(*), count(*) filter (where bucket_start is null) "
            "from main_elementary.data_monitoring_metrics"
        ).fetchone()
    assert rows > 0
    assert nulls == 0


@pytest.fixture(scope="module")
def elementary_report(full_run) -> Path:
    _, _, report = full_run
    if edr_executable() is None:
        message = "the Elementary CLI is not installed: make elementary-cli"
        if os.environ.get("WAREHOUSE_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    assert report.elementary is not None
    assert report.elementary.produced, report.elementary.reason
    return report.elementary.path


def test_elementary_report_shows_the_run_tests_in_a_browser(full_run, elementary_report, browser):
    _, database, report = full_run
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(elementary_report.as_uri())
        page.get_by_text("Test results breakdown").wait_for(timeout=30_000)
        page.get_by_text("Test Results", exact=True).first.click()
        page.get_by_text(re.compile(r"^All \(\d+\)$")).wait_for(timeout=30_000)
        text = page.inner_text("body")
    finally:
        page.close()
    assert not errors, errors
    counts = {
        label: int(n) for label, n in re.findall(r"(All|Passed|Warnings|Errors) \((\d+)\)", text)
    }
    with duckdb.connect(str(database)) as con:
        tests = con.execute("select count(*) from main_elementary.dbt_tests").fetchone()[0]
    last = report.build_statuses["test"]
    assert counts["All"] >= tests >= sum(last.values())
    assert counts["Errors"] == 0
    assert counts["Warnings"] >= last.get("warn", 0)
    assert "fct_claims" in text or "fx_rates_monthly" in text or "claims" in text


def _evaluator_findings(database: Path) -> tuple[dict[str, set[str]], dict[str, float]]:
    findings: dict[str, set[str]] = {}
    summaries: dict[str, float] = {}
    with duckdb.connect(str(database)) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'main' and table_name like 'fct\\_%' escape '\\'"
            ).fetchall()
        ]
        assert len(tables) >= 25, tables
        for table in tables:
            if table in EVALUATOR_SUMMARIES:
                column = EVALUATOR_SUMMARIES[table]
                value = con.execute(f"select {column} from main.{table}").fetchone()[0]
                summaries[table] = float(value)
                continue
            rows = con.execute(f"select * from main.{table}").fetchall()
            if rows:
                findings[table] = {str(r[0]) for r in rows}
    return findings, summaries


def test_project_evaluator_finds_nothing_but_the_documented_exceptions(
    full_run, package_copies, tmp_path
):
    lake, database, _ = full_run
    packages = package_copies(tmp_path / "dbt_packages", "hub", "evaluator")
    copy = tmp_path / "db" / database.name  # same file name: same catalog name
    copy.parent.mkdir()
    shutil.copy(database, copy)
    done = subprocess.run(
        [
            *(DBT, "run", "--select", "package:dbt_project_evaluator"),
            *("--project-dir", str(ROOT), "--target-path", str(tmp_path / "target")),
            *("--log-path", str(tmp_path / "logs")),
        ],
        env={
            **os.environ,
            "DBT_PROFILES_DIR": str(ROOT),
            "DUCKDB_PATH": str(copy),
            "LAKE_ROOT": str(lake),
            PACKAGES_VARIABLE: str(packages),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    findings, summaries = _evaluator_findings(copy)
    expected = {table: set(names) for table, names in EVALUATOR_EXCEPTIONS.items()}
    assert findings == expected, Counter({t: len(n) for t, n in findings.items()})
    assert summaries == {table: 100.0 for table in EVALUATOR_SUMMARIES}
    print(json.dumps({t: sorted(n) for t, n in findings.items()}, indent=1))
