"""Turning version rows of the world into the contract's record formats.

Values are encoded column by column (fast, vectorised where it matters): each source
gives an ordered list of (field name, encoded values). A CSV row joins the encoded fields
with commas; a JSON line pairs them with their keys.
"""

from __future__ import annotations

import numpy as np

from generator.catalog import COUNTRIES, INDUSTRIES, LINES
from generator.pools import csv_field, encoded_pool, json_str, locale_pool, people_pool
from generator.profiles import CAT_CAUSES, PROFILES
from generator.world import (
    CLAIM_STATUSES,
    N_ADJUSTERS,
    N_BROKERS,
    N_UNDERWRITERS,
    POLICY_STATUSES,
    RISK_RATINGS,
    TREATY_TYPES,
    Frame,
    World,
    reinsurer,
)

Columns = list[tuple[str, list[str]]]

CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "insureds": (
        "insured_id",
        "insured_type",
        "full_name",
        "email",
        "phone",
        "date_of_birth",
        "industry",
        "address_line",
        "city",
        "region",
        "postal_code",
        "country_code",
        "annual_revenue_usd",
        "risk_rating",
        "record_status",
        "created_at",
        "updated_at",
    ),
    "reinsurance_treaties": (
        "treaty_id",
        "treaty_name",
        "reinsurer_name",
        "reinsurer_rating",
        "treaty_type",
        "line_code",
        "inception_date",
        "expiry_date",
        "currency",
        "cession_pct",
        "retention_amount",
        "limit_amount",
        "premium_rate_pct",
        "commission_pct",
        "record_status",
        "updated_at",
    ),
    "specialty_lines": (
        "line_code",
        "line_name",
        "line_group",
        "is_active",
        "record_status",
        "updated_at",
    ),
}
# New optional JSON fields that appear from the schema-drift batch on.
DRIFT_FIELDS: dict[str, str] = {
    "policies": "distribution_channel",
    "claims": "catastrophe_code",
}


_DAY0 = -25_567  # 1900-01-01 as days since the epoch
_DATE_TABLE: list[str] = []
_TIME_TABLE: list[str] = []


def _date_table() -> list[str]:
    if not _DATE_TABLE:
        span = np.arange(_DAY0, _DAY0 + 200 * 366)
        _DATE_TABLE.extend(np.datetime_as_string(span.astype("datetime64[D]")).tolist())
    return _DATE_TABLE


def _time_table() -> list[str]:
    if not _TIME_TABLE:
        _TIME_TABLE.extend(
            f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)
        )
    return _TIME_TABLE


def dates(day_numbers: np.ndarray) -> list[str]:
    """``YYYY-MM-DD`` for days since the epoch (a table lookup, not a formatter call)."""
    table = _date_table()
    return [table[d] for d in (np.asarray(day_numbers, dtype=np.int64) - _DAY0).tolist()]


