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
