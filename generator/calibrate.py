"""Calibration report: is the generated book one an underwriter would believe?

It reads a lake's files back, as the contract describes them (latest version of each
record wins; records that do not parse are skipped), converts amounts to USD with the
monthly FX reference, and compares what the book shows with the line profiles' targets:

- frequency: attritional claims reported per policy-year, against the profile's frequency
  times the share of claims expected to be reported at the book's age;
- severity: mean incurred of the claims that are not denied, as a share of sum insured;
- gross loss ratio on fully earned policies, as reported and at ultimate (reported
  divided by the expected reported share), against the target the policies were priced at;
- the share of claims closed by age since report, against the settlement pattern;
- excess-of-loss burning cost (layer losses over layer premium) and implied rate on line;
- catastrophe losses: clusters of claims of one cause on the same dates.

Only the profile targets (generator.profiles) are taken from the generator; figures are
recomputed from the files. ``check`` returns the figures outside their bands.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generator.fx import fx_rates_csv
from generator.profiles import (
    CAT_CAUSES,
    PROFILES,
    REPORT_LAG_SIGMA,
    SETTLE_SIGMA,
    UNDERWRITING_CYCLE,
)

# Bands, with the reasoning behind them:
# - the book's gross loss ratio at ultimate on fully earned policies: priced at 45-70 %
#   targets with the cycle, catastrophes and heavy tails around them (Lloyd's reports a
#   market's accident-year loss ratios between about 50 and 80 % across the last cycle);
BOOK_LR_BAND = (0.45, 0.85)
# - one line, when its fully earned policies expect enough claims for its loss ratio to
#   mean something: LINE_MIN_CLAIMS_FACTOR x (1 + CV2 of its limited claim size), where
#   the loss ratio's relative standard error is about 30 % (a heavy-tailed line needs
#   hundreds of claims, a light one a few dozen);
LINE_LR_BAND = (0.20, 1.50)
LINE_MIN_CLAIMS_FACTOR = 12
# - reported claim counts against the expected reported-at-age count;
FREQUENCY_BAND = (0.6, 1.5)
FREQUENCY_MIN_CLAIMS = 25
# - excess-of-loss layer losses over the layer premium, over the book: priced at a
#   1.2-1.6 loading, so about 60-85 % expected, with the volatility of rare large claims;
XOL_BAND = (0.0, 2.0)
# - catastrophe clusters: at least one event a year of the history;
CAT_MIN_CLAIMS = 5  # claims of one cause within CAT_GAP_DAYS of each other
CAT_GAP_DAYS = 3

CLOSED_AGES = ((0, 90, "< 3m"), (90, 365, "3-12m"), (365, 730, "1-2y"), (730, 100_000, "2y+"))


@dataclass
class Policy:
    policy_id: str
    line: str
    currency: str
    inception: dt.date
    expiry: dt.date
    status: str
    effective: dt.date
    gwp: float
    sum_insured: float
    min_sum_insured: float
    updated_at: str
    deleted: bool


@dataclass
class Claim:
    claim_id: str
    policy_id: str
    loss: dt.date
    reported: dt.date
    status: str
    cause: str
    currency: str
    paid: float
    reserve: float
    recovered: float
    updated_at: str

    @property
    def incurred(self) -> float:
        return self.paid + self.reserve - self.recovered


@dataclass
class Lake:
    as_of: dt.date
    policies: dict[str, Policy]
    claims: dict[str, Claim]
    treaties: dict[str, dict[str, str]]


def _lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.splitlines()


def _json_records(root: Path, source: str) -> list[dict]:
    out = []
    for path in sorted((root / source).glob("ingest_date=*/*")):
        for raw in _lines(path):
            try:
                out.append(json.loads(raw.decode("utf-8")))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
    return out


def _date(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def read_lake(root: Path) -> Lake:
    """The latest version of every policy, claim and treaty in the lake's files."""
    batches = sorted(p.name for p in (root / "_manifests").glob("ingest_date=*"))
    if not batches:
        raise ValueError(f"{root} holds no batch manifest: not a lake")
    as_of = dt.date.fromisoformat(batches[-1].split("=")[1])
    policies: dict[str, Policy] = {}
    min_si: dict[str, float] = {}
    for r in _json_records(root, "policies"):
        try:
            inception, expiry = _date(r["inception_date"]), _date(r["expiry_date"])
            effective = _date(r["effective_date"])
            p = Policy(
                r["policy_id"],
                r["line_code"],
                r["currency"],
                inception,  # type: ignore[arg-type]
                expiry,  # type: ignore[arg-type]
                r["status"],
                effective,  # type: ignore[arg-type]
                float(r["premium"]["gross_written"]),
                float(r["sum_insured"]),
                0.0,
                r["updated_at"],
                r["record_status"] == "deleted",
            )
        except (KeyError, TypeError, ValueError):
            continue
        if None in (inception, expiry, effective):
            continue
        min_si[p.policy_id] = min(min_si.get(p.policy_id, math.inf), p.sum_insured)
        old = policies.get(p.policy_id)
        if old is None or p.updated_at >= old.updated_at:
            policies[p.policy_id] = p
    for pid, p in policies.items():
        p.min_sum_insured = min_si[pid]
    claims: dict[str, Claim] = {}
    for r in _json_records(root, "claims"):
        try:
            a = r["amounts"]
            c = Claim(
                r["claim_id"],
                r["policy_id"],
                _date(r["loss_date"]),  # type: ignore[arg-type]
                _date(r["reported_date"]),  # type: ignore[arg-type]
                r["status"],
                r["cause_of_loss"],
                r["currency"],
                float(a["paid"]),
                float(a["reserve"]),
                float(a["recovered"]),
                r["updated_at"],
            )
        except (KeyError, TypeError, ValueError):
            continue
        if c.loss is None or c.reported is None:
            continue
        old = claims.get(c.claim_id)
        if old is None or c.updated_at >= old.updated_at:
            claims[c.claim_id] = c
    treaties: dict[str, dict[str, str]] = {}
    for path in sorted((root / "reinsurance_treaties").glob("ingest_date=*/*")):
        text = b"\n".join(_lines(path)).decode("utf-8", errors="replace")
        for row in csv.DictReader(io.StringIO(text)):
            if len(row) != 16 or None in row.values():
                continue
            old = treaties.get(row["treaty_id"])
            if old is None or row["updated_at"] >= old["updated_at"]:
                treaties[row["treaty_id"]] = row
    return Lake(as_of, policies, claims, treaties)


