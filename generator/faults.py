"""Deliberate faults: which record gets which, and how it is spoiled.

Every decision is drawn from the counter-based generator, keyed by the source and the
record's stable id, so a batch's faults are the same whether it is generated alone or in
a full run. A record carries at most one fault.
"""

from __future__ import annotations

from enum import Enum, IntEnum
from typing import TYPE_CHECKING

import numpy as np

from generator.rng import Rand

if TYPE_CHECKING:  # config reads the kinds from here
    from generator.config import FaultRates


class FaultKind(str, Enum):
    """The fault kinds of the source contract, by the names the fault report (and the
    ``--fault KIND=RATE`` option, and :class:`~generator.config.FaultRates`) uses."""

    # record faults
    DUPLICATE = "duplicate"  # an exact copy of a record, in the same file or a later batch
    OUT_OF_ORDER = "out_of_order"  # an older version delivered after a newer one
    MALFORMED = "malformed"  # a JSON line that does not parse / a CSV row of the wrong width
    UNPARSABLE_VALUE = "unparsable_value"  # a date, number or boolean that cannot be read
    BUSINESS_RULE = "business_rule"  # negative amount, loss before inception, reported before loss
    ORPHAN_REFERENCE = "orphan_reference"  # a parent that is unknown (or arrives later)
    NON_UTF8 = "non_utf8"  # bytes that are not UTF-8 inside a text field
    # file faults
    EMPTY_FILE = "empty_file"  # a header only (CSV) or no line at all (JSON Lines)
    REDELIVERED_FILE = "redelivered_file"  # a file of an earlier batch again, under a new name
    # a batch-level change of shape
    SCHEMA_DRIFT = "schema_drift"

    def __str__(self) -> str:
        return self.value


class RecordFault(IntEnum):
    """A record fault as the generator's arrays carry it (a code; :data:`NONE` for none)."""

    DUPLICATE = 0
    OUT_OF_ORDER = 1
    MALFORMED = 2
    UNPARSABLE_VALUE = 3
    BUSINESS_RULE = 4
    ORPHAN_REFERENCE = 5
    NON_UTF8 = 6

    @property
    def kind(self) -> FaultKind:
        return FaultKind[self.name]


NONE = -1  # a clean record
RECORD_KINDS: tuple[FaultKind, ...] = tuple(code.kind for code in RecordFault)
FILE_KINDS: tuple[FaultKind, ...] = (FaultKind.EMPTY_FILE, FaultKind.REDELIVERED_FILE)
# Faults that cost the warehouse the record (it is quarantined).
SPOILING = (RecordFault.MALFORMED, RecordFault.UNPARSABLE_VALUE, RecordFault.NON_UTF8)
_ALL_RECORD = frozenset(RecordFault)
APPLICABLE: dict[str, frozenset[RecordFault]] = {
    "insureds": _ALL_RECORD - {RecordFault.BUSINESS_RULE, RecordFault.ORPHAN_REFERENCE},
    "reinsurance_treaties": _ALL_RECORD - {RecordFault.BUSINESS_RULE, RecordFault.ORPHAN_REFERENCE},
    "specialty_lines": _ALL_RECORD - {RecordFault.BUSINESS_RULE, RecordFault.ORPHAN_REFERENCE},
    "policies": _ALL_RECORD - {RecordFault.BUSINESS_RULE},
    "claims": _ALL_RECORD,
}
# A byte that is not valid UTF-8 on its own (latin-1 'é'), carried through Python strings
# as a lone surrogate and written with errors="surrogateescape".
BAD_BYTE = "\udce9"


def assign(rand: Rand, rates: FaultRates, source: str, row_id: np.ndarray) -> np.ndarray:
    """The fault code of each record (NONE for a clean one)."""
    weights = np.array(
        [
            getattr(rates, code.kind.value) if code in APPLICABLE[source] else 0.0
            for code in RecordFault
        ]
    )
    u = rand.uniform(f"fault:{source}", row_id)
    edges = np.cumsum(weights)
    code = np.searchsorted(edges, u, side="right")
    return np.where(code < len(weights), code, NONE)


def variant(rand: Rand, source: str, row_id: np.ndarray, n: int) -> np.ndarray:
    """Which flavour of a fault (e.g. which field or which rule), in [0, n)."""
    return rand.integers(f"fault-variant:{source}", row_id, 0, n)


# -- text-level spoilers (they work on the encoded fields of one record) -------------------
def malform_csv(fields: list[str], flavour: int) -> tuple[list[str], str]:
    if flavour == 0:
        return fields[:-1], f"row has {len(fields) - 1} fields, expected {len(fields)}"
    return [*fields, "UNEXPECTED"], f"row has {len(fields) + 1} fields, expected {len(fields)}"


def malform_json(line: str, flavour: int) -> tuple[str, str]:
    if flavour == 0:
        return line[: max(10, len(line) * 3 // 5)], "line is truncated"
    return line.replace('", "', '" "', 1), "missing comma between members"


def insert_bad_byte(encoded: str) -> str:
    """Put a non-UTF-8 byte inside an encoded text value (plain, quoted or a name member)."""
    if '"name": "' in encoded:
        return encoded.replace('"name": "', '"name": "' + BAD_BYTE, 1)
    if encoded.startswith('"'):
        return '"' + BAD_BYTE + encoded[1:]
    return encoded[:1] + BAD_BYTE + encoded[1:]
