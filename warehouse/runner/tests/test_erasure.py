"""The right to be forgotten, on the embedded warehouse (docs/access.md).

The shared pipeline warehouse (built batch by batch, snapshots and the incremental claim
movements included) is copied with a copy of the project; one insured with policies and
claims is put on the suppression list (seed erasure_requests) and the project is built
again. Afterwards no table or view outside the landing lake's own mirror holds the
insured's id, a policy of theirs, or any of their personal values; the snapshots and the
incremental table have forgotten them; and the manifests still reconcile, with the
erased records counted as suppressed.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from warehouse.dbt import Dbt, dbt_environment
from warehouse.runner.modes import Mode
from warehouse.runner.run import RunReport

pytestmark = pytest.mark.cost(25)

ROOT = Path(__file__).resolve().parents[3]
PROJECT_PARTS = ("models", "macros", "seeds", "snapshots", "tests", "analyses", "offline")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
# What is allowed to keep a trace: the lake's mirror (immutable, like the lake) and the
# suppression list itself (the ids to forget, nothing else).
LANDING_SCHEMA = "landing"
KEEPS_THE_REQUEST = {"erasure_requests"}
KEEPS_THE_KEYS = {"base_landing__erased_records"}  # policy and claim keys, never the insured


@dataclass(frozen=True)
class Erased:
    database: Path
    insured_id: str
    policy_ids: list[str]
    claim_ids: list[str]
    personal_values: list[str]
    build_ok: bool
    failures: list[str]


def copy_project(dest: Path) -> Path:
    for part in PROJECT_PARTS:
        shutil.copytree(
            ROOT / part, dest / part, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb")
        )
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, dest / name)
    return dest


def pick_insured(con: duckdb.DuckDBPyConnection) -> tuple[str, list[str], list[str], list[str]]:
    """An insured with at least one policy with a claim, and their personal values."""
    row = con.execute(
        """
        select p.insured_id
        from main_staging.stg_landing__policies as p
        join main_staging.stg_landing__claims as c on c.policy_id = p.policy_id
        join main_staging.stg_landing__insureds as i on i.insured_id = p.insured_id
        where i.insured_type = 'individual'
        group by p.insured_id
        order by count(*) desc, p.insured_id
        limit 1
        """
    ).fetchone()
    assert row is not None, "no insured with a claim in the warehouse"
    insured_id = row[0]
    policies = [
        r[0]
        for r in con.execute(
            "select distinct policy_id from main_staging.base_landing__policies "
            "where insured_id = ?",
            [insured_id],
        ).fetchall()
    ]
    claims = [
        r[0]
        for r in con.execute(
            "select distinct claim_id from main_staging.base_landing__claims "
            "where policy_id in (select unnest(?))",
            [policies],
        ).fetchall()
    ]
    values = con.execute(
        "select full_name, email, phone, address_line from main_staging.base_landing__insureds "
        "where insured_id = ?",
        [insured_id],
    ).fetchall()
    personal = sorted({v for r in values for v in r if v and len(v) >= 6})
    return insured_id, policies, claims, personal


@pytest.fixture(scope="module")
def erased(
    warehouse: tuple[Path, Path, RunReport], tmp_path_factory: pytest.TempPathFactory
) -> Erased:
    lake, database, _ = warehouse
    base = tmp_path_factory.mktemp("erasure")
    project = copy_project(base / "project")
    db = base / "warehouse.duckdb"
    shutil.copy2(database, db)
    with duckdb.connect(str(db)) as con:
        insured_id, policies, claims, personal = pick_insured(con)
        snapshot_rows = con.execute(
            "select count(*) from main_snapshots.snap_insureds where insured_id = ?", [insured_id]
        ).fetchone()
    assert policies and claims and personal and snapshot_rows and snapshot_rows[0] > 0
    (project / "seeds" / "erasure_requests.csv").write_text(
        f"insured_id,requested_on\n{insured_id},2026-11-30\n", encoding="utf-8"
    )
    mode = Mode("air-gapped", project / "offline", "erasure test")
    dbt = Dbt(mode, dbt_environment(str(lake.resolve()), db, base / "target"))
    started = time.perf_counter()
    built = dbt.invoke("build", "--exclude-resource-type", "test", "unit_test")
    checked = dbt.invoke(
        "test",
        "--select",
        "assert_batches_reconcile_with_manifests",
        "base_landing__erased_records",
    )
    print(f"erasure build and reconciliation: {time.perf_counter() - started:.1f} s")
    with duckdb.connect(str(db)) as con:
        con.execute("checkpoint")
    return Erased(
        db,
        insured_id,
        policies,
        claims,
        personal,
        built.success and checked.success,
        built.failures + checked.failures,
    )


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[str]]]:
    """(schema, name, text columns) of every table and view outside the landing mirror."""
    rows = con.execute(
        """
        select table_schema, table_name, list(column_name order by ordinal_position)
        from information_schema.columns
        where table_schema != ? and data_type in ('VARCHAR', 'JSON')
        group by table_schema, table_name
        order by table_schema, table_name
        """,
        [LANDING_SCHEMA],
    ).fetchall()
    return [(s, t, cols) for s, t, cols in rows]


def holding(con: duckdb.DuckDBPyConnection, needles: list[str], skip: set[str]) -> list[str]:
    """Relations (and how many rows) where a text column contains one of ``needles``."""
    found = []
    for schema, table, columns in relations(con):
        if table in skip:
            continue
        text = " || '|' || ".join(f"coalesce(cast(\"{c}\" as varchar), '')" for c in columns)
        where = " or ".join(f"strpos({text}, ?) > 0" for _ in needles)
        (count,) = con.execute(  # type: ignore[misc]
            f'select count(*) from "{schema}"."{table}" where {where}', needles
        ).fetchone()
        if count:
            found.append(f"{schema}.{table}: {count} row(s)")
    return found


def test_the_build_after_the_erasure_passes_and_reconciles(erased: Erased) -> None:
    assert erased.build_ok, erased.failures


def test_no_relation_holds_the_insureds_id_or_personal_values(erased: Erased) -> None:
    with duckdb.connect(str(erased.database)) as con:
        assert holding(con, [erased.insured_id], KEEPS_THE_REQUEST) == []
        assert holding(con, erased.personal_values, set()) == []


def test_their_policies_and_claims_are_forgotten(erased: Erased) -> None:
    with duckdb.connect(str(erased.database)) as con:
        assert holding(con, erased.policy_ids, KEEPS_THE_KEYS) == []
        kept = con.execute(
            "select count(*) from main_marts.fct_claim_movements where claim_id in "
            "(select unnest(?))",
            [erased.claim_ids],
        ).fetchone()
        assert kept == (0,)


def test_the_erased_records_are_counted_as_suppressed(erased: Erased) -> None:
    with duckdb.connect(str(erased.database)) as con:
        counts = dict(
            con.execute(
                "select source_name, count(*) from main_staging.base_landing__erased_records "
                "group by source_name"
            ).fetchall()
        )
    assert set(counts) == {"insureds", "policies", "claims"}


def test_the_landing_mirror_still_holds_the_lake(erased: Erased) -> None:
    """The lake is immutable: its records stay there (and in the embedded engine's mirror of
    it), reachable by the transformer only; everything built from it has forgotten them."""
    with duckdb.connect(str(erased.database)) as con:
        assert holding(con, [erased.insured_id], set()) != []  # the request itself
        (lines,) = con.execute(  # type: ignore[misc]
            f"select count(*) from {LANDING_SCHEMA}.insureds where strpos(line, ?) > 0",
            [erased.insured_id],
        ).fetchone()
    assert lines > 0


def test_the_reporting_layer_has_no_personal_column(erased: Erased) -> None:
    personal = {"full_name", "email", "phone", "date_of_birth", "address_line", "postal_code"}
    personal |= {"underwriter_name", "broker_name", "adjuster_name", "raw_line", "line"}
    with duckdb.connect(str(erased.database)) as con:
        found = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main_marts' and lower(column_name) in (select unnest(?))",
            [sorted(personal)],
        ).fetchall()
    assert found == []
