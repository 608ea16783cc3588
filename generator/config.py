"""What a generation run is asked to produce."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from generator.faults import FILE_KINDS, RECORD_KINDS, FaultKind
from generator.fx import FIRST_MONTH as FIRST_FX_MONTH

# Fault kinds of the source contract, as the fault report names them (generator.faults).
RECORD_FAULTS: tuple[str, ...] = tuple(k.value for k in RECORD_KINDS)
FILE_FAULTS: tuple[str, ...] = tuple(k.value for k in FILE_KINDS)
ALL_FAULTS: tuple[str, ...] = tuple(k.value for k in FaultKind)


@dataclass(frozen=True)
class FaultRates:
    """Per-record probabilities (record faults) and per-file probabilities (file faults)."""

    duplicate: float = 0.004
    out_of_order: float = 0.004
    malformed: float = 0.001
    unparsable_value: float = 0.001
    business_rule: float = 0.003
    orphan_reference: float = 0.002
    non_utf8: float = 0.0005
    empty_file: float = 0.05
    redelivered_file: float = 0.03

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"fault rate {f.name}={value} is not between 0 and 1")
        if self.record_total() > 0.5:
            raise ValueError("record fault rates add up to more than 0.5")

    def record_total(self) -> float:
        return sum(getattr(self, k) for k in RECORD_FAULTS)

    @classmethod
    def zero(cls) -> FaultRates:
        return cls(**{f.name: 0.0 for f in fields(cls)})

    @classmethod
    def scaled(cls, factor: float) -> FaultRates:
        base = cls()
        return cls(**{f.name: min(1.0, getattr(base, f.name) * factor) for f in fields(cls)})


@dataclass(frozen=True)
class GeneratorConfig:
    seed: int = 42
    as_of: dt.date = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).date())
    batches: int = 7
    policies: int = 2000
    # how far back the simulated book goes: policies incept evenly over it, so that
    # several underwriting and accident years develop side by side
    history_days: int = 1095
    faults: FaultRates = field(default_factory=FaultRates)
    # Schema drift: from this batch number on (1-based), policies and claims carry a new
    # optional field. None = no drift.
    drift_from_batch: int | None = None
    gzip: bool = False
    max_rows_per_file: int = 500_000

    def __post_init__(self) -> None:
        if self.batches < 1:
            raise ValueError("batches must be at least 1")
        if self.policies < 1:
            raise ValueError("policies must be at least 1")
        if self.history_days < 60:
            raise ValueError("history_days must be at least 60")
        if not dt.date(2022, 1, 1) <= self.as_of <= dt.date(2029, 12, 31):
            raise ValueError(
                f"as-of date {self.as_of} is outside 2022-01-01..2029-12-31, "
                "the range the FX reference covers"
            )
        if self.world_start < FIRST_FX_MONTH:
            raise ValueError(
                f"the history starts on {self.world_start}, before {FIRST_FX_MONTH}, the "
                "first month the FX reference covers: shorten --history-days"
            )
        if self.drift_from_batch is not None and not 1 <= self.drift_from_batch <= self.batches:
            raise ValueError("drift_from_batch must be a batch number between 1 and batches")

    @property
    def insureds(self) -> int:
        return max(20, int(self.policies * 0.4))

    def batch_dates(self) -> list[dt.date]:
        """The ingest date of each batch, oldest first, the last on the as-of date."""
        return [self.as_of - dt.timedelta(days=self.batches - 1 - k) for k in range(self.batches)]

    @property
    def world_start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=self.history_days)
