"""The warehouse, run batch by batch on a faulty lake, against an independent reading of
the raw files."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from generator.tests.contract_reader import read_lake
from warehouse.dbt import Dbt, dbt_environment
from warehouse.runner.tests.conftest import AIR_GAPPED, deliver_manifest, pipeline_config

pytestmark = pytest.mark.cost(30)


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database)) as con:
        return con.execute(sql).fetchall()


def relation(database: Path, name: str) -> str:
    schema = query(
        database, f"select table_schema from information_schema.tables where table_name = '{name}'"
    )[0][0]
    return f"{schema}.{name}"


def _latest(records: list[dict], key: str) -> dict[str, dict]:
    """Latest updated_at wins; a tie goes to the later file (batch, file, record)."""
    out: dict[str, dict] = {}
    for r in records:
        rank = (r["updated_at"], r["_batch"], r["_file"], r["_record"])
        if r[key] not in out or rank > out[r[key]]["_rank"]:
            out[r[key]] = {**r, "_rank": rank}
    return out


def test_every_batch_builds_and_every_test_passes(warehouse):
    _, _, report = warehouse
    assert report.ok, report.failures
    assert len(report.batches) == pipeline_config().batches
    assert report.build_statuses["test"].get("fail", 0) == 0
    assert report.build_statuses["model"]["success"] >= 20


def test_quarantine_holds_exactly_the_records_the_reader_cannot_use(warehouse):
    lake, database, _ = warehouse
    reading = read_lake(lake)
    unusable = Counter(
        (f.source, f.file, f.record)
        for f in reading.findings
        if f.kind in ("malformed", "unparsable_value", "non_utf8")
    )
    # a re-delivered file carries its original's unusable records again
    for copy, original in reading.redelivered.items():
        for (source, file, record), n in list(unusable.items()):
            if file == original:
                unusable[(source, copy, record)] += n
    quarantined = Counter(
        query(
            database,
            f"select source_name, file_name, record_number "
            f"from {relation(database, 'stg_landing__quarantine')}",
        )
    )
    assert quarantined == unusable
    assert quarantined, "the faulty lake should quarantine something"


def test_reconciliation_holds_for_every_batch_and_source(warehouse):
    lake, database, _ = warehouse
    reading = read_lake(lake)
    landed = {
        (batch, source): n
        for batch, source, n in query(
            database,
            f"""
            select cast(right(m.batch_id, 4) as integer), m.source_name, sum(m.manifest_rows)
            from {relation(database, "stg_landing__manifest_files")} m group by all""",
        )
    }
    assert landed == {k: v for k, v in reading.rows_read.items() if v or k in landed}
    accepted = dict(
        query(
            database,
            f"""
        select source_name, count(*) from (
            select 'claims' as source_name from {relation(database, "base_landing__claims")}
            where quarantine_reason is null
            union all
            select 'policies' from {relation(database, "base_landing__policies")}
            where quarantine_reason is null)
        group by 1""",
        )
    )
    for source in ("claims", "policies"):
        read = sum(n for (_, s), n in reading.rows_read.items() if s == source)
        quarantined = query(
            database,
            f"select count(*) from "
            f"{relation(database, 'stg_landing__quarantine')} "
            f"where source_name = '{source}'",
        )[0][0]
        assert read == accepted[source] + quarantined


def test_latest_incurred_per_claim_matches_the_raw_files(warehouse):
    lake, database, _ = warehouse
    latest = _latest(read_lake(lake).accepted["claims"], "claim_id")
    expected = {k: r["paid"] + r["reserve"] - r["recovered"] for k, r in latest.items()}
    found = dict(
        query(database, f"select claim_id, incurred_amount from {relation(database, 'fct_claims')}")
    )
    assert found == expected


def test_written_premium_per_policy_matches_the_raw_files(warehouse):
    lake, database, _ = warehouse
    latest = _latest(read_lake(lake).accepted["policies"], "policy_id")
    expected = {k: r["gross_written"] for k, r in latest.items()}
    found = dict(
        query(
            database,
            f"select policy_id, gross_written_premium "
            f"from {relation(database, 'stg_landing__policies')}",
        )
    )
    assert found == expected


def test_claim_counts_by_line_and_loss_year_match_the_raw_files(warehouse):
    lake, database, _ = warehouse
    reading = read_lake(lake)
    claims = _latest(reading.accepted["claims"], "claim_id")
    policy_versions: dict[str, list[dict]] = {}
    for p in reading.accepted["policies"]:
        policy_versions.setdefault(p["policy_id"], []).append(p)
    expected: Counter = Counter()
    for c in claims.values():
        versions = sorted(
            policy_versions.get(c["policy_id"], []),
            key=lambda p: (p["updated_at"], p["_batch"], p["_file"], p["_record"]),
        )
        cutoff = dt.datetime.combine(c["loss_date"] + dt.timedelta(days=1), dt.time())
        before = [p for p in versions if p["updated_at"] < cutoff]
        in_force = before[-1] if before else (versions[0] if versions else None)
        line = in_force["line_code"] if in_force else "unknown"
        expected[(line, c["loss_date"].year)] += 1
    found = Counter(
        {
            (line, int(year)): n
            for line, year, n in query(
                database,
                f"""
            select line_code, extract(year from loss_date), count(*)
            from {relation(database, "fct_claims")} group by all""",
            )
        }
    )
    assert found == expected


def test_every_scd2_dimension_has_real_history(warehouse):
    _, database, _ = warehouse
    for dim, key in [
        ("dim_insureds", "insured_id"),
        ("dim_policies", "policy_id"),
        ("dim_specialty_lines", "line_code"),
        ("dim_reinsurance_treaties", "treaty_id"),
    ]:
        versions, keys, current = query(
            database,
            f"""
            select count(*), count(distinct {key}), sum(case when is_current then 1 else 0 end)
            from {relation(database, dim)} where not is_unknown_member""",
        )[0]
        assert versions > keys, dim
        assert current == keys, dim


def test_snapshots_record_what_each_run_showed(warehouse):
    _, database, _ = warehouse
    rows, keys, runs = query(
        database,
        f"""
        select count(*), count(distinct policy_id), count(distinct dbt_valid_from)
        from {relation(database, "snap_policies")}""",
    )[0]
    assert runs >= 4  # the first run and every batch that changed a policy
    assert rows > keys


def test_a_late_parent_resolves_once_it_arrives(warehouse):
    lake, database, _ = warehouse
    reports = [json.loads(p.read_text()) for p in lake.glob("_faults/*/*.json")]
    late = {
        f["key"]
        for r in reports
        for f in r["faults"]
        if f["kind"] == "orphan_reference"
        and f["source"] == "claims"
        and f["resolves_in_batch"] is not None
    }
    never = {
        f["key"]
        for r in reports
        for f in r["faults"]
        if f["kind"] == "orphan_reference"
        and f["source"] == "claims"
        and f["resolves_in_batch"] is None
        and "POL-9" in f["detail"]
    }
    assert late, "the configuration should make some parents arrive late"
    unknown = dict(
        query(
            database, f"select claim_id, is_unknown_policy from {relation(database, 'fct_claims')}"
        )
    )
    assert all(unknown[c] is False for c in late if c in unknown)
    assert any(c in unknown for c in late)
    latest_points_at_unknown = [c for c in never if unknown.get(c)]
    assert all(unknown[c] for c in latest_points_at_unknown)


def _fingerprint(database: Path) -> dict[str, tuple]:
    out = {}
    for name, measure in [
        ("fct_claims", "sum(incurred_amount_usd)"),
        ("fct_claim_movements", "sum(incurred_movement)"),
        ("rpt_claims_per_day", "sum(claims_reported)"),
        ("dim_policies", "count(distinct policy_version_key)"),
        ("dim_insureds", "count(distinct insured_version_key)"),
    ]:
        out[name] = query(database, f"select count(*), {measure} from {relation(database, name)}")[
            0
        ]
    return out


@pytest.fixture(scope="module")
def rerun(warehouse, tmp_path_factory):
    """The same warehouse after re-running the last batch with a file delivered again."""
    lake, database, report = warehouse
    copy = tmp_path_factory.mktemp("rerun")
    with duckdb.connect(str(database)) as con:
        con.execute("checkpoint")
    shutil.copytree(lake, copy / "lake")
    shutil.copy(database, copy / "warehouse.duckdb")
    before = _fingerprint(copy / "warehouse.duckdb")
    claims = sorted((copy / "lake" / "claims").glob("ingest_date=*/*.jsonl"))[-1]
    again = claims.with_name(claims.stem + "_redelivered.jsonl")
    shutil.copy(claims, again)
    last = max(b["ingest_date"] for b in report.batches)
    after = (dt.date.fromisoformat(str(last)) + dt.timedelta(days=1)).isoformat()
    deliver_manifest(copy / "lake", [again], after)
    dbt = Dbt(
        AIR_GAPPED, dbt_environment(str(copy / "lake"), copy / "warehouse.duckdb", copy / "target")
    )
    staged = dbt.invoke("run-operation", "stage_external_sources")
    built = dbt.invoke("build", "--exclude", "resource_type:test")
    full = dbt.invoke("run", "--full-refresh", "--select", "fct_claim_movements", "--vars", "{}")
    return copy / "warehouse.duckdb", before, staged, built, full


def test_rerunning_a_batch_and_redelivering_a_file_changes_no_figure(rerun):
    database, before, staged, built, _ = rerun
    assert staged.success and built.success
    landed = "select count(*) from landing._landed_files where file_name like '%_redelivered%'"
    assert query(database, landed) == [(1,)], "the re-delivered file must land"
    assert _fingerprint(database) == before


def test_incremental_movements_equal_a_full_rebuild(warehouse, rerun):
    _, database, _ = warehouse
    rebuilt_db, _, _, _, full = rerun
    assert full.success
    cols = "claim_id, updated_at, paid_movement, reserve_movement, incurred_movement"
    incremental = query(
        database, f"select {cols} from {relation(database, 'fct_claim_movements')} order by 1, 2"
    )
    rebuilt = query(
        rebuilt_db,
        f"select {cols} from {relation(rebuilt_db, 'fct_claim_movements')} order by 1, 2",
    )
    assert incremental == rebuilt
    # and summing a claim's movements gives its latest figures
    sums = dict(
        query(
            database,
            f"select claim_id, sum(incurred_movement) from "
            f"{relation(database, 'fct_claim_movements')} group by 1",
        )
    )
    latest = dict(
        query(database, f"select claim_id, incurred_amount from {relation(database, 'fct_claims')}")
    )
    assert {k: Decimal(v) for k, v in sums.items()} == latest


def test_movements_fill_after_an_empty_first_build(warehouse, tmp_path_factory):
    """The incremental movements fact, first built when no claim had arrived, takes every
    claim version once the lake arrives (its watermark must not be NULL)."""
    lake, _, _ = warehouse
    base = tmp_path_factory.mktemp("empty_first")
    empty, database = base / "empty_lake", base / "warehouse.duckdb"
    empty.mkdir()
    selection = ("--select", "+fct_claim_movements")
    first = Dbt(AIR_GAPPED, dbt_environment(str(empty), database, base / "target"))
    assert first.invoke("seed").success
    assert first.invoke("run-operation", "stage_external_sources").success
    assert first.invoke("run", *selection).success
    assert query(database, f"select count(*) from {relation(database, 'fct_claim_movements')}") == [
        (0,)
    ]
    then = Dbt(AIR_GAPPED, dbt_environment(str(lake), database, base / "target"))
    assert then.invoke("run-operation", "stage_external_sources").success
    assert then.invoke("run", *selection).success
    counts = query(
        database,
        f"select (select count(*) from {relation(database, 'fct_claim_movements')}), "
        f"(select count(*) from {relation(database, 'int_claims__versions')})",
    )[0]
    assert counts[1] > 0
    assert counts[0] == counts[1]
