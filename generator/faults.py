"""Deliberate faults: which record gets which, and how it is spoiled.

Every decision is drawn from the counter-based generator, keyed by the source and the
record's stable id, so a batch's faults are the same whether it is generated alone or in
a full run. A record carries at most one fault.
"""

from __future__ import annotations

import numpy as np

from generator.config import FaultRates
from generator.rng import Rand

NONE = -1
# Record-fault codes, in the order of config.RECORD_FAULTS.
DUPLICATE, OUT_OF_ORDER, MALFORMED, UNPARSABLE, BUSINESS_RULE, ORPHAN, NON_UTF8 = range(7)
# Faults that cost the warehouse the record (it is quarantined).
SPOILING = (2, 3, 6)
KIND_NAMES = (
    "duplicate",
    "out_of_order",
    "malformed",
    "unparsable_value",
    "business_rule",
    "orphan_reference",
    "non_utf8",
)
APPLICABLE: dict[str, frozenset[int]] = {
    "insureds": frozenset({DUPLICATE, OUT_OF_ORDER, MALFORMED, UNPARSABLE, NON_UTF8}),
    "reinsurance_treaties": frozenset({DUPLICATE, OUT_OF_ORDER, MALFORMED, UNPARSABLE, NON_UTF8}),
    "specialty_lines": frozenset({DUPLICATE, OUT_OF_ORDER, MALFORMED, UNPARSABLE, NON_UTF8}),
    "policies": frozenset({DUPLICATE, OUT_OF_ORDER, MALFORMED, UNPARSABLE, ORPHAN, NON_UTF8}),
    "claims": frozenset(
        {DUPLICATE, OUT_OF_ORDER, MALFORMED, UNPARSABLE, BUSINESS_RULE, ORPHAN, NON_UTF8}
    ),
}
# A byte that is not valid UTF-8 on its own (latin-1 'é'), carried through Python strings
# as a lone surrogate and written with errors="surrogateescape".
BAD_BYTE = "\udce9"


def assign(rand: Rand, rates: FaultRates, source: str, row_id: np.ndarray) -> np.ndarray:
    """The fault code of each record (NONE for a clean one)."""
    weights = np.array(
        [
            getattr(rates, name) if code in APPLICABLE[source] else 0.0
            for code, name in enumerate(KIND_NAMES)
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
