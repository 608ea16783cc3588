"""The other faces of the warehouse: the dbt docs site opens from a file on an overview of
what the warehouse answers, the marts have owners, the dashboard is an exposure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warehouse.dbt import Dbt, dbt_environment
from warehouse.runner.tests.conftest import AIR_GAPPED

pytestmark = pytest.mark.cost(15)

OVERVIEW = "Where to start"


@pytest.fixture(scope="module")
def static_docs(warehouse) -> Path:
    """`dbt docs generate --static` in-process on the fixture's warehouse (same process and
    profile as its build: the parse is partial; the catalog is left empty)."""
    lake, database, _ = warehouse
    target = AIR_GAPPED.project_dir / "target"
    dbt = Dbt(AIR_GAPPED, dbt_environment(str(lake.resolve()), database.resolve(), target))
    outcome = dbt.invoke("docs", "generate", "--static", "--empty-catalog")
    assert outcome.success, outcome.failures
    return target


def test_the_static_docs_site_holds_the_overview(static_docs: Path):
    page = static_docs / "static_index.html"
    assert page.exists()
    assert OVERVIEW in page.read_text()


def test_marts_have_owners_and_the_dashboard_is_an_exposure(static_docs: Path):
    manifest = json.loads((static_docs / "manifest.json").read_text())
    groups = {g["name"]: g["owner"] for g in manifest["groups"].values()}
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and "marts" in node["fqn"]
    ]
    assert marts
    unowned = [node["name"] for node in marts if node["config"].get("group") not in groups]
    assert not unowned
    exposure = manifest["exposures"]["exposure.insurance_warehouse.warehouse_dashboard"]
    assert exposure["type"] == "dashboard"
    assert "metric.insurance_warehouse.gross_loss_ratio" in exposure["depends_on"]["nodes"]
    overview = [d for d in manifest["docs"].values() if d["name"] == "__overview__"]
    assert overview and OVERVIEW in overview[0]["block_contents"]


def test_the_static_docs_site_opens_from_a_file(browser, static_docs: Path):
    page = browser.new_page()
    try:
        page.goto((static_docs / "static_index.html").as_uri())
        page.get_by_text(OVERVIEW).first.wait_for(timeout=120_000)
    finally:
        page.close()
