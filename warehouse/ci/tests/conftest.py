"""A throwaway copy of the project with a small production build, shared by the tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pytest

from warehouse.ci.core import REPO_ROOT, Settings, dbt

PROJECT_PARTS = ("models", "macros", "seeds", "snapshots", "tests", "analyses", "offline")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


@dataclass
class Production:
    project: Path
    database: Path
    state: Path
    build_seconds: float
    models_built: int = 0

    def settings(self, env: str) -> Settings:
        return Settings(
            project_dir=self.project / "offline",  # these tests run without hub packages
            target="dev",
            database=self.database,
            workdir=self.project / "target" / "ci",
            env=env,
            quiet=True,
        )


def copy_project(dest: Path) -> Path:
    """The dbt project, from the repository (or $WAREHOUSE_CI_TEST_PROJECT, e.g. a checkout
    of a known-good commit while the working tree is mid-edit)."""
    source = Path(os.environ.get("WAREHOUSE_CI_TEST_PROJECT", REPO_ROOT))
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, dest / part)
    for name in PROJECT_FILES:
        shutil.copyfile(source / name, dest / name)
    return dest


@pytest.fixture(scope="session")
def production(tmp_path_factory: pytest.TempPathFactory) -> Production:
    """The project copied, a tiny lake landed and built once as production, its manifest kept
    as the production state."""
    base = tmp_path_factory.mktemp("warehouse_ci")
    project = copy_project(base / "project")
    lake = base / "lake"
    lakegen = Path(sys.executable).with_name("lakegen")
    subprocess.run(
        [
            str(lakegen),
            "generate",
            "--out",
            str(lake),
            "--policies",
            "300",
            "--batches",
            "2",
            "--as-of",
            "2026-11-22",
            "--quiet",
        ],
        check=True,
    )
    settings = Production(project, base / "warehouse.duckdb", base / "state", 0).settings("prod")
    extra = {"LAKE_ROOT": str(lake)}
    target = base / "prod-target"
    staged = dbt(
        settings,
        ["run-operation", "stage_external_sources"],
        target_path=target,
        schema="main",
        extra_env=extra,
    )
    assert staged.ok, staged.tail()
    built = dbt(settings, ["build"], target_path=target, schema="main", extra_env=extra)
    assert built.ok, built.tail()
    models = sum(
        1
        for r in built.run_results()["results"]
        if r["unique_id"].startswith("model.") and r["status"] == "success"
    )
    # the state as a later production run leaves it: the incremental models compiled
    # against their tables (a first build compiles their full-build branch)
    compiled = dbt(settings, ["compile"], target_path=target, schema="main", extra_env=extra)
    assert compiled.ok, compiled.tail()
    (base / "state").mkdir()
    shutil.copyfile(target / "manifest.json", base / "state" / "manifest.json")
    return Production(project, settings.database, base / "state", built.seconds, models)


@contextlib.contextmanager
def edited(path: Path, old: str, new: str) -> Iterator[None]:
    """The file with ``old`` replaced by ``new`` (exactly once) for the block's duration."""
    original = path.read_text()
    assert original.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(original.replace(old, new))
    try:
        yield
    finally:
        path.write_text(original)


def fingerprint(database: Path, relation: str) -> tuple:
    """Row count and an order-free hash of every row."""
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select count(*), bit_xor(hash(t)) from {relation} as t").fetchone()


def with_env(settings: Settings, env: str) -> Settings:
    return replace(settings, env=env)
