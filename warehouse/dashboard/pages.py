"""The dashboard's pages: each reads the metrics by name (MetricFlow, in-process) and, for
what lists rows (triangles, large losses, data quality), the marts themselves."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from warehouse.dashboard.filters import Filters
from warehouse.dashboard.metrics import STAGING_SCHEMA, Metrics

YEAR = "metric_time__year"
RATIOS = {
    "gross_loss_ratio",
    "net_loss_ratio",
    "ceded_share_of_premium",
    "claim_frequency",
}
LABELS = {
    "gross_written_premium": "Gross written premium",
    "net_written_premium": "Net written premium",
    "ceded_written_premium": "Ceded written premium",
    "gross_earned_premium": "Gross earned premium",
    "net_earned_premium": "Net earned premium",
    "unearned_premium": "Unearned premium",
    "paid_loss": "Paid loss",
    "gross_incurred_loss": "Gross incurred loss",
    "net_incurred_loss": "Net incurred loss",
    "gross_loss_ratio": "Gross loss ratio",
    "net_loss_ratio": "Net loss ratio",
    "claim_count": "Claim count",
    "claim_frequency": "Claim frequency",
    "claim_severity": "Claim severity",
    "ceded_share_of_premium": "Ceded share of premium",
    "policies_in_force": "Policies in force",
    "earned_exposure": "Earned exposure",
    "recoveries": "Recoveries",
}
GROUP_LABELS = {
    YEAR: "Year",
    "policy__line": "Line",
    "policy__line_group": "Line group",
    "cession__reinsurer": "Reinsurer",
    "cession__treaty_type": "Treaty type",
    "claim__cause_of_loss": "Cause of loss",
    "metric_time__month": "Month",
}


def figure(metric: str, value: object, compact: bool = False) -> str:
    """How a metric's value is shown (the browser test reads the same text); compact:
    amounts in millions (the figures at the top of a page)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    number = float(value)  # type: ignore[arg-type]
    if compact and metric not in RATIOS | {"claim_count", "policies_in_force", "earned_exposure"}:
        return f"{number / 1e6:,.2f}m"
    if metric in {"gross_loss_ratio", "net_loss_ratio", "ceded_share_of_premium"}:
        return f"{number:.1%}"
    if metric == "claim_frequency":
        return f"{number:.3f}"
    if metric in {"claim_count", "policies_in_force"}:
        return f"{number:,.0f}"
    if metric == "earned_exposure":
        return f"{number:,.1f}"
    return f"{number:,.0f}"


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A metrics frame as text: periods as years or months, figures formatted."""
    out = pd.DataFrame()
    for column in frame.columns:
        values = frame[column]
        if column == YEAR:
            out["Year"] = [str(v)[:4] for v in values]
        elif column == "metric_time__month":
            out["Month"] = [str(v)[:7] for v in values]
        elif column in LABELS:
            out[LABELS[column]] = [figure(column, v) for v in values]
        else:
            out[GROUP_LABELS.get(column, column)] = values.astype(str)
    return out


@dataclass(frozen=True)
class Context:
    metrics: Metrics
    filters: Filters
    facts: dict

    def query(self, metrics: list[str], group_by: Sequence[str] = (), **kwargs) -> pd.DataFrame:
        order = kwargs.pop("order_by", list(group_by))
        return self.metrics.query(
            metrics, group_by, where=self.filters.where(), order_by=order, **kwargs
        )


def book(ctx: Context) -> None:
    valuation = ctx.metrics.sql(
        f"select valuation_date from {ctx.metrics.relation('dim_valuation_date')}"
    )
    date = str(valuation["valuation_date"].iloc[0])[:10] if len(valuation) else "?"
    st.header("The book at the valuation date")
    st.caption(
        f"As at {date}: premium written and earned, losses incurred (accident-period basis) "
        "and loss ratios to date; unearned premium and policies in force at the last month-end."
    )
    names = [
        "gross_written_premium",
        "net_written_premium",
        "gross_earned_premium",
        "net_earned_premium",
        "gross_incurred_loss",
        "net_incurred_loss",
        "gross_loss_ratio",
        "net_loss_ratio",
        "unearned_premium",
        "policies_in_force",
    ]
    totals = ctx.query(names)
    row = totals.iloc[0] if len(totals) else {}
    for start in range(0, len(names), 5):
        for column, name in zip(st.columns(5), names[start : start + 5], strict=False):
            column.metric(LABELS[name], figure(name, row.get(name), compact=True))
    st.subheader("By line group")
    st.table(shown(ctx.query(names, ["policy__line_group"])))


def loss_ratios(ctx: Context) -> None:
    st.header("Loss ratio by line and period")
    st.caption("Accident-period basis: incurred on the losses of the year / premium earned in it.")
    by_year = ctx.query(["gross_loss_ratio", "net_loss_ratio"], [YEAR])
    chart = by_year.assign(year=[str(v)[:4] for v in by_year[YEAR]]).set_index("year")
    st.bar_chart(chart[["gross_loss_ratio", "net_loss_ratio"]], stack=False)
    st.table(shown(by_year))
    st.subheader("By line and year")
    st.table(
        shown(
            ctx.query(
                [
                    "gross_earned_premium",
                    "gross_incurred_loss",
                    "gross_loss_ratio",
                    "net_loss_ratio",
                ],
                ["policy__line", YEAR],
            )
        )
    )


def frequency_severity(ctx: Context) -> None:
    st.header("Claim frequency and severity")
    st.caption("Frequency: claims per earned policy-year; severity: gross incurred per claim.")
    names = ["claim_count", "earned_exposure", "claim_frequency", "claim_severity"]
    totals = ctx.query(names)
    row = totals.iloc[0] if len(totals) else {}
    for column, name in zip(st.columns(4), names, strict=True):
        column.metric(LABELS[name], figure(name, row.get(name), compact=True))
    st.subheader("By line group and year")
    st.table(shown(ctx.query(names, ["policy__line_group", YEAR])))


def triangles(ctx: Context) -> None:
    st.header("Development triangles")
    st.caption(
        "Cumulative incurred (USD) by accident year and development age in months, as known "
        "at each age (fct_loss_triangles); filtered by line group and line only."
    )
    measure = st.radio(
        "Amount", ["cumulative_incurred_usd", "cumulative_paid_usd"], horizontal=True
    )
    condition = ""
    if ctx.filters.lines or ctx.filters.line_groups:
        lines = Filters(ctx.filters.line_groups, ctx.filters.lines).sql(None)
        condition = (
            f" and line_code in (select policies.line_code from "
            f"{ctx.metrics.relation('dim_policies_current')} as policies where true{lines})"
        )
    rows = ctx.metrics.sql(
        f"select cast(year(origin_start) as varchar) as accident_year, "
        f"development_age_months, sum({measure}) as amount "
        f"from {ctx.metrics.relation('fct_loss_triangles')} "
        f"where origin_basis = 'accident_year'{condition} group by all order by all"
    )
    if rows.empty:
        st.info("No claims in the triangle for these filters.")
        return
    table = rows.pivot(index="accident_year", columns="development_age_months", values="amount")
    table = table.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
    table.columns = [f"{age} m" for age in table.columns]
    st.table(table)


def reinsurance(ctx: Context) -> None:
    st.header("Reinsurance")
    by_reinsurer = ctx.query(
        ["ceded_written_premium"],
        ["cession__reinsurer", "cession__treaty_type"],
        order_by=["-ceded_written_premium"],
    )
    st.subheader("Ceded written premium by reinsurer and treaty type")
    chart = by_reinsurer.pivot_table(
        index="cession__reinsurer",
        columns="cession__treaty_type",
        values="ceded_written_premium",
        aggfunc="sum",
    )
    st.bar_chart(chart.astype(float))
    st.table(shown(by_reinsurer))
    st.subheader("Recoveries and ceded share by year")
    by_year = ctx.query(
        [
            "gross_incurred_loss",
            "net_incurred_loss",
            "ceded_written_premium",
            "ceded_share_of_premium",
        ],
        [YEAR],
    )
    by_year["recoveries"] = by_year["gross_incurred_loss"].astype(float) - by_year[
        "net_incurred_loss"
    ].astype(float)
    st.table(shown(by_year))


CATASTROPHE = "{{ Dimension('claim__peril_type') }} = 'natural catastrophe'"


def large_losses(ctx: Context) -> None:
    st.header("Large losses and catastrophe events")
    threshold = st.number_input(
        "Large loss from (USD, gross incurred)", value=1_000_000, step=250_000
    )
    claims = ctx.metrics.relation("rpt_claims_wide")
    policies = ctx.metrics.relation("dim_policies_current")
    rows = ctx.metrics.sql(
        f"select claims.claim_id, claims.line_code, claims.loss_date, claims.cause_of_loss, "
        f"claims.loss_country_code, claims.claim_status, claims.gross_incurred_loss_usd, "
        f"claims.net_incurred_loss_usd from {claims} as claims "
        f"left join {policies} as policies on claims.policy_id = policies.policy_id "
        f"where claims.gross_incurred_loss_usd >= {float(threshold)}"
        f"{ctx.filters.sql('claims.loss_month')} "
        f"order by claims.gross_incurred_loss_usd desc limit 25"
    )
    st.subheader(f"Largest losses ({len(rows)} shown)")
    if rows.empty:
        st.info("No loss above the threshold for these filters.")
    else:
        for column in ("gross_incurred_loss_usd", "net_incurred_loss_usd"):
            rows[column] = [f"{float(v):,.0f}" for v in rows[column]]
        st.table(rows.astype(str))
    st.subheader("Catastrophe events (natural perils) by cause and month")
    cats = ctx.metrics.query(
        ["claim_count", "gross_incurred_loss", "net_incurred_loss"],
        ["claim__cause_of_loss", "metric_time__month"],
        where=[*ctx.filters.where(), CATASTROPHE],
        order_by=["-gross_incurred_loss"],
    )
    if cats.empty:
        st.info("No catastrophe claim for these filters.")
    else:
        st.table(shown(cats.head(25)))


def data_quality(ctx: Context) -> None:
    st.header("Data quality")
    quarantine = ctx.metrics.relation("stg_landing__quarantine", STAGING_SCHEMA)
    st.subheader("Quarantined records by source and reason")
    counts = ctx.metrics.sql(
        f"select source_name as source, quarantine_category as reason, count(*) as records "
        f"from {quarantine} group by all order by records desc, source, reason"
    )
    st.metric("Quarantined records", f"{int(counts['records'].sum()):,}")
    st.table(counts.astype(str))
    st.subheader("Freshness of the sources")
    freshness = ctx.facts.get("freshness") or []
    if freshness:
        st.table(
            pd.DataFrame(
                [
                    (name, status, "" if age is None else f"{age:.0f} h")
                    for name, status, age in freshness
                ],
                columns=["source", "status", "age of the latest record"],
            )
        )
    else:
        st.info("No freshness check in the published run.")
    st.subheader("The latest batch")
    batches = ctx.facts.get("batches") or []
    if batches:
        latest = batches[-1]
        st.metric(f"Records landed on {latest['ingest_date']}", f"{latest['records']:,}")
        st.table(
            ctx.metrics.sql(
                f"select source_name as source, quarantine_category as reason, "
                f"count(*) as records from {quarantine} where ingest_date = ? "
                f"group by all order by records desc, source, reason",
                [dt.date.fromisoformat(latest["ingest_date"])],
            ).astype(str)
        )
        st.caption("Counts and reasons only: the quarantined lines hold personal data.")
    else:
        st.info("No batch in the published run.")


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    icon: str
    render: Callable[[Context], None]


PAGES = (
    Page("book", "Book at valuation date", ":material/account_balance:", book),
    Page("loss-ratios", "Loss ratios", ":material/percent:", loss_ratios),
    Page(
        "frequency-severity", "Frequency and severity", ":material/bar_chart:", frequency_severity
    ),
    Page("triangles", "Development triangles", ":material/change_history:", triangles),
    Page("reinsurance", "Reinsurance", ":material/handshake:", reinsurance),
    Page("large-losses", "Large losses and catastrophes", ":material/warning:", large_losses),
    Page("data-quality", "Data quality", ":material/fact_check:", data_quality),
)


def facts_of(path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}
