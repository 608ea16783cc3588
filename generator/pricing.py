"""Premium and reinsurance terms priced from the line profiles.

- A policy's premium: its expected loss (attritional frequency x limited severity, plus
  its expected catastrophe loss) over the line's target loss ratio, times a rating noise
  and the underwriting cycle of its inception year.
- A proportional treaty's commission: what the reinsurer can give back at the line's
  target loss ratio and its margin, clipped to the market range.
- An excess-of-loss layer: its attachment at a high quantile of the line's retained
  claim sizes, its premium rate = expected layer loss / subject premium x a loading.

Expected values come from the profiles alone, by a fixed numerical sample (the same for
every seed), so that the same line is priced the same way in every world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.catalog import COUNTRIES, FX_CENTRE, LINES
from generator.profiles import (
    PERILS,
    PROFILES,
    QUOTA_SHARE_COMMISSION,
    REINSURER_MARGIN,
    SURPLUS_COMMISSION,
    UNDERWRITING_CYCLE,
    XOL_ATTACHMENT_QUANTILE,
    XOL_LOADING,
    expected_cat_loss,
    limited_lognormal_mean,
    peril_hits_country,
)
from generator.rng import Rand

SI_SIGMA = 0.8  # log-normal spread of sums insured around the line's median
PRICING_SAMPLE = 20_000

FREQUENCY = np.array([PROFILES[ln.code].frequency for ln in LINES])
LIMITED_SEVERITY = np.array([PROFILES[ln.code].limited_severity() for ln in LINES])
TARGET_LR = np.array([PROFILES[ln.code].target_loss_ratio for ln in LINES])
# expected catastrophe loss a year as a share of the sum insured, by (line, country)
CAT_LOSS = np.array([[expected_cat_loss(ln.code, c.code) for c in COUNTRIES] for ln in LINES])
COUNTRY_WEIGHT = np.array([c.weight for c in COUNTRIES], dtype=np.float64)
COUNTRY_WEIGHT /= COUNTRY_WEIGHT.sum()
FX = np.array([FX_CENTRE[c.currency] for c in COUNTRIES])


def cycle(years: np.ndarray) -> np.ndarray:
    return np.array([UNDERWRITING_CYCLE.get(y, 1.0) for y in range(2000, 2100)])[years - 2000]


def expected_loss_ratio_of_si(line: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Expected loss a policy-year as a share of the sum insured."""
    return FREQUENCY[line] * LIMITED_SEVERITY[line] + CAT_LOSS[line, country]


@dataclass(frozen=True)
class Terms:
    cession_pct: float = 0.0
    retention: float = 0.0  # treaty currency units
    limit: float = 0.0
    rate_pct: float = 0.0
    commission_pct: float = 0.0
    expected_layer_loss_pct: float = 0.0  # of subject premium, before the loading


def _nice(x: float) -> float:
    """Round to two significant digits (how a layer is quoted: 2.5m xs 1.2m)."""
    if x <= 0:
        return 0.0
    e = int(np.floor(np.log10(x))) - 1
    return float(np.round(x / 10**e) * 10**e)


def commission(line: int, u: float, surplus: bool) -> float:
    lo, hi = SURPLUS_COMMISSION if surplus else QUOTA_SHARE_COMMISSION
    margin = REINSURER_MARGIN[0] + u * (REINSURER_MARGIN[1] - REINSURER_MARGIN[0])
    value = 100 * (1 - TARGET_LR[line] - margin) - (5 if surplus else 0)
    return float(np.clip(np.round(value * 4) / 4, lo, hi))


def quota_share(line: int, cession_pct: float, u: float) -> Terms:
    return Terms(cession_pct=cession_pct, commission_pct=commission(line, u, surplus=False))


def surplus(line: int, currency: str, u_ret: float, lines: int, u: float) -> Terms:
    retention_usd = _nice(LINES[line].si_median * (0.4 + 0.6 * u_ret))
    fx = FX_CENTRE[currency]
    return Terms(
        retention=_nice(retention_usd * fx),
        limit=_nice(retention_usd * fx) * lines,
        commission_pct=commission(line, u, surplus=True),
    )


def _sample(line: int) -> tuple[np.ndarray, np.ndarray, list[tuple[float, np.ndarray]]]:
    """A fixed sample of sums insured (USD), attritional claims, and for each peril the
    yearly chance of a claim and its claim sizes."""
    r = Rand(0)
    idx = np.arange(PRICING_SAMPLE) + line * PRICING_SAMPLE
    p = PROFILES[LINES[line].code]
    si = LINES[line].si_median * r.lognormal("price:si", idx, 1.0, SI_SIGMA)
    s = p.severity_sigma
    claim = np.minimum(
        si * p.severity_mean * np.exp(s * r.normal("price:sev", idx) - s * s / 2), si
    )
    cats: list[tuple[float, np.ndarray]] = []
    for pi, peril in enumerate(PERILS):
        if LINES[line].code not in peril.lines or p.cat_factor <= 0:
            continue
        reach = sum(
            w * peril_hits_country(peril, c.code)
            for w, c in zip(COUNTRY_WEIGHT.tolist(), COUNTRIES, strict=True)
        )
        rate = peril.events_per_year * reach * peril.hit_share
        ps = peril.severity_sigma
        z = r.normal(f"price:cat:{pi}", idx)
        size = np.minimum(
            si * peril.severity_mean * p.cat_factor * np.exp(ps * z - ps * ps / 2), si
        )
        cats.append((rate, size))
    return si, claim, cats


def excess_of_loss(
    line: int, currency: str, proportional: Terms | None, u_limit: float, u_load: float
) -> Terms:
    """A per-claim layer on what the line retains after its proportional treaty."""
    si, claim, cats = _sample(line)
    fx = FX_CENTRE[currency]
    if proportional is None:
        kept = np.ones_like(si)
    elif proportional.cession_pct:
        kept = np.full_like(si, 1 - proportional.cession_pct / 100)
    else:
        r_usd, lim_usd = proportional.retention / fx, proportional.limit / fx
        kept = 1 - np.minimum(np.maximum(si - r_usd, 0), lim_usd) / si
    retained = claim * kept
    attach_usd = _nice(float(np.quantile(retained, XOL_ATTACHMENT_QUANTILE)))
    limit_usd = attach_usd * (2 + int(u_limit * 3))
    attach, limit = _nice(attach_usd * fx), _nice(attach_usd * fx) * (2 + int(u_limit * 3))

    def layer(x: np.ndarray) -> float:
        return float(np.mean(np.minimum(np.maximum(x - attach_usd, 0), limit_usd)))

    freq = FREQUENCY[line]
    expected = freq * layer(retained) + sum(rate * layer(size * kept) for rate, size in cats)
    cat_share = float(COUNTRY_WEIGHT @ CAT_LOSS[line])
    subject = float(np.mean(si)) * (freq * LIMITED_SEVERITY[line] + cat_share) / TARGET_LR[line]
    loading = XOL_LOADING[0] + u_load * (XOL_LOADING[1] - XOL_LOADING[0])
    pure = 100 * expected / subject
    return Terms(
        retention=attach,
        limit=limit,
        rate_pct=max(0.05, round(pure * loading, 2)),
        expected_layer_loss_pct=pure,
    )


__all__ = [
    "Terms",
    "cycle",
    "excess_of_loss",
    "expected_loss_ratio_of_si",
    "limited_lognormal_mean",
    "quota_share",
    "surplus",
]
