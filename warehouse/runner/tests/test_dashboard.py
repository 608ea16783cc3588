"""The dashboard as a person uses it: every page through Streamlit's AppTest, and the
running app in a real browser (headless Chromium) on the pipeline's published warehouse;
and the published copy that keeps a reader from locking the next build out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from warehouse.dashboard.metrics import Metrics, duckdb_metrics
from warehouse.dashboard.pages import LABELS, PAGES, figure
from warehouse.runner.modes import OFFLINE, ROOT
from warehouse.runner.publish import DATABASE, SEMANTIC_MANIFEST, publish

pytestmark = pytest.mark.cost(20)

SCREENSHOTS = Path(os.environ.get("WAREHOUSE_ARTIFACTS", ROOT / "artifacts")) / "screenshots"
# The text each page shows once its figures are there (a header alone is not enough).
FIGURE_TEXT = {
    "book": LABELS["gross_loss_ratio"],
    "loss-ratios": "By line and year",
    "frequency-severity": LABELS["claim_severity"],
    "triangles": "12 m",
    "reinsurance": "Recoveries",
    "large-losses": "Catastrophe events",
    "data-quality": "Quarantined records",
}


@pytest.fixture(scope="module")
def published(warehouse) -> Path:
    _, _, report = warehouse
    assert report.published is not None, report.failures
    return report.published


@pytest.fixture(scope="module")
def metrics(published: Path) -> Metrics:
    return duckdb_metrics(published / DATABASE, published / SEMANTIC_MANIFEST)


def _app(key: str) -> AppTest:
    return AppTest.from_string(
        f"from warehouse.dashboard.app import render_key\nrender_key({key!r})", default_timeout=120
    )


@pytest.mark.parametrize("key", [page.key for page in PAGES])
def test_every_page_renders_its_figures(published: Path, monkeypatch, key: str):
    monkeypatch.setenv("WAREHOUSE_PUBLISHED", str(published))
    monkeypatch.setenv("DBT_TARGET", "dev")
    app = _app(key).run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    text = " ".join(
        [m.label for m in app.metric]
        + [t.value.to_csv() for t in app.table]
        + [s.value for s in app.subheader]
    )
    assert app.table, f"{key}: no table"
    assert FIGURE_TEXT[key] in text, text[:500]


def test_the_book_page_shows_the_metrics_and_follows_the_filters(
    published: Path, metrics: Metrics, monkeypatch
):
    monkeypatch.setenv("WAREHOUSE_PUBLISHED", str(published))
    monkeypatch.setenv("DBT_TARGET", "dev")
    names = ["gross_written_premium", "gross_loss_ratio", "policies_in_force"]
    app = _app("book").run()
    shown = {m.label: m.value for m in app.metric}
    row = metrics.query(names).iloc[0]
    for name in names:
        assert shown[LABELS[name]] == figure(name, row[name], compact=True)
    group = sorted(
        metrics.sql("select distinct line_group from main_marts.dim_policies_current")["line_group"]
    )[0]
    app.sidebar.multiselect[0].set_value([group]).run()
    assert not app.exception
    only = metrics.query(names, where=[f"{{{{ Dimension('policy__line_group') }}}} = '{group}'"])
    shown = {m.label: m.value for m in app.metric}
    for name in names:
        assert shown[LABELS[name]] == figure(name, only.iloc[0][name], compact=True)
    assert shown[LABELS["gross_written_premium"]] != figure(
        "gross_written_premium", row["gross_written_premium"], compact=True
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def running_app(published: Path) -> Iterator[str]:
    """`streamlit run` on the published copy of the fixture's warehouse, on a free port."""
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("streamlit")),
            "run",
            str(ROOT / "warehouse" / "dashboard" / "app.py"),
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--client.toolbarMode=viewer",
        ],
        env={**os.environ, "WAREHOUSE_PUBLISHED": str(published), "DBT_TARGET": "dev"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"streamlit exited: {process.stdout.read()}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_every_page_in_a_browser(browser, running_app: str, metrics: Metrics):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for index, entry in enumerate(PAGES):
            page.goto(running_app + ("/" if index == 0 else f"/{entry.key}"))
            page.get_by_text(FIGURE_TEXT[entry.key], exact=False).first.wait_for(timeout=120_000)
            page.locator("[data-testid=stTable]").first.wait_for(timeout=120_000)
            assert page.locator("[data-testid=stException]").count() == 0, entry.key
            assert page.get_by_text("Page not found").count() == 0, entry.key
            if entry.key == "book":
                ratio = metrics.query(["gross_loss_ratio"]).iloc[0]["gross_loss_ratio"]
                value = page.locator("[data-testid=stMetric]", has_text=LABELS["gross_loss_ratio"])
                assert figure("gross_loss_ratio", ratio, compact=True) in value.inner_text()
            page.screenshot(path=str(SCREENSHOTS / f"{entry.key}.png"), full_page=True)
    finally:
        page.close()
    assert not errors, errors
    assert sorted(p.name for p in SCREENSHOTS.glob("*.png")) >= sorted(
        f"{entry.key}.png" for entry in PAGES
    )


def _open_read_write(database: Path) -> subprocess.CompletedProcess[str]:
    """What the next build does: open the live file read-write, from another process."""
    return subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(database)!r}).close()"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_a_reader_of_the_published_copy_never_locks_the_build_out(tmp_path: Path):
    live = tmp_path / DATABASE
    with duckdb.connect(str(live)) as connection:
        connection.execute("create table t as select 1 as x")
    manifest = tmp_path / "semantic_manifest.json"
    manifest.write_text("{}")
    folder = publish(live, manifest, {"batches": []}, tmp_path / "published")
    with duckdb.connect(str(folder / DATABASE), read_only=True) as reader:
        assert reader.execute("select x from t").fetchone() == (1,)
        assert _open_read_write(live).returncode == 0
        # publishing again replaces the copy under the open reader
        publish(live, manifest, {"batches": []}, folder)
    with duckdb.connect(str(live), read_only=True):  # a reader on the live file instead
        blocked = _open_read_write(live)
    assert blocked.returncode != 0 and "lock" in blocked.stderr.lower(), blocked.stderr
    assert not list(folder.glob(".*.tmp"))


PROD_CONSTRUCTION = """
import sys
from pathlib import Path
from warehouse.dashboard.metrics import snowflake_metrics
metrics = snowflake_metrics(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
print(type(metrics.client).__name__, metrics.client.sql_engine_type.value)
print(metrics.explain(["gross_loss_ratio"], ["metric_time__year"]))
"""


def test_the_prod_target_builds_the_engine_on_snowflake(published: Path):
    """DBT_TARGET=prod: the engine on dbt's Snowflake adapter, built without a connection
    (no Snowflake here: what is checked is the construction and the SQL it would send)."""
    arguments = [str(OFFLINE), str(ROOT), str(published / SEMANTIC_MANIFEST)]
    done = subprocess.run(
        [sys.executable, "-c", PROD_CONSTRUCTION, *arguments],
        env={
            **os.environ,
            "DBT_TARGET": "prod",
            "SNOWFLAKE_ACCOUNT": "example-account",
            "SNOWFLAKE_PRIVATE_KEY_PATH": "/nonexistent/key.p8",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "AdapterBackedSqlClient Snowflake" in done.stdout
    assert "DATE_TRUNC('year', loss_month)" in done.stdout, done.stdout
