"""The monthly FX reference the warehouse reports in USD with (a dbt seed)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np

from generator.catalog import CURRENCIES, FX_CENTRE
from generator.rng import Rand

FIRST_MONTH = dt.date(2020, 1, 1)
LAST_MONTH = dt.date(2030, 12, 1)


def months(first: dt.date = FIRST_MONTH, last: dt.date = LAST_MONTH) -> list[dt.date]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def fx_rates_csv(seed: int = 2020) -> str:
    """``month,currency,units_per_usd,usd_per_unit``: a gentle random walk per currency."""
    rand = Rand(seed)
    ms = months()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["month", "currency", "units_per_usd", "usd_per_unit"])
    steps = np.arange(len(ms))
    for currency in CURRENCIES:
        if currency == "USD":
            path = np.ones(len(ms))
        else:
            shocks = 0.015 * rand.normal(f"fx:{currency}", steps)
            path = FX_CENTRE[currency] * np.exp(np.cumsum(shocks) - np.cumsum(shocks).mean())
        for month, rate in zip(ms, path.tolist(), strict=True):
            writer.writerow([month.isoformat(), currency, f"{rate:.6f}", f"{1 / rate:.8f}"])
    return buffer.getvalue()
