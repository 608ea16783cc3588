"""`make dashboard`: the Streamlit app (streamlit run warehouse/dashboard/app.py)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from warehouse.dashboard.filters import Filters
from warehouse.dashboard.metrics import PUBLISHED, Metrics, metrics_for_target
from warehouse.dashboard.pages import PAGES, Context, Page, facts_of
from warehouse.errors import MetricsUnavailable


def published() -> Path:
    return Path(os.environ.get("WAREHOUSE_PUBLISHED", PUBLISHED))


@st.cache_resource(show_spinner="Loading the metrics…")
def _metrics(target: str, stamp: float) -> Metrics:
    """One engine per target and published copy (a new run publishes a new copy)."""
    return metrics_for_target(target)


def metrics() -> Metrics:
    target = os.environ.get("DBT_TARGET", "dev")
    database = published() / "warehouse.duckdb"
    stamp = database.stat().st_mtime if target == "dev" and database.exists() else 0.0
    return _metrics(target, stamp)


def sidebar_filters(engine: Metrics) -> Filters:
    policies = engine.sql(
        f"select distinct line_group, line_code, insured_country_code "
        f"from {engine.relation('dim_policies_current')}"
    )
    valuation = engine.sql(f"select valuation_date from {engine.relation('dim_valuation_date')}")[
        "valuation_date"
    ].iloc[0]
    first = engine.sql(
        f"select min(report_month) as first from {engine.relation('rpt_policy_months_wide')}"
    )["first"].iloc[0]
    st.sidebar.header("Filters")
    groups = st.sidebar.multiselect("Line group", sorted(policies["line_group"].unique()))
    lines = policies if not groups else policies[policies["line_group"].isin(groups)]
    chosen_lines = st.sidebar.multiselect("Line", sorted(lines["line_code"].unique()))
    countries = st.sidebar.multiselect(
        "Country", sorted(policies["insured_country_code"].dropna().unique())
    )
    years = list(range(first.year if first else valuation.year, valuation.year + 1))
    period = None
    if len(years) > 1:
        start, end = st.sidebar.select_slider(
            "Period (years)", options=years, value=(years[0], years[-1])
        )
        if (start, end) != (years[0], years[-1]):
            period = (dt.date(start, 1, 1), dt.date(end, 12, 1))
    return Filters(tuple(groups), tuple(chosen_lines), tuple(countries), period)


def render(page: Page) -> None:
    """One page with the sidebar's filters (also what the AppTests run)."""
    try:
        engine = metrics()
    except MetricsUnavailable as error:
        st.error(f"No published warehouse: {error}")
        st.stop()
    filters = sidebar_filters(engine)
    page.render(Context(engine, filters, facts_of(published() / "run.json")))


def _shown(page: Page) -> Callable[[], None]:
    """What the navigation runs for ``page``."""

    def show() -> None:
        render(page)

    return show


def render_key(key: str) -> None:
    render(next(page for page in PAGES if page.key == key))


def main() -> None:
    st.set_page_config(page_title="Insurance warehouse", layout="wide")
    navigation = st.navigation(
        [
            st.Page(
                _shown(page),
                title=page.title,
                icon=page.icon,
                url_path=page.key,
                default=index == 0,
            )
            for index, page in enumerate(PAGES)
        ]
    )
    navigation.run()


if __name__ == "__main__":
    main()
