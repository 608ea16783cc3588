"""DuckDB's memory limit, threads and spill folder come from the profile (environment
variables, with defaults); a build that spills can be followed by more dbt commands in the
same process, and the pipeline can read the warehouse while dbt holds it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from warehouse.dbt import Dbt, dbt_environment
from warehouse.runner.tests.conftest import AIR_GAPPED

pytestmark = pytest.mark.cost(35)

SETTINGS = ("DUCKDB_MEMORY_LIMIT", "DUCKDB_THREADS", "DUCKDB_TEMP_DIRECTORY")
SHOW = (
    "select current_setting('memory_limit') as memory_limit, "
    "current_setting('threads') as threads, current_setting('temp_directory') as temp"
)
# a sort far larger than the limit below: it must spill to the temporary directory
SPILL = "select count(distinct md5(i::varchar) || repeat('x', 200)) as n from range(1000000) t(i)"


@pytest.fixture
def restore_settings() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in SETTINGS}
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def shown(dbt: Dbt, sql: str) -> list[tuple[object, ...]]:
    result = dbt._runner.invoke(
        ["--quiet", "show", "--inline", sql, "--project-dir", str(dbt.mode.project_dir)]
    )
    assert result.success, result.exception
    table = getattr(result.result, "results", [None])[0].agate_table
    return [tuple(row.values()) for row in table.rows]


def test_the_profile_sets_memory_threads_and_spill_folder(
    tmp_path: Path, restore_settings: None
) -> None:
    database = tmp_path / "warehouse.duckdb"
    dbt = Dbt(AIR_GAPPED, dbt_environment(str(tmp_path), database, tmp_path / "target"))
    os.environ.update(
        DUCKDB_MEMORY_LIMIT="300MB",
        DUCKDB_THREADS="1",
        DUCKDB_TEMP_DIRECTORY=str(tmp_path / "spill"),
    )
    [(memory, threads, temp)] = shown(dbt, SHOW)
    assert str(memory).endswith("MiB") and 280 <= float(str(memory).split()[0]) <= 300
    assert int(str(threads)) == 1
    assert temp == str(tmp_path / "spill")


def test_defaults_spill_next_to_the_database(tmp_path: Path, restore_settings: None) -> None:
    database = tmp_path / "warehouse.duckdb"
    dbt = Dbt(AIR_GAPPED, dbt_environment(str(tmp_path), database, tmp_path / "target"))
    for name in SETTINGS:
        os.environ.pop(name, None)
    [(memory, threads, temp)] = shown(dbt, SHOW)
    assert memory == "4.6 GiB"  # 5GB
    assert int(str(threads)) == 4
    assert temp == str(database) + ".tmp"


def test_commands_after_a_spill_and_readers_in_the_same_process(
    tmp_path: Path, restore_settings: None
) -> None:
    database = tmp_path / "warehouse.duckdb"
    dbt = Dbt(AIR_GAPPED, dbt_environment(str(tmp_path), database, tmp_path / "target"))
    os.environ.update(
        DUCKDB_MEMORY_LIMIT="64MB", DUCKDB_THREADS="1", DUCKDB_TEMP_DIRECTORY=str(tmp_path / "s")
    )
    # the pipeline reads the warehouse while dbt holds it: one database in the process,
    # which each dbt command opens again after a spill
    with duckdb.connect(str(database)) as con:
        assert shown(dbt, SPILL) == [(1_000_000,)]
        assert shown(dbt, SPILL) == [(1_000_000,)]  # the spill folder is not set again
        assert con.execute("select current_setting('temp_directory')").fetchone() == (
            str(tmp_path / "s"),
        )
        con.execute("checkpoint")  # nothing left open on dbt's connection (publish does this)
