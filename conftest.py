"""Fixtures shared by every test folder: the released dbt hub packages (when this machine
has a copy of them) and a headless Chromium.

Hub packages: a user with the dbt hub runs `dbt deps`; a machine without it may hold the
released packages in ``../shared/dbt-packages`` (or where ``WAREHOUSE_SHARED_DBT_PACKAGES``
points). Tests that need them work on a temporary copy (the folder may be read-only, and
`dbt deps`/`dbt clean` would empty an install folder) and are skipped, saying why, when
there is none.

Chromium: the system's own (Debian: ``apt-get install chromium``), driven by Playwright;
Playwright never downloads a browser here. ``.ci/run`` installs it and sets
``WAREHOUSE_REQUIRE_TOOLS=1``, which turns a missing browser (or Elementary CLI) into a
failure instead of a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent
SHARED_PACKAGES = Path(
    os.environ.get("WAREHOUSE_SHARED_DBT_PACKAGES", ROOT.parent / "shared" / "dbt-packages")
)
HUB_SET = ("dbt_utils", "dbt_external_tables", "dbt_expectations", "dbt_date", "elementary")


def shared_packages(group: str) -> Path:
    """``../shared/dbt-packages/<group>`` (hub, edr or evaluator), or skip the test."""
    folder = SHARED_PACKAGES / group
    if not folder.is_dir():
        pytest.skip(
            f"no released dbt packages at {folder} (a clone without the dbt hub has none: "
            "set WAREHOUSE_SHARED_DBT_PACKAGES, or run `dbt deps` where the hub is reachable)"
        )
    return folder


def copy_packages(dest: Path, *groups: str) -> Path:
    """A writable install folder holding every package of ``groups``."""
    dest.mkdir(parents=True, exist_ok=True)
    for group in groups:
        for package in sorted(shared_packages(group).iterdir()):
            if (package / "dbt_project.yml").is_file():
                shutil.copytree(package, dest / package.name, symlinks=True)
    return dest


@pytest.fixture(scope="session")
def package_copies() -> Callable[..., Path]:
    """``copy(dest, *groups)``: a writable install folder with the shared packages of
    ``groups`` (skips the test when there are none)."""
    return copy_packages


@pytest.fixture(scope="session")
def hub_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary copy of the released hub packages the root's packages.yml pins."""
    folder = copy_packages(tmp_path_factory.mktemp("hub") / "dbt_packages", "hub")
    missing = [name for name in HUB_SET if not (folder / name).is_dir()]
    assert not missing, f"the shared hub packages lack {missing}"
    return folder


def chromium_executable() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Playwright over the system's browser)."""
    executable = chromium_executable()
    if executable is None:
        message = (
            "no Chromium on this machine: install the system's (Debian/Ubuntu: "
            "`apt-get install chromium`; macOS: a Chrome or Chromium on the PATH)"
        )
        if os.environ.get("WAREHOUSE_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()


# --- scheduling: the costliest test files start first ---------------------------------------
#
# `make test` spreads whole files over its xdist workers (--dist loadfile), so the run lasts
# as long as its busiest worker. A file that takes long says so with a module-level
# ``pytestmark = pytest.mark.cost(seconds)`` (its rough duration on an idle machine, fixtures
# included); the costliest files are handed out first and each worker takes its next file
# only when it is on its current file's last test, so the short files fill in at the end.


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "cost(seconds): the file's rough duration on an idle machine; `make test` starts the "
        "costliest files first",
    )


def file_cost(item: pytest.Item) -> float:
    marker = item.get_closest_marker("cost")
    return float(marker.args[0]) if marker else 0.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files in decreasing cost (a stable sort: a file's tests, and the files of equal
    cost, keep their order)."""
    costs: dict[Path, float] = {}
    for item in items:
        costs[item.path] = max(costs.get(item.path, 0.0), file_cost(item))
    items.sort(key=lambda item: -costs[item.path])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """--dist loadfile in the collection's order (costliest first, not xdist's default of
    most tests first), a worker taking its next file when one test of its current file is
    left (that one waits for the next item before it runs)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class CostFirstScheduling(LoadFileScheduling):
        def _reschedule(self, node: Any) -> None:
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
                return
            if self._pending_of(self.assigned_work[node]) > 1:
                return
            self._assign_work_unit(node)

    config.option.loadscopereorder = False
    return CostFirstScheduling(config, log)
