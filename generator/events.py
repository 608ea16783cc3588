"""Catastrophe events: a few a year, each striking the exposed policies of one region (or
of the whole book, for a systemic cyber event) on the same dates.

The catalogue is a pure function of the seed and the calendar years the world spans, so
every chunk of policies sees the same events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from generator.catalog import COUNTRIES, LINES
from generator.profiles import ALL_COUNTRIES, PERILS, PROFILES
from generator.rng import Rand

EPOCH = dt.date(1970, 1, 1)
MAX_EVENTS_PER_PERIL_YEAR = 4


@dataclass(frozen=True)
class Events:
    key: np.ndarray  # stable number of each event (year, peril, k)
    day: np.ndarray  # first loss day (days since the epoch)
    peril: np.ndarray  # index into PERILS
    region: np.ndarray  # (events x countries) bool: countries struck
    code: tuple[str, ...]  # CAT-YYYY-NNN, numbered by date within the year

    def __len__(self) -> int:
        return len(self.day)


# (perils x lines): the line's policies are exposed to the peril
EXPOSED = np.array(
    [[ln.code in p.lines and PROFILES[ln.code].cat_factor > 0 for ln in LINES] for p in PERILS]
)
CAT_FACTOR = np.array([PROFILES[ln.code].cat_factor for ln in LINES])
HIT_SHARE = np.array([p.hit_share for p in PERILS])
SEVERITY_MEAN = np.array([p.severity_mean for p in PERILS])
SEVERITY_SIGMA = np.array([p.severity_sigma for p in PERILS])
EVENT_DAYS = np.array([p.days for p in PERILS])


def catalogue(rand: Rand, first_year: int, last_year: int) -> Events:
    keys: list[int] = []
    days: list[int] = []
    perils: list[int] = []
    regions: list[np.ndarray] = []
    codes = [c.code for c in COUNTRIES]
    for year in range(first_year, last_year + 1):
        start = (dt.date(year, 1, 1) - EPOCH).days
        length = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        for pi, peril in enumerate(PERILS):
            cell = np.array([year * 16 + pi])
            count = int(
                rand.poisson("cat:count", cell, peril.events_per_year, MAX_EVENTS_PER_PERIL_YEAR)[0]
            )
            for k in range(count):
                key = (year - 2000) * 64 + pi * 8 + k
                kk = np.array([key])
                day = start + int(rand.integers("cat:day", kk, 0, length)[0])
                which = peril.regions[
                    int(rand.integers("cat:region", kk, 0, len(peril.regions))[0])
                ]
                mask = np.array([which == ALL_COUNTRIES or c in which for c in codes])
                keys.append(key)
                days.append(day)
                perils.append(pi)
                regions.append(mask)
    order = np.lexsort((np.array(keys, np.int64), np.array(days, np.int64))) if keys else []
    key_a = np.array(keys, np.int64)[order] if keys else np.zeros(0, np.int64)
    day_a = np.array(days, np.int64)[order] if keys else np.zeros(0, np.int64)
    peril_a = np.array(perils, np.int64)[order] if keys else np.zeros(0, np.int64)
    region_a = np.array(regions)[order] if keys else np.zeros((0, len(codes)), bool)
    code: list[str] = []
    seen: dict[int, int] = {}
    for d in day_a.tolist():
        year = (EPOCH + dt.timedelta(days=d)).year
        seen[year] = seen.get(year, 0) + 1
        code.append(f"CAT-{year}-{seen[year]:03d}")
    return Events(key_a, day_a, peril_a, region_a, tuple(code))


def hits(
    rand: Rand,
    events: Events,
    policy: np.ndarray,
    line: np.ndarray,
    country: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    bound: np.ndarray,
) -> np.ndarray:
    """The first event each policy claims for (-1 = none): an exposed line, in the event's
    region, in force on the event's date, and among the share of such policies hit."""
    n = len(policy)
    if len(events) == 0 or n == 0:
        return np.full(n, -1, np.int64)
    day = events.day[:, None]
    exposed = EXPOSED[events.peril][:, line] & events.region[:, country]
    in_force = bound[None, :] & (day >= start[None, :]) & (day < end[None, :])
    u = rand.uniform("cat:hit", policy[None, :] * 4096 + events.key[:, None])
    hit = exposed & in_force & (u < HIT_SHARE[events.peril][:, None])
    return np.where(hit.any(axis=0), np.argmax(hit, axis=0), -1)
