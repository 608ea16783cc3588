"""Fault kinds are one enum; the report, the rates and the command line keep the contract's
names."""

from __future__ import annotations

import json
from dataclasses import fields

from generator import faults as fx
from generator.config import ALL_FAULTS, FILE_FAULTS, RECORD_FAULTS, FaultRates
from generator.faults import FaultKind, RecordFault

# the source contract's names (docs: source-contract), as the fault report has always used them
CONTRACT = (
    "duplicate",
    "out_of_order",
    "malformed",
    "unparsable_value",
    "business_rule",
    "orphan_reference",
    "non_utf8",
    "empty_file",
    "redelivered_file",
    "schema_drift",
)


def test_the_enum_spells_the_contract() -> None:
    assert tuple(k.value for k in FaultKind) == CONTRACT
    assert ALL_FAULTS == CONTRACT
    assert CONTRACT[:-1] == RECORD_FAULTS + FILE_FAULTS
    assert all(str(k) == f"{k}" == k.value == k for k in FaultKind)


def test_record_codes_keep_their_order_and_kind() -> None:
    assert [int(c) for c in RecordFault] == list(range(7))
    assert tuple(c.kind.value for c in RecordFault) == RECORD_FAULTS
    assert fx.NONE not in {int(c) for c in RecordFault}
    assert {c.kind for c in fx.SPOILING} == {
        FaultKind.MALFORMED,
        FaultKind.UNPARSABLE_VALUE,
        FaultKind.NON_UTF8,
    }


def test_rates_are_named_by_the_kinds_injected_per_record_or_file() -> None:
    assert tuple(f.name for f in fields(FaultRates)) == RECORD_FAULTS + FILE_FAULTS


def test_only_claims_break_business_rules() -> None:
    breaking = {s for s, codes in fx.APPLICABLE.items() if RecordFault.BUSINESS_RULE in codes}
    assert breaking == {"claims"}
    orphans = {s for s, codes in fx.APPLICABLE.items() if RecordFault.ORPHAN_REFERENCE in codes}
    assert orphans == {"policies", "claims"}


def test_kinds_serialise_as_their_names() -> None:
    entry = {"kind": FaultKind.EMPTY_FILE, "counts": {FaultKind.SCHEMA_DRIFT: 1}}
    assert json.loads(json.dumps(entry)) == {"kind": "empty_file", "counts": {"schema_drift": 1}}