def timestamps(seconds: np.ndarray) -> list[str]:
    """``YYYY-MM-DDTHH:MM:SSZ`` for seconds since the epoch."""
    table, clock = _date_table(), _time_table()
    secs = np.asarray(seconds, dtype=np.int64)
    day = (secs // 86_400 - _DAY0).tolist()
    tod = (secs % 86_400).tolist()
    return [f"{table[d]}T{clock[t]}Z" for d, t in zip(day, tod, strict=True)]


def money(cents: np.ndarray) -> list[str]:
    """Fixed two-place decimals from integer cents.

    Formatting cents / 100 with two places gives the exact decimal while |cents| < 10**15
    (the double nearest to it is then within a thousandth of a cent), which every amount
    of the lake is: one format call per value, no arithmetic per row in Python."""
    c = np.asarray(cents, dtype=np.int64)
    return list(map("{:.2f}".format, (c / 100).tolist()))


def whole_money(cents: np.ndarray) -> list[str]:
    """money() for amounts in whole units (sums insured, deductibles): a cheaper path."""
    c = np.asarray(cents, dtype=np.int64)
    if (c % 100).any() or (c < 0).any():
        return money(c)
    return [f"{q}.00" for q in (c // 100).tolist()]


def quoted(values: list[str]) -> list[str]:
    return [f'"{v}"' for v in values]


def insured_id(idx: np.ndarray) -> list[str]:
    return [f"INS-{i + 1:07d}" for i in np.asarray(idx).tolist()]


def policy_id(idx: np.ndarray) -> list[str]:
    return [f"POL-{i + 1:08d}" for i in np.asarray(idx).tolist()]


def claim_id(idx: np.ndarray) -> list[str]:
    return [f"CLM-{i + 1:09d}" for i in np.asarray(idx).tolist()]


def treaty_id(idx: int) -> str:
    return f"TRT-{idx + 1:04d}"


def _by_locale(
    world: World, country: np.ndarray, idx: np.ndarray, field: str, stream: str, encoding: str
) -> list[str]:
    """A pool value of the country's locale for each row, pre-encoded (csv or json)."""
    out = np.empty(len(idx), dtype=object)
    pos = world.rand.integers(stream, idx, 0, 1 << 30)
    for ci in np.unique(country).tolist():
        pool = encoded_pool(COUNTRIES[ci].locale, world.cfg.seed, field, encoding)
        rows = country == ci
        out[rows] = pool[pos[rows] % len(pool)]
    return out.tolist()


# -- specialty lines ---------------------------------------------------------------------
def specialty_lines(world: World, f: Frame) -> Columns:
    lines = [LINES[i] for i in f["entity"].tolist()]
    names = [
        ln.name + (" Programme" if rn else "")
        for ln, rn in zip(lines, f["renamed"].tolist(), strict=True)
    ]
    return [
        ("line_code", [ln.code for ln in lines]),
        ("line_name", [csv_field(n) for n in names]),
        ("line_group", [csv_field(ln.group) for ln in lines]),
        ("is_active", ["true" if a else "false" for a in f["is_active"].tolist()]),
        ("record_status", ["active"] * len(lines)),
        ("updated_at", timestamps(f["updated_at"])),
    ]


# -- reinsurance treaties ----------------------------------------------------------------
def treaties(world: World, f: Frame) -> Columns:
    r = world.rand
    ents = f["entity"]
    ver = f["version"]
    cell = ents * 3 + ver
    rows: dict[str, list[str]] = {h: [] for h in CSV_HEADERS["reinsurance_treaties"]}
    # a renegotiated commission moves by 1.25 points a version
    commission_step = (ver - 1) * np.where(r.uniform("treaty:comm_dir", ents) < 0.5, -1.25, 1.25)
    rating_shift = np.where(ver > 1, r.integers("treaty:rating_shift", cell, -1, 2), 0)
    inception = world.treaty_inception_day()
    expiry = world.treaty_expiry_day()
    year = world.cfg.world_start.year - 1
    for i, e in enumerate(ents.tolist()):
        t = world.treaty_list[e]
        line = LINES[t.line]
        ttype = TREATY_TYPES[t.type]
        name, rating = reinsurer(world, e)
        ri = (RATING_INDEX[rating] + int(rating_shift[i])) % len(RATING_LIST)
        label = ttype.replace("_", " ").title().replace("Of", "of")
        rows["treaty_id"].append(treaty_id(e))
        rows["treaty_name"].append(csv_field(f"{line.name} {label} {year}"))
        rows["reinsurer_name"].append(csv_field(name))
        rows["reinsurer_rating"].append(RATING_LIST[ri])
        rows["treaty_type"].append(ttype)
        rows["line_code"].append(line.code)
        rows["inception_date"].append(dates(np.array([inception]))[0])
        rows["expiry_date"].append(dates(np.array([expiry]))[0])
        rows["currency"].append(t.currency)
        terms = t.terms
        cession = retention = limit = prem_rate = comm = ""
        if ttype == "quota_share":
            cession = f"{terms.cession_pct:.2f}"
            comm = f"{terms.commission_pct + commission_step[i]:.2f}"
        elif ttype == "surplus":
            retention, limit = money(np.array([terms.retention, terms.limit], np.int64) * 100)
            comm = f"{terms.commission_pct + commission_step[i]:.2f}"
        else:
            retention, limit = money(np.array([terms.retention, terms.limit], np.int64) * 100)
            prem_rate = f"{terms.rate_pct * (1 + 0.05 * (ver[i] - 1)):.2f}"
        rows["cession_pct"].append(cession)
        rows["retention_amount"].append(retention)
        rows["limit_amount"].append(limit)
        rows["premium_rate_pct"].append(prem_rate)
        rows["commission_pct"].append(comm)
        rows["record_status"].append("deleted" if f["deleted"][i] else "active")
    rows["updated_at"] = timestamps(f["updated_at"])
    return list(rows.items())


RATING_LIST = ("AA+", "AA", "AA-", "A+", "A", "A-", "BBB+")
RATING_INDEX = {r: i for i, r in enumerate(RATING_LIST)}


# -- insureds ----------------------------------------------------------------------------
def insureds(world: World, f: Frame) -> Columns:
    r = world.rand
    ents = f["entity"]
    country = world.insured_country(ents)
    corporate = world.insured_is_corporate(ents)
    person = _by_locale(world, country, ents, "person_names", "insured:name", "csv")
    company = _by_locale(world, country, ents, "company_names", "insured:name", "csv")
    contact_key = ents * 8 + f["contact_v"]
    address_key = ents * 8 + f["address_v"]

    def local(field: str, key: np.ndarray) -> list[str]:
        return _by_locale(world, country, key, field, f"insured:{field}", "csv")

    dob = dates(world.start_day - r.integers("insured:dob", ents, 25 * 365, 80 * 365))
    industry = r.integers("insured:industry", ents, 0, len(INDUSTRIES)).tolist()
    revenue = money(
        np.round(r.lognormal("insured:revenue", ents, 5e7, 1.5), 0).astype(np.int64) * 100
    )
    base_rating = r.integers("insured:rating", ents, 0, 5)
    rating_step = r.integers("insured:rating_step", ents * 8 + f["rating_v"], -1, 2)
    rating = np.clip(base_rating + np.where(f["rating_v"] > 0, rating_step, 0), 0, 4).tolist()
    corp = corporate.tolist()
    industries = [csv_field(x) for x in INDUSTRIES]
    return [
        ("insured_id", insured_id(ents)),
        ("insured_type", ["corporate" if c else "individual" for c in corp]),
        ("full_name", [c if k else p for k, c, p in zip(corp, company, person, strict=True)]),
        ("email", local("emails", contact_key)),
        ("phone", local("phones", contact_key)),
        ("date_of_birth", ["" if k else d for k, d in zip(corp, dob, strict=True)]),
        ("industry", [industries[i] if k else "" for k, i in zip(corp, industry, strict=True)]),
        ("address_line", local("streets", address_key)),
        ("city", local("cities", address_key)),
        ("region", local("regions", address_key)),
        ("postal_code", local("postcodes", address_key)),
        ("country_code", [COUNTRY_CODES[c] for c in country.tolist()]),
        ("annual_revenue_usd", [v if k else "" for k, v in zip(corp, revenue, strict=True)]),
        ("risk_rating", [RISK_RATINGS[x] for x in rating]),
        ("record_status", ["deleted" if d else "active" for d in f["deleted"].tolist()]),
        ("created_at", timestamps(f["created_at"])),
        ("updated_at", timestamps(f["updated_at"])),
    ]


COUNTRY_CODES = [c.code for c in COUNTRIES]
CURRENCY_CODES = [c.currency for c in COUNTRIES]


def _currency_codes(currency: np.ndarray) -> list[str]:
    return ['"USD"' if c < 0 else f'"{CURRENCY_CODES[c]}"' for c in currency.tolist()]


def _staff(world: World, prefix: str, count: int, stride: int = 1) -> list[str]:
    """``{"id": …, "name": …}`` members for the market's staff, encoded once."""
    names = people_pool(world.cfg.seed)
    return [
        f'{{"id": "{prefix}-{i + 1:03d}", "name": {json_str(names[(i * stride) % len(names)])}}}'
        for i in range(count)
    ]


def _brokers(world: World) -> list[str]:
    companies = locale_pool("en_GB", world.cfg.seed).company_names
    country = world.rand.choice(
        "broker:country", np.arange(N_BROKERS), np.array([c.weight for c in COUNTRIES])
    ).tolist()
    return [
        f'{{"id": "BRK-{b + 1:03d}", "name": {json_str(companies[b % len(companies)])}, '
        f'"country_code": "{COUNTRY_CODES[country[b]]}"}}'
        for b in range(N_BROKERS)
    ]


# -- policies ----------------------------------------------------------------------------
def policies(world: World, f: Frame, drift: bool) -> Columns:
    r = world.rand
    ents = f["entity"]
    n = len(ents)
    line = f["line"]
    broker = r.integers("policy:broker", ents % CLONE_MODULUS, 0, N_BROKERS)
    uw = r.integers("policy:underwriter", ents % CLONE_MODULUS, 0, N_UNDERWRITERS)
    commission = (10 + r.integers("policy:commission", broker, 0, 31) * 0.5).tolist()
    gwp = f["gwp"]
    tax_rate = np.array([c.tax_pct for c in COUNTRIES])[f["country"]] / 100.0
    taxes = np.round(gwp * tax_rate).astype(np.int64)
    si_cents = (f["sum_insured"] * 100).astype(np.int64)
    ded_share = (
        LINE_DEDUCTIBLE[line] * np.array([0.5, 1.0, 1.0, 2.0])[r.integers("policy:ded", ents, 0, 4)]
    )
    deductible = (np.round(f["sum_insured"] * ded_share, -3) * 100).astype(np.int64)

    # coverages: up to three per line; the first covers the full sum insured, the premium
    # is split 80/15/5 with the last taking the cents that rounding leaves
    n_cov = np.minimum(r.integers("policy:n_cov", ents, 1, 4), LINE_COVERAGE_COUNT[line])
    shares = np.array([[1.0, 0.0, 0.0], [0.8 / 0.95, 0.15 / 0.95, 0.0], [0.8, 0.15, 0.05]])[
        n_cov - 1
    ]
    prem = np.round(gwp[:, None] * shares).astype(np.int64)
    last = n_cov - 1
    prem[np.arange(n), last] = gwp - (prem.sum(axis=1) - prem[np.arange(n), last])
    limits = np.stack(
        [si_cents, si_cents // 4 // 100_000 * 100_000, si_cents // 5 // 100_000 * 100_000], axis=1
    )
    # versions of a policy mostly repeat its coverages: render each distinct one once
    codes = LINE_COVERAGE_CODES
    lim_all = whole_money(limits.ravel())
    prem_all = money(prem.ravel())
    coverages: list[str] = []
    rendered: dict[tuple, str] = {}
    for i, key in enumerate(
        zip(line.tolist(), n_cov.tolist(), si_cents.tolist(), gwp.tolist(), strict=True)
    ):
        text = rendered.get(key)
        if text is None:
            cs = codes[key[0]]
            text = rendered[key] = (
                "["
                + ", ".join(
                    f'{{"coverage_code": "{cs[c]}", "limit": {lim_all[3 * i + c]}, '
                    f'"premium": {prem_all[3 * i + c]}}}'
                    for c in range(key[1])
                )
                + "]"
            )
        coverages.append(text)

    line_l = line.tolist()
    gwp_s, taxes_s = money(gwp), money(taxes)
    premium = [
        f'{{"gross_written": {g}, "commission_pct": {c:.1f}, "taxes": {t}}}'
        for g, c, t in zip(gwp_s, commission, taxes_s, strict=True)
    ]
    underwriters = _staff(world, "UW", N_UNDERWRITERS)
    brokers = _brokers(world)
    treaty_lists = [
        "[" + ", ".join(f'"{treaty_id(t)}"' for t in world.treaties_by_line[li]) + "]"
        for li in range(len(LINES))
    ]
    incep_s = dates(f["inception"])
    prefixes = [ln.code.split("-")[0] for ln in LINES]
    numbers = [
        f'"{prefixes[li]}-{d[:4]}-{e + 1:06d}"'
        for li, d, e in zip(line_l, incep_s, ents.tolist(), strict=True)
    ]
    cols: Columns = [
        ("policy_id", quoted(policy_id(ents))),
        ("policy_number", numbers),
        ("insured_id", quoted(insured_id(f["insured"]))),
        ("line_code", [f'"{LINES[x].code}"' for x in line_l]),
        ("treaty_ids", [treaty_lists[x] for x in line_l]),
        ("status", [f'"{POLICY_STATUSES[s]}"' for s in f["status"].tolist()]),
        ("inception_date", quoted(incep_s)),
        ("expiry_date", quoted(dates(f["expiry"]))),
        ("currency", _currency_codes(f["currency"])),
        ("premium", premium),
        ("effective_date", quoted(dates(f["effective_day"]))),
        ("sum_insured", whole_money(si_cents)),
        ("deductible", whole_money(deductible)),
        ("coverages", coverages),
        ("underwriter", [underwriters[u] for u in uw.tolist()]),
        ("broker", [brokers[b] for b in broker.tolist()]),
        ("record_status", ['"deleted"' if d else '"active"' for d in f["deleted"].tolist()]),
        ("version", [str(v) for v in f["version"].tolist()]),
        ("updated_at", quoted(timestamps(f["updated_at"]))),
    ]
    if drift:
        channel = ('"broker"', '"direct"', '"mga"')
        chan = r.choice("policy:channel", ents, np.array([0.75, 0.1, 0.15])).tolist()
        cols.append((DRIFT_FIELDS["policies"], [channel[c] for c in chan]))
    return cols


LINE_COVERAGE_CODES = [ln.coverages for ln in LINES]
LINE_DEDUCTIBLE = np.array([PROFILES[ln.code].deductible_pct / 100 for ln in LINES])
LINE_COVERAGE_COUNT = np.array([len(ln.coverages) for ln in LINES])
CLONE_MODULUS = 80_000_000


# -- claims ------------------------------------------------------------------------------
def claims(world: World, f: Frame, drift: bool) -> Columns:
    r = world.rand
    ents = f["entity"]
    line = f["line"].tolist()
    cause_pos = r.integers("claim:cause", ents, 0, 1 << 20).tolist()
    peril = f["peril"]
    # a catastrophe claim happens where its event struck: the insured's country
    abroad = (r.uniform("claim:abroad", ents) < 0.2) & (peril < 0)
    loc_country = np.where(
        abroad,
        r.choice("claim:loc_country", ents, np.array([c.weight for c in COUNTRIES])),
        f["country"],
    )
    region = _by_locale(world, loc_country, ents, "regions", "claim:region", "json")
    adjusters = _staff(world, "ADJ", N_ADJUSTERS, stride=7)
    adjuster = r.integers("claim:adjuster", ents, 0, N_ADJUSTERS).tolist()
    paid, reserve, recovered = money(f["paid"]), money(f["reserve"]), money(f["recovered"])
    causes = [[json_str(c) for c in ln.causes] for ln in LINES]
    cat_causes = [json_str(c) for c in CAT_CAUSES]
    cols: Columns = [
        ("claim_id", quoted(claim_id(ents))),
        ("policy_id", quoted(policy_id(f["policy"]))),
        ("loss_date", quoted(dates(f["loss_day"]))),
        ("reported_date", quoted(dates(f["reported_day"]))),
        ("status", [f'"{CLAIM_STATUSES[s]}"' for s in f["status"].tolist()]),
        (
            "cause_of_loss",
            [
                cat_causes[pe] if pe >= 0 else causes[li][p % len(causes[li])]
                for li, p, pe in zip(line, cause_pos, peril.tolist(), strict=True)
            ],
        ),
        (
            "loss_location",
            [
                f'{{"country_code": "{COUNTRY_CODES[c]}", "region": {rg}}}'
                for c, rg in zip(loc_country.tolist(), region, strict=True)
            ],
        ),
        ("currency", _currency_codes(f["currency"])),
        (
            "amounts",
            [
                f'{{"paid": {p}, "reserve": {s}, "recovered": {c}}}'
                for p, s, c in zip(paid, reserve, recovered, strict=True)
            ],
        ),
        ("adjuster", [adjusters[a] for a in adjuster]),
        ("record_status", ['"active"'] * len(line)),
        ("updated_at", quoted(timestamps(f["updated_at"]))),
    ]
    if drift:
        codes = ["null"] + [f'"{c}"' for c in world.events.code]
        cols.append((DRIFT_FIELDS["claims"], [codes[e + 1] for e in f["event"].tolist()]))
    return cols


def csv_lines(cols: Columns) -> list[str]:
    return [",".join(row) for row in zip(*(values for _, values in cols), strict=True)]


def json_lines(cols: Columns) -> list[str]:
    template = "{" + ", ".join(f'"{name}": %s' for name, _ in cols) + "}"
    return [template % row for row in zip(*(values for _, values in cols), strict=True)]