class Fx:
    def __init__(self) -> None:
        self.rate: dict[tuple[str, str], float] = {}
        for row in csv.DictReader(io.StringIO(fx_rates_csv())):
            self.rate[(row["month"][:7], row["currency"])] = float(row["usd_per_unit"])

    def usd(self, amount: float, currency: str, day: dt.date) -> float:
        return amount * self.rate.get((day.isoformat()[:7], currency), math.nan)


def _phi(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def reported_share(ages_days: np.ndarray, mean_lag: float) -> np.ndarray:
    """P(report lag <= age) for the profile's log-normal lag."""
    s = REPORT_LAG_SIGMA
    mu = math.log(mean_lag) - s * s / 2
    ages = np.maximum(np.asarray(ages_days, dtype=np.float64), 1e-9)
    return _phi((np.log(ages) - mu) / s)


def _expected_reported(p: Policy, end: dt.date, as_of: dt.date, points: int = 12) -> float:
    """Expected share of a policy's (uniform over its cover) claims reported by as-of."""
    span = (end - p.inception).days
    if span <= 0:
        return 0.0
    t = (np.arange(points) + 0.5) / points * span
    ages = (as_of - p.inception).days - t
    return float(np.mean(reported_share(ages, PROFILES[p.line].report_lag_days)))


def _by_accident_year(p: Policy, end: dt.date, as_of: dt.date, points: int = 24):
    """(accident year, policy-years of exposure, share expected reported by as-of) for
    slices of a policy's cover up to ``end``."""
    span = (end - p.inception).days
    if span <= 0:
        return []
    t = (np.arange(points) + 0.5) / points * span
    ages = (as_of - p.inception).days - t
    shares = reported_share(ages, PROFILES[p.line].report_lag_days)
    years = [(p.inception + dt.timedelta(days=int(x))).year for x in t.tolist()]
    weight = span / points / 365.0
    return [(y, weight, float(sh)) for y, sh in zip(years, shares.tolist(), strict=True)]


@dataclass
class LineFigures:
    line: str
    exposure_years: float = 0.0
    claims: int = 0
    expected_claims: float = 0.0
    severity_usd: list[float] = field(default_factory=list)
    severity_si: list[float] = field(default_factory=list)
    fe_premium: float = 0.0
    fe_incurred: float = 0.0
    fe_expected_reported: float = 0.0  # premium-weighted expected reported share
    fe_target: float = 0.0  # premium-weighted priced loss ratio
    fe_expected_claims: float = 0.0

    @property
    def frequency(self) -> float:
        return self.claims / self.exposure_years if self.exposure_years else math.nan

    @property
    def reported_lr(self) -> float:
        return self.fe_incurred / self.fe_premium if self.fe_premium else math.nan

    @property
    def reported_share(self) -> float:
        return self.fe_expected_reported / self.fe_premium if self.fe_premium else math.nan

    @property
    def ultimate_lr(self) -> float:
        return self.reported_lr / self.reported_share if self.fe_premium else math.nan

    @property
    def target_lr(self) -> float:
        return self.fe_target / self.fe_premium if self.fe_premium else math.nan


@dataclass
class CatEvent:
    cause: str
    first: dt.date
    last: dt.date
    claims: int
    incurred_usd: float
    countries: set[str]


@dataclass
class Report:
    as_of: dt.date
    lines: dict[str, LineFigures]
    book: LineFigures
    closed_by_age: dict[str, list[tuple[str, int, float, float]]]
    xol: list[dict[str, object]]
    events: list[CatEvent]
    accident_years: dict[int, int]
    # (tail, accident year) -> [attritional claims reported, expected by now, expected ultimate]
    development: dict[tuple[str, int], list[float]]
    above_limit: list[str]
    denied_with_incurred: list[str]
    history_years: float

    @property
    def xol_ratio(self) -> float:
        premium = sum(float(t["premium"]) for t in self.xol)  # type: ignore[arg-type]
        loss = sum(float(t["loss"]) for t in self.xol)  # type: ignore[arg-type]
        return loss / premium if premium else math.nan


def _cover_end(p: Policy) -> dt.date:
    if p.status == "cancelled":
        return p.effective
    return p.expiry + dt.timedelta(days=1)


def catastrophe_clusters(claims: list[Claim], fx: Fx) -> tuple[list[CatEvent], set[str]]:
    """Claims of one catastrophe cause within a few days of each other, CAT_MIN_CLAIMS or
    more: the events, and the ids of their claims."""
    events: list[CatEvent] = []
    members: set[str] = set()
    by_cause: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.cause in CAT_CAUSES:
            by_cause[c.cause].append(c)
    for cause, group in by_cause.items():
        group.sort(key=lambda c: c.loss)
        run: list[Claim] = []
        for c in [*group, None]:
            if c is not None and run and (c.loss - run[-1].loss).days <= CAT_GAP_DAYS:
                run.append(c)
                continue
            if len(run) >= CAT_MIN_CLAIMS:
                events.append(
                    CatEvent(
                        cause,
                        run[0].loss,
                        run[-1].loss,
                        len(run),
                        sum(fx.usd(x.incurred, x.currency, x.loss) for x in run),
                        set(),
                    )
                )
                members.update(x.claim_id for x in run)
            run = [c] if c is not None else []
    events.sort(key=lambda e: e.first)
    return events, members


def calibrate(root: Path) -> Report:
    lake = read_lake(root)
    fx = Fx()
    as_of = lake.as_of
    bound = {
        pid: p
        for pid, p in lake.policies.items()
        if not p.deleted and p.status != "quoted" and p.inception <= as_of
    }
    claims = [c for c in lake.claims.values() if c.policy_id in bound]
    events, cat_ids = catastrophe_clusters(claims, fx)
    lines: dict[str, LineFigures] = {code: LineFigures(code) for code in PROFILES}
    book = LineFigures("book")
    by_policy: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_policy[c.policy_id].append(c)
    first_day = min((p.inception for p in bound.values()), default=as_of)
    development: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for p in bound.values():
        if p.line not in lines:
            continue
        prof = PROFILES[p.line]
        end = _cover_end(p)
        seen_end = min(end, as_of)
        years = max((seen_end - p.inception).days, 0) / 365.0
        share = _expected_reported(p, seen_end, as_of)
        tail = "long" if prof.long_tail else "short"
        for year, weight, rep in _by_accident_year(p, seen_end, as_of):
            cell = development[(tail, year)]
            cell[1] += prof.frequency * weight * rep
            cell[2] += prof.frequency * weight
        f = lines[p.line]
        f.exposure_years += years
        f.expected_claims += prof.frequency * years * share
        mine = by_policy.get(p.policy_id, [])
        for c in mine:
            if c.claim_id not in cat_ids:
                f.claims += 1
                development[(tail, c.loss.year)][0] += 1
            if c.status != "denied" and c.claim_id not in cat_ids:
                f.severity_usd.append(fx.usd(c.incurred, c.currency, c.loss))
                f.severity_si.append(c.incurred / p.sum_insured if p.sum_insured else math.nan)
        if end <= as_of:  # fully earned
            premium = fx.usd(p.gwp, p.currency, p.inception)
            incurred = sum(fx.usd(c.incurred, c.currency, c.loss) for c in mine)
            cyc = UNDERWRITING_CYCLE.get(p.inception.year, 1.0)
            f.fe_premium += premium
            f.fe_incurred += incurred
            f.fe_expected_reported += premium * share
            f.fe_target += premium * prof.target_loss_ratio / cyc
            f.fe_expected_claims += prof.frequency * years
    for f in lines.values():
        for name in (
            "exposure_years",
            "claims",
            "expected_claims",
            "fe_premium",
            "fe_incurred",
            "fe_expected_reported",
            "fe_target",
            "fe_expected_claims",
        ):
            setattr(book, name, getattr(book, name) + getattr(f, name))
        book.severity_usd += f.severity_usd
        book.severity_si += f.severity_si

    # closed by age since report, short and long tail
    closed: dict[str, list[tuple[str, int, float, float]]] = {}
    for tail in ("short", "long"):
        rows = []
        group = [
            c
            for c in claims
            if PROFILES.get(bound[c.policy_id].line)
            and PROFILES[bound[c.policy_id].line].long_tail == (tail == "long")
            and c.claim_id not in cat_ids
        ]
        for lo, hi, label in CLOSED_AGES:
            sub = [c for c in group if lo <= (as_of - c.reported).days < hi]
            if not sub:
                rows.append((label, 0, math.nan, math.nan))
                continue
            share = sum(c.status in ("closed", "denied") for c in sub) / len(sub)
            expected = []
            for c in sub:
                med = PROFILES[bound[c.policy_id].line].settle_days
                age = max((as_of - c.reported).days, 1e-9)
                expected.append(float(_phi(np.array([math.log(age / med) / SETTLE_SIGMA]))[0]))
            rows.append((label, len(sub), share, float(np.mean(expected))))
        closed[tail] = rows

    xol = _xol(lake, bound, claims, fx, as_of)
    accident_years: dict[int, int] = defaultdict(int)
    for c in claims:
        accident_years[c.loss.year] += 1
    above = [
        c.claim_id
        for c in claims
        if c.incurred > bound[c.policy_id].min_sum_insured + 0.005
        and c.currency == bound[c.policy_id].currency
    ]
    denied = [c.claim_id for c in claims if c.status == "denied" and abs(c.incurred) > 0.005]
    return Report(
        as_of,
        lines,
        book,
        closed,
        xol,
        events,
        dict(sorted(accident_years.items())),
        dict(sorted(development.items())),
        above,
        denied,
        (as_of - first_day).days / 365.0,
    )


def _xol(
    lake: Lake, bound: dict[str, Policy], claims: list[Claim], fx: Fx, as_of: dt.date
) -> list[dict[str, object]]:
    """Per excess-of-loss treaty: layer losses and premium of the covered policies."""
    active = [t for t in lake.treaties.values() if t["record_status"] == "active"]
    prop = {t["line_code"]: t for t in active if t["treaty_type"] != "excess_of_loss"}
    out = []
    for t in active:
        if t["treaty_type"] != "excess_of_loss":
            continue
        line, cur = t["line_code"], t["currency"]
        retention, limit = float(t["retention_amount"]), float(t["limit_amount"])
        rate = float(t["premium_rate_pct"]) / 100
        pols = {pid: p for pid, p in bound.items() if p.line == line}
        premium = 0.0
        for p in pols.values():
            end = min(_cover_end(p), as_of)
            term = max((_cover_end(p) - p.inception).days, 1)
            earned = max((end - p.inception).days, 0) / term
            premium += rate * p.gwp * earned * fx.usd(1.0, p.currency, p.inception)
        loss = 0.0
        hits = 0
        pt = prop.get(line)
        for c in claims:
            p = pols.get(c.policy_id)
            if p is None:
                continue
            kept = 1.0
            if pt is not None and pt["cession_pct"]:
                kept = 1 - float(pt["cession_pct"]) / 100
            elif pt is not None and pt["retention_amount"]:
                r_amt = float(pt["retention_amount"]) / fx.usd(1.0, pt["currency"], p.inception)
                l_amt = float(pt["limit_amount"]) / fx.usd(1.0, pt["currency"], p.inception)
                si = fx.usd(p.sum_insured, p.currency, p.inception)
                kept = 1 - min(max(si - r_amt, 0), l_amt) / si if si else 1.0
            usd = fx.usd(c.incurred * kept, c.currency, c.loss)
            in_treaty = usd / fx.usd(1.0, cur, c.loss)
            layer = min(max(in_treaty - retention, 0.0), limit)
            if layer > 0:
                hits += 1
            loss += layer * fx.usd(1.0, cur, c.loss)
        years = max((as_of - min((p.inception for p in pols.values()), default=as_of)).days, 1)
        limit_usd = limit * fx.usd(1.0, cur, as_of)
        out.append(
            {
                "treaty": t["treaty_id"],
                "line": line,
                "layer": f"{limit / 1e6:.1f}m xs {retention / 1e6:.1f}m {cur}",
                "rate_pct": rate * 100,
                "premium": premium,
                "loss": loss,
                "claims": hits,
                "rol": premium / (years / 365) / limit_usd if limit_usd else math.nan,
            }
        )
    return out


def min_claims(line: str) -> float:
    """Expected claims a line's fully earned policies need for its loss ratio band."""
    return LINE_MIN_CLAIMS_FACTOR * (1 + PROFILES[line].severity_cv2())


def check(report: Report) -> list[str]:
    """The figures outside their bands (an empty list when the book is believable)."""
    problems = []
    ult = report.book.ultimate_lr
    if not BOOK_LR_BAND[0] <= ult <= BOOK_LR_BAND[1]:
        problems.append(f"book gross loss ratio at ultimate {ult:.0%} outside {BOOK_LR_BAND}")
    for f in report.lines.values():
        if f.fe_expected_claims >= min_claims(f.line) and not (
            LINE_LR_BAND[0] <= f.ultimate_lr <= LINE_LR_BAND[1]
        ):
            problems.append(f"{f.line}: loss ratio at ultimate {f.ultimate_lr:.0%}")
        if f.expected_claims >= FREQUENCY_MIN_CLAIMS:
            ratio = f.claims / f.expected_claims
            if not FREQUENCY_BAND[0] <= ratio <= FREQUENCY_BAND[1]:
                problems.append(f"{f.line}: {ratio:.2f} x the expected reported claims")
    if not XOL_BAND[0] <= report.xol_ratio <= XOL_BAND[1]:
        problems.append(f"excess of loss: layer losses {report.xol_ratio:.0%} of premium")
    if report.above_limit:
        problems.append(f"{len(report.above_limit)} claims above their policy's limit")
    if report.denied_with_incurred:
        problems.append(f"{len(report.denied_with_incurred)} denied claims carry an incurred")
    if len(report.events) < math.floor(report.history_years):
        problems.append(
            f"{len(report.events)} catastrophe events over {report.history_years:.1f} years"
        )
    return problems


def _pct(x: float) -> str:
    return "    -" if math.isnan(x) else f"{100 * x:5.0f}%"


def render(report: Report) -> str:
    out = [
        f"Calibration of the lake as of {report.as_of} "
        f"({report.history_years:.1f} years of policies)",
        "",
        "Claims by accident year: "
        + ", ".join(f"{y}: {n}" for y, n in report.accident_years.items()),
        "",
        "By line (frequency: attritional claims per policy-year reported, against the target"
        " x the share expected reported at age; severity: mean incurred of claims not denied;"
        " loss ratio: fully earned policies, gross, reported / at ultimate / priced target;"
        " * = enough claims for the line's band)",
        f"{'line':<12} {'pol-yrs':>8} {'claims':>7} {'expected':>8} {'freq':>6} {'target':>6} "
        f"{'sev USD k':>9} {'sev/SI':>7} {'LEV/SI':>7} {'FE prem USD k':>13} "
        f"{'LR rep':>6} {'rep%':>6} {'LR ult':>6} {'target':>6}",
    ]
    rows = [*report.lines.values(), report.book]
    for f in rows:
        prof = PROFILES.get(f.line)
        sev = float(np.mean(f.severity_usd)) / 1000 if f.severity_usd else math.nan
        sev_si = float(np.nanmean(f.severity_si)) if f.severity_si else math.nan
        out.append(
            f"{f.line:<12} {f.exposure_years:8.0f} {f.claims:7d} {f.expected_claims:8.1f} "
            f"{f.frequency:6.3f} {prof.frequency if prof else math.nan:6.3f} "
            f"{sev:9.0f} {sev_si:7.4f} "
            f"{prof.limited_severity() if prof else math.nan:7.4f} "
            f"{f.fe_premium / 1000:13,.0f} {_pct(f.reported_lr)} {_pct(f.reported_share)} "
            f"{_pct(f.ultimate_lr)} {_pct(f.target_lr)}"
            + (" *" if prof and f.fe_expected_claims >= min_claims(f.line) else "")
        )
    out += [
        "",
        "Attritional claims by accident year: reported / expected reported at age / "
        "expected ultimate (long-tail lines are immature on recent years)",
    ]
    for tail in ("short", "long"):
        cells = "  ".join(
            f"{year}: {v[0]:.0f} / {v[1]:.0f} / {v[2]:.0f}"
            for (t, year), v in report.development.items()
            if t == tail and v[2] >= 1
        )
        out.append(f"  {tail + ' tail':<11} {cells}")
    out += ["", "Share of claims closed by age since report (actual / expected by the pattern)"]
    for tail, rows_ in report.closed_by_age.items():
        cells = "  ".join(
            f"{label}: {_pct(share).strip()} / {_pct(exp).strip()} (n={n})"
            for label, n, share, exp in rows_
        )
        out.append(f"  {tail + ' tail':<11} {cells}")
    out += [
        "",
        "Excess of loss (per claim; losses and premium in USD, premium earned to date)",
        f"{'treaty':<9} {'line':<12} {'layer':<24} {'rate%':>6} {'premium k':>10} "
        f"{'losses k':>10} {'claims':>6} {'loss/prem':>9} {'ROL':>6}",
    ]
    for t in report.xol:
        prem, loss = float(t["premium"]), float(t["loss"])  # type: ignore[arg-type]
        out.append(
            f"{t['treaty']:<9} {t['line']:<12} {t['layer']:<24} {t['rate_pct']:6.2f} "
            f"{prem / 1000:10,.0f} {loss / 1000:10,.0f} {t['claims']:6d} "
            f"{_pct(loss / prem if prem else math.nan)} {_pct(float(t['rol']))}"  # type: ignore[arg-type]
        )
    out.append(f"{'book':<9} layer losses / layer premium {_pct(report.xol_ratio)}")
    out += ["", "Catastrophe events (claims of one cause on the same dates)"]
    total_cat = 0.0
    for e in report.events:
        total_cat += e.incurred_usd
        out.append(
            f"  {e.first} .. {e.last}  {e.cause:<22} {e.claims:4d} claims  "
            f"USD {e.incurred_usd / 1e6:8.1f}m"
        )
    book_inc = sum(
        sum(x for x in f.severity_usd) for f in report.lines.values()
    )  # attritional, not denied
    out.append(
        f"  {len(report.events)} events, USD {total_cat / 1e6:.1f}m "
        f"(attritional incurred USD {book_inc / 1e6:.1f}m)"
    )
    out += [
        "",
        f"Claims above their policy's limit: {len(report.above_limit)}; "
        f"denied claims with an incurred: {len(report.denied_with_incurred)}",
    ]
    problems = check(report)
    out.append("")
    if problems:
        out.append("OUT OF BAND:")
        out += [f"  - {p}" for p in problems]
    else:
        out.append("Every figure is within its band.")
    return "\n".join(out) + "\n"
