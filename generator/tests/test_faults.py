"""The fault report is exact: an independent reader finds precisely what it claims."""

from __future__ import annotations

from collections import Counter

from generator.config import ALL_FAULTS
from generator.tests.contract_reader import read_lake


def _claimed_positions(reports) -> Counter:
    out: Counter = Counter()
    for number, report in reports.items():
        for f in report.faults:
            out[(number, f.kind, f.source, f.file, f.record)] += 1
        for f in report.file_faults:
            out[(number, f["kind"], f["source"], f["file"], 0)] += 1
    return out


def test_every_file_matches_the_contract(faulty_lake):
    root, _ = faulty_lake
    reading = read_lake(root)
    assert reading.contract_errors == []


def test_reader_finds_exactly_the_claimed_faults_batch_by_batch_and_kind_by_kind(faulty_lake):
    root, reports = faulty_lake
    reading = read_lake(root)
    for number, report in reports.items():
        claimed = {(s, k): n for s, c in report.counts().items() for k, n in c.items()}
        assert reading.counts(number) == claimed, f"batch {number}"


def test_reader_finds_each_fault_at_the_claimed_file_and_record(faulty_lake):
    root, reports = faulty_lake
    reading = read_lake(root)
    found = Counter(
        (f.batch, f.kind, f.source, f.file, f.record)
        for f in reading.findings
        if f.kind != "schema_drift"
    )
    assert found == _claimed_positions(reports)


def test_every_fault_kind_of_the_contract_is_injected(faulty_lake):
    _, reports = faulty_lake
    kinds = {k for r in reports.values() for c in r.counts().values() for k in c}
    assert kinds == set(ALL_FAULTS)


def test_late_parents_arrive_in_the_batch_the_report_says(faulty_lake):
    root, reports = faulty_lake
    reading = read_lake(root)
    first_seen = {}
    for rec in reading.accepted["policies"]:
        first_seen.setdefault(rec["policy_id"], rec["_batch"])
    late = [
        f
        for r in reports.values()
        for f in r.faults
        if f.kind == "orphan_reference" and f.resolves_in_batch is not None
    ]
    assert late, "the faulty configuration should produce late-arriving parents"
    for f in late:
        parent = f.detail.split()[1]
        assert first_seen[parent] == f.resolves_in_batch


def test_a_clean_lake_has_no_faults(tmp_path):
    from generator.config import FaultRates
    from generator.generate import generate
    from generator.tests.conftest import faulty_config

    reports = generate(
        faulty_config(faults=FaultRates.zero(), drift_from_batch=None, policies=400), tmp_path
    )
    reading = read_lake(tmp_path)
    assert reading.findings == []
    assert all(not r.faults and not r.file_faults for r in reports.values())


def test_manifest_rows_reconcile_with_what_the_report_counts(faulty_lake):
    root, reports = faulty_lake
    reading = read_lake(root)
    for number, report in reports.items():
        for source, rows in report.records.items():
            assert reading.rows_read[(number, source)] == rows
