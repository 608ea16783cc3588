"""Risk profiles of the simulated book: what each line's claims cost, how they develop,
which catastrophes hit it, and how its reinsurance is priced. Data, in one place.

Orders of magnitude, not any one market's figures. Where they come from:

- Claim frequency and severity relative to the sum insured, and the heavy tail of the
  liability, aviation, energy and terrorism lines: the class-of-business results in
  Lloyd's Annual Reports (attritional against major losses), the IUMI Facts & Figures
  (marine hull and cargo loss ratios and claim counts), Allianz Commercial's Aviation
  Risk and Energy reports, Cornerstone Research's Securities Class Action Filings (D&O:
  a few per cent of listed companies sued a year) and the NetDiligence Cyber Claims
  Study (cyber claim sizes relative to limits).
- Severity as a log-normal capped at the policy's limit, its limited expected value and
  the excess layer's expected loss: Klugman, Panjer and Willmot, *Loss Models: From
  Data to Decisions*; Parodi, *Pricing in General Insurance*.
- Reporting and settlement (short tail against long tail), case reserves that
  strengthen or release: Friedland, *Estimating Unpaid Claims Using Basic Techniques*
  (CAS) and Taylor, *Loss Reserving: An Actuarial Perspective*.
- Target loss ratios (50-75 %) and the underwriting cycle (rates hardening from 2019 to
  2023, softening since 2025): Lloyd's Annual Reports and the Marsh Global Insurance
  Market Index.
- Catastrophes (a few loss events a year that matter to a specialty book, windstorm the
  largest peril): Swiss Re Institute *sigma* reports on natural catastrophes and Munich
  Re's NatCatSERVICE; the systemic cyber event: Lloyd's and Cambridge Centre for Risk
  Studies cyber scenarios.
- Reinsurance: quota share ceding commissions of 25-40 % and surplus a little lower,
  excess-of-loss priced as expected layer loss times a loading of 1.2-1.6: Swiss Re,
  *The essential guide to reinsurance*; Guy Carpenter and Aon reinsurance market reports
  (rates on line).

A policy's premium is its expected loss over the line's target loss ratio
(``expected_loss_ratio``), times a rating noise and the cycle of its inception year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class LineProfile:
    code: str
    frequency: float  # claims per policy-year (above the deductible, catastrophes apart)
    severity_mean: float  # mean claim before the limit, as a share of the sum insured
    severity_sigma: float  # log-normal spread: 1.2 light, 2.0+ heavy tail
    deductible_pct: float  # deductible as % of the sum insured (typical; x0.5..x2)
    target_loss_ratio: float  # expected loss / premium the line is priced at
    report_lag_days: float  # mean days from loss to report (log-normal)
    settle_days: float  # median days from report to final settlement (log-normal)
    long_tail: bool  # liability-like: reported late, paid slowly, reserves strengthen
    cat_factor: float = 0.0  # a catastrophe claim's size against the peril's mean (0 = none)

    def limited_severity(self) -> float:
        """E[min(X, 1)] with X the claim as a share of the sum insured (the limit)."""
        return limited_lognormal_mean(self.severity_mean, self.severity_sigma, 1.0)

    def severity_cv2(self) -> float:
        """Squared coefficient of variation of the limited claim size: how many claims a
        line needs before its loss ratio means something (about (1 + CV2) / n, squared
        relative standard error, for n claims)."""
        m1 = self.limited_severity()
        m2 = limited_lognormal_second_moment(self.severity_mean, self.severity_sigma, 1.0)
        return m2 / (m1 * m1) - 1.0


def _norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def limited_lognormal_mean(mean: float, sigma: float, limit: float) -> float:
    """E[min(X, limit)] for a log-normal X of the given mean and sigma (Loss Models)."""
    mu = math.log(mean) - sigma * sigma / 2
    z = (math.log(limit) - mu) / sigma
    return mean * _norm_cdf(z - sigma) + limit * (1.0 - _norm_cdf(z))


def limited_lognormal_second_moment(mean: float, sigma: float, limit: float) -> float:
    """E[min(X, limit)^2] for a log-normal X of the given mean and sigma (Loss Models)."""
    mu = math.log(mean) - sigma * sigma / 2
    z = (math.log(limit) - mu) / sigma
    return math.exp(2 * mu + 2 * sigma * sigma) * _norm_cdf(z - 2 * sigma) + limit * limit * (
        1.0 - _norm_cdf(z)
    )


def lognormal_cdf(x: float, mean: float, sigma: float) -> float:
    """P(X <= x) for a log-normal X of the given mean and sigma."""
    if x <= 0:
        return 0.0
    mu = math.log(mean) - sigma * sigma / 2
    return _norm_cdf((math.log(x) - mu) / sigma)


REPORT_LAG_SIGMA = 1.0
SETTLE_SIGMA = 0.6

PROFILES: dict[str, LineProfile] = {
    p.code: p
    for p in (
        #           code   freq  sev_mean sigma  ded%  target  report settle long  cat
        LineProfile("MAR-CARGO", 0.30, 0.010, 1.4, 0.25, 0.65, 20, 120, False, 0.5),
        LineProfile("MAR-HULL", 0.25, 0.022, 1.6, 0.50, 0.70, 15, 240, False, 0.3),
        LineProfile("MAR-PI", 0.15, 0.012, 1.8, 0.10, 0.75, 90, 700, True),
        LineProfile("AVI-HULL", 0.10, 0.040, 1.8, 0.25, 0.65, 10, 200, False),
        LineProfile("AVI-LIAB", 0.04, 0.020, 2.2, 0.05, 0.70, 60, 900, True),
        LineProfile("ENE-UPSTR", 0.12, 0.040, 2.0, 1.00, 0.65, 20, 300, False, 0.5),
        LineProfile("ENE-DOWNSTR", 0.10, 0.020, 2.0, 1.00, 0.65, 25, 330, False, 0.5),
        LineProfile("PRO-CAT", 0.05, 0.020, 1.5, 1.00, 0.60, 15, 150, False, 1.0),
        LineProfile("PRO-COMM", 0.20, 0.008, 1.3, 0.25, 0.65, 15, 120, False, 0.4),
        LineProfile("PRO-TERR", 0.01, 0.050, 2.1, 0.50, 0.50, 10, 240, False),
        LineProfile("CAS-GL", 0.25, 0.020, 1.5, 0.10, 0.70, 200, 900, True),
        LineProfile("CAS-EL", 0.35, 0.008, 1.3, 0.10, 0.75, 150, 800, True),
        LineProfile("FIN-DO", 0.06, 0.150, 1.2, 1.00, 0.70, 240, 1100, True),
        LineProfile("FIN-PI", 0.12, 0.070, 1.3, 0.50, 0.70, 270, 900, True),
        LineProfile("FIN-CRIME", 0.08, 0.080, 1.4, 1.00, 0.60, 120, 300, False),
        LineProfile("POL-CRED", 0.04, 0.120, 1.5, 0.50, 0.55, 90, 500, True),
        LineProfile("POL-VIOL", 0.03, 0.040, 1.8, 0.50, 0.55, 20, 250, False),
        LineProfile("CYB-1P", 0.15, 0.050, 1.6, 0.50, 0.65, 15, 200, False, 1.0),
        LineProfile("CYB-3P", 0.08, 0.060, 1.7, 0.50, 0.70, 180, 800, True, 0.6),
    )
}

# Rate adequacy of each underwriting year: >1 = a hard market (more premium for the same
# risk), <1 = soft. Years not listed are at 1.
UNDERWRITING_CYCLE: dict[int, float] = {
    2018: 0.94,
    2019: 0.96,
    2020: 1.00,
    2021: 1.04,
    2022: 1.07,
    2023: 1.08,
    2024: 1.05,
    2025: 1.00,
    2026: 0.96,
    2027: 0.94,
}
RATING_NOISE_SIGMA = 0.20  # log-normal, mean one: the same risk priced differently


@dataclass(frozen=True)
class Peril:
    name: str
    cause: str  # cause_of_loss of its claims
    events_per_year: float
    regions: tuple[tuple[str, ...], ...]  # an event hits one of these (country codes)
    lines: tuple[str, ...]  # exposed lines
    hit_share: float  # share of exposed policies in force in the region that claim
    severity_mean: float  # mean claim as a share of the sum insured
    severity_sigma: float
    days: int  # how long an event lasts (loss dates spread over it)


ALL_COUNTRIES = ("*",)
PERILS: tuple[Peril, ...] = (
    Peril(
        "windstorm",
        "Windstorm",
        1.2,
        (("US",), ("JP",), ("GB", "NL", "DE", "FR"), ("AU",)),
        ("PRO-CAT", "PRO-COMM", "MAR-CARGO", "MAR-HULL", "ENE-UPSTR"),
        0.25,
        0.025,
        1.2,
        4,
    ),
    Peril(
        "earthquake",
        "Earthquake",
        0.4,
        (("JP",), ("US",), ("IT",), ("CA",)),
        ("PRO-CAT", "PRO-COMM", "ENE-DOWNSTR"),
        0.25,
        0.040,
        1.3,
        2,
    ),
    Peril(
        "flood",
        "Flood",
        0.8,
        (("DE", "NL", "FR"), ("AU",), ("BR",), ("GB",), ("US",)),
        ("PRO-CAT", "PRO-COMM", "MAR-CARGO"),
        0.15,
        0.020,
        1.2,
        5,
    ),
    Peril(
        "wildfire",
        "Wildfire",
        0.4,
        (("US",), ("AU",), ("CA",)),
        ("PRO-CAT", "PRO-COMM"),
        0.10,
        0.030,
        1.3,
        6,
    ),
    Peril(
        "cyber",
        "Systemic cyber event",
        0.4,
        (ALL_COUNTRIES,),
        ("CYB-1P", "CYB-3P"),
        0.10,
        0.060,
        1.3,
        3,
    ),
)
CAT_CAUSES: tuple[str, ...] = tuple(p.cause for p in PERILS)


def peril_hits_country(peril: Peril, country: str) -> float:
    """Chance that an event of ``peril`` strikes ``country`` (its region is uniform)."""
    n = sum(1 for r in peril.regions if r == ALL_COUNTRIES or country in r)
    return n / len(peril.regions)


def expected_cat_loss(line: str, country: str) -> float:
    """Expected catastrophe loss a year of a policy, as a share of its sum insured."""
    factor = PROFILES[line].cat_factor
    total = 0.0
    for p in PERILS:
        if line in p.lines and factor > 0:
            total += (
                p.events_per_year
                * peril_hits_country(p, country)
                * p.hit_share
                * limited_lognormal_mean(p.severity_mean * factor, p.severity_sigma, 1.0)
            )
    return total


# Reinsurance market ranges.
QUOTA_SHARE_COMMISSION = (25.0, 40.0)  # % of ceded premium
SURPLUS_COMMISSION = (20.0, 35.0)
REINSURER_MARGIN = (0.04, 0.10)  # commission = 1 - target LR - margin, clipped to the range
XOL_LOADING = (1.2, 1.6)  # premium = expected layer loss x loading
XOL_ATTACHMENT_QUANTILE = 0.97  # of a line's retained claim sizes
