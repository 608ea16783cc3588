"""The lake is a simulated world, not independent random rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from generator.tests.contract_reader import read_lake


@pytest.fixture(scope="module")
def world(faulty_lake):
    root, reports = faulty_lake
    reading = read_lake(root)
    rule_breaches = {
        (f.file, f.record)
        for r in reports.values()
        for f in r.faults
        if f.kind in ("business_rule", "orphan_reference")
    }
    clean = {
        source: [r for r in recs if (r["_file"], r["_record"]) not in rule_breaches]
        for source, recs in reading.accepted.items()
    }
    return clean


def _latest(records, key):
    out = {}
    for r in records:
        if key not in out or r["updated_at"] >= out[key]["updated_at"]:
            out[r[key]] = r
    return out


def test_entities_change_over_time_so_history_is_real(world):
    for source, key in [
        ("insureds", "insured_id"),
        ("policies", "policy_id"),
        ("claims", "claim_id"),
        ("reinsurance_treaties", "treaty_id"),
    ]:
        versions = Counter(r[key] for r in world[source])
        assert len(world[source]) > len(versions), source
        assert max(versions.values()) >= 3, source


def test_insureds_move_and_change_rating_and_some_are_soft_deleted(world):
    by_id = defaultdict(list)
    for r in world["insureds"]:
        by_id[r["insured_id"]].append(r)
    moved = sum(len({v["address_line"] for v in vs}) > 1 for vs in by_id.values())
    rerated = sum(len({v["risk_rating"] for v in vs}) > 1 for vs in by_id.values())
    deleted = sum(any(v["record_status"] == "deleted" for v in vs) for vs in by_id.values())
    assert moved > 0 and rerated > 0 and deleted > 0


def test_policies_are_endorsed_and_cancelled_with_effective_dates(world):
    statuses = Counter(r["status"] for r in world["policies"])
    assert {"quoted", "bound", "endorsed", "cancelled", "expired"} <= statuses.keys()
    for r in world["policies"]:
        assert r["inception_date"] <= r["effective_date"] <= r["expiry_date"]
        if r["status"] in ("quoted", "bound"):
            assert r["effective_date"] == r["inception_date"]


def test_policies_are_ceded_to_treaties_of_their_own_line(world):
    treaty_line = {t["treaty_id"]: t["line_code"] for t in world["reinsurance_treaties"]}
    ceded = [p for p in world["policies"] if p["treaty_ids"]]
    assert ceded
    for p in ceded:
        assert {treaty_line[t] for t in p["treaty_ids"]} == {p["line_code"]}


def test_claims_fall_inside_their_policy_period_and_develop(world):
    policies = _latest(world["policies"], "policy_id")
    by_claim = defaultdict(list)
    for c in world["claims"]:
        p = policies[c["policy_id"]]
        assert p["inception_date"] <= c["loss_date"] <= p["expiry_date"]
        assert c["reported_date"] >= c["loss_date"]
        assert c["currency"] == p["currency"]
        by_claim[c["claim_id"]].append(c)
    statuses = Counter(c["status"] for c in world["claims"])
    assert {"open", "closed", "reopened", "denied"} <= statuses.keys()
    developed = [vs for vs in by_claim.values() if len(vs) >= 3]
    assert developed
    for vs in developed:
        vs.sort(key=lambda c: c["updated_at"])
        if all(v["status"] != "denied" for v in vs):
            assert vs[-1]["paid"] >= vs[0]["paid"]


def test_claim_severity_is_heavy_tailed(world):
    latest = _latest(world["claims"], "claim_id").values()
    incurred = sorted((c["paid"] + c["reserve"] - c["recovered"]) for c in latest)
    top = incurred[-max(1, len(incurred) // 20) :]
    assert sum(top) > Decimal("0.3") * sum(incurred)  # the top 5% carry over 30%


def test_premium_scales_with_sum_insured(world):
    pairs = [
        (p["sum_insured"], p["gross_written"]) for p in world["policies"] if p["status"] == "bound"
    ]
    small = sorted(pairs)[: len(pairs) // 4]
    large = sorted(pairs)[-len(pairs) // 4 :]
    mean = lambda xs: sum(x for _, x in xs) / len(xs)  # noqa: E731
    assert mean(large) > 5 * mean(small)


def test_several_currencies_and_countries_with_fitting_pii(world):
    assert len({p["currency"] for p in world["policies"]}) >= 5
    countries = Counter(i["country_code"] for i in world["insureds"])
    assert len(countries) >= 8
    japanese = [
        i["full_name"]
        for i in world["insureds"]
        if i["country_code"] == "JP" and i["insured_type"] == "individual"
    ]
    assert japanese and all(any(ord(ch) > 0x3000 for ch in n) for n in japanese)
