"""The semantic layer: `mf validate-configs` once, and every metric, queried by name
through MetricFlow's engine in-process on the pipeline's warehouse, equals a SQL of its
own over the marts at two groupings or more (by year, by line group, ...)."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from warehouse.dashboard.metrics import Metrics, duckdb_metrics
from warehouse.runner.modes import OFFLINE, ROOT
from warehouse.runner.publish import DATABASE, SEMANTIC_MANIFEST

pytestmark = pytest.mark.cost(15)

MARTS = "main_marts"
YEAR, LINE_GROUP, COUNTRY = "metric_time__year", "policy__line_group", "policy__country"
TREATY_TYPE, REINSURER = "cession__treaty_type", "cession__reinsurer"

# measure -> (mart, month column, value)
MEASURES = {
    "written": ("rpt_policy_months_wide", "report_month", "written_premium_usd"),
    "ceded_written": ("rpt_treaty_months_wide", "report_month", "ceded_written_premium_usd"),
    "earned": ("rpt_policy_months_wide", "report_month", "earned_premium_usd"),
    "net_earned": ("rpt_policy_months_wide", "report_month", "net_earned_premium_usd"),
    "unearned": ("rpt_policy_months_wide", "report_month", "unearned_premium_usd"),
    "in_force": (
        "rpt_policy_months_wide",
        "report_month",
        "case when is_in_force_at_month_end then 1 else 0 end",
    ),
    "exposure": ("rpt_policy_months_wide", "report_month", "earned_exposure_years"),
    "paid": ("rpt_claims_wide", "loss_month", "paid_amount_usd"),
    "gross_incurred": ("rpt_claims_wide", "loss_month", "gross_incurred_loss_usd"),
    "net_incurred": ("rpt_claims_wide", "loss_month", "net_incurred_loss_usd"),
    "claims": ("rpt_claims_wide", "loss_month", "claim_count"),
}
BALANCES = {"unearned", "in_force"}

# metric -> how it is made of measures, and the groupings it is checked at
SUM, DIFFERENCE, RATIO = "sum", "difference", "ratio"
COMMON = (YEAR, LINE_GROUP)
METRICS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "gross_written_premium": (SUM, ("written",), (*COMMON, COUNTRY)),
    "ceded_written_premium": (SUM, ("ceded_written",), (*COMMON, TREATY_TYPE, REINSURER)),
    "net_written_premium": (DIFFERENCE, ("written", "ceded_written"), COMMON),
    "gross_earned_premium": (SUM, ("earned",), COMMON),
    "net_earned_premium": (SUM, ("net_earned",), COMMON),
    "unearned_premium": (SUM, ("unearned",), COMMON),
    "policies_in_force": (SUM, ("in_force",), (*COMMON, COUNTRY)),
    "earned_exposure": (SUM, ("exposure",), COMMON),
    "paid_loss": (SUM, ("paid",), COMMON),
    "gross_incurred_loss": (SUM, ("gross_incurred",), COMMON),
    "net_incurred_loss": (SUM, ("net_incurred",), COMMON),
    "claim_count": (SUM, ("claims",), (*COMMON, "policy__insured_type")),
    "gross_loss_ratio": (RATIO, ("gross_incurred", "earned"), (*COMMON, "policy__line")),
    "net_loss_ratio": (RATIO, ("net_incurred", "net_earned"), COMMON),
    "claim_frequency": (RATIO, ("claims", "exposure"), (*COMMON, COUNTRY)),
    "claim_severity": (RATIO, ("gross_incurred", "claims"), COMMON),
    "ceded_share_of_premium": (RATIO, ("ceded_written", "written"), COMMON),
}
POLICY_COLUMNS = {
    LINE_GROUP: "line_group",
    COUNTRY: "insured_country_code",
    "policy__line": "line_code",
    "policy__insured_type": "insured_type",
}
CESSION_COLUMNS = {TREATY_TYPE: "treaty_type", REINSURER: "reinsurer_name"}


def _key(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)[:10]


def measure_by(metrics: Metrics, measure: str, grouping: str) -> dict[str | None, float]:
    """The measure's sum per group, by SQL of its own over the marts. A balance counts the
    rows of the last month: of each year by year, of the whole book otherwise."""
    table, month, value = MEASURES[measure]
    join = ""
    if grouping == YEAR:
        key = f"date_trunc('year', facts.{month})"
    elif grouping in POLICY_COLUMNS:
        key = f"policies.{POLICY_COLUMNS[grouping]}"
        join = f"left join {MARTS}.dim_policies_current as policies using (policy_id)"
    else:
        key = f"facts.{CESSION_COLUMNS[grouping]}"
    where = ""
    if measure in BALANCES:
        last = (
            f"(select max(months.{month}) from {MARTS}.{table} as months "
            f"where date_trunc('year', months.{month}) = date_trunc('year', facts.{month}))"
            if grouping == YEAR
            else f"(select max({month}) from {MARTS}.{table})"
        )
        where = f"where facts.{month} = {last}"
    frame = metrics.sql(
        f"select {key} as k, sum({value}) as v from {MARTS}.{table} as facts {join} "
        f"{where} group by 1"
    )
    return {_key(k): float(v) for k, v in zip(frame["k"], frame["v"], strict=True)}


def expected(metrics: Metrics, metric: str, grouping: str) -> dict[str | None, float | None]:
    kind, measures, _ = METRICS[metric]
    parts = [measure_by(metrics, m, grouping) for m in measures]
    if kind == SUM:
        return dict(parts[0])
    keys = set(parts[0]) | set(parts[1])
    if kind == DIFFERENCE:
        return {k: parts[0].get(k, 0.0) - parts[1].get(k, 0.0) for k in keys}
    return {
        k: None if not parts[1].get(k) or k not in parts[0] else parts[0][k] / parts[1][k]
        for k in keys
    }


def _equal(a: float | None, b: float | None) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or math.isnan(a)) and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@pytest.fixture(scope="module")
def metrics(warehouse) -> Metrics:
    _, _, report = warehouse
    assert report.published is not None, report.failures
    return duckdb_metrics(report.published / DATABASE, report.published / SEMANTIC_MANIFEST)


def test_exactly_the_seventeen_metrics_each_with_label_and_description(warehouse):
    _, _, report = warehouse
    manifest = json.loads((report.published / SEMANTIC_MANIFEST).read_text())
    defined = {m["name"]: m for m in manifest["metrics"]}
    assert set(defined) == set(METRICS)
    for name, metric in defined.items():
        assert metric.get("label") and metric.get("description"), name
    for name in ("gross_loss_ratio", "net_loss_ratio"):
        assert "accident-period basis" in defined[name]["description"].lower()


@pytest.mark.parametrize(
    ("metric", "grouping"),
    [(metric, grouping) for metric, (_, _, groupings) in METRICS.items() for grouping in groupings],
)
def test_metric_equals_the_marts(metrics: Metrics, metric: str, grouping: str):
    frame = metrics.query([metric], [grouping])
    got = {
        _key(k): (None if v is None else float(v))
        for k, v in zip(frame[grouping], frame[metric], strict=True)
    }
    want = expected(metrics, metric, grouping)
    assert set(got) == set(want), (metric, grouping)
    differ = {k: (got[k], want[k]) for k in want if not _equal(got[k], want[k])}
    assert not differ, (metric, grouping, differ)
    assert any(v for v in want.values()), f"{metric} by {grouping}: nothing to compare"


def test_a_balance_is_its_last_month_end_not_the_sum_of_its_months(metrics: Metrics):
    by_year = metrics.query(["unearned_premium", "policies_in_force"], [YEAR])
    by_month = metrics.query(["unearned_premium", "policies_in_force"], ["metric_time__month"])
    last_year = max(by_year[YEAR])
    months = by_month[by_month["metric_time__month"].map(lambda d: d.year == last_year.year)]
    last = months[months["metric_time__month"] == max(months["metric_time__month"])]
    for name in ("unearned_premium", "policies_in_force"):
        year_value = float(by_year[by_year[YEAR] == last_year][name].iloc[0])
        assert year_value == pytest.approx(float(last[name].iloc[0]))
        assert year_value < float(months[name].sum())


def test_mf_validate_configs_passes_on_the_warehouse(warehouse, tmp_path: Path):
    """The `mf` command itself, once (it costs seconds): the semantic manifest's rules
    and its queries against the warehouse (a copy: `mf` opens it read-write)."""
    _, _, report = warehouse
    database = tmp_path / DATABASE
    shutil.copyfile(report.published / DATABASE, database)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("mf")), "validate-configs"],
        cwd=OFFLINE,
        env={**os.environ, "DBT_PROFILES_DIR": str(ROOT), "DUCKDB_PATH": str(database)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "ERRORS: 0" in output and "Successfully validated metrics against data warehouse" in (
        output
    ), output


# saved query -> (the dbt model built from it, saved query's group-by -> model column)
SAVED_QUERY_MODELS = {
    "book_by_line_group": ("rpt_book_by_line_group", {LINE_GROUP: "line_group"}),
    "loss_ratio_by_line_year": (
        "rpt_loss_ratio_by_line_year",
        {"policy__line": "line_code", YEAR: "year_start"},
    ),
    "frequency_severity_by_line_group_year": (
        "rpt_frequency_severity_by_line_group_year",
        {LINE_GROUP: "line_group", YEAR: "year_start"},
    ),
    "ceded_by_reinsurer": (
        "rpt_ceded_by_reinsurer",
        {REINSURER: "reinsurer_name", TREATY_TYPE: "treaty_type"},
    ),
}


def _float(value: object) -> float | None:
    if value is None or pd.isna(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


@pytest.mark.parametrize("saved_query", sorted(SAVED_QUERY_MODELS))
def test_the_model_built_from_a_saved_query_equals_it(metrics: Metrics, saved_query: str):
    model, columns = SAVED_QUERY_MODELS[saved_query]
    answer = metrics.query(saved_query=saved_query)
    table = metrics.sql(f"select * from {MARTS}.{model}")
    names = [c for c in answer.columns if c not in columns]
    assert set(table.columns) == set(columns.values()) | set(names)

    def rows(frame, keys):
        return {
            tuple(_key(v) for v in row[list(keys)]): {n: _float(row[n]) for n in names}
            for _, row in frame.iterrows()
        }

    got, want = rows(table, columns.values()), rows(answer, columns.keys())
    assert set(got) == set(want) and len(got) == len(table)
    differ = {
        (k, n): (got[k][n], want[k][n])
        for k in want
        for n in names
        if not _equal(got[k][n], want[k][n])
    }
    assert not differ, differ
