"""The simulated insurance market, as version tables of plain arrays.

Every entity's whole life (each version, its values and its system time) is a pure
function of the seed and the entity's index (see ``rng``), computed vectorised for a
chunk of entities at a time. Which batch delivers a version follows from its
``updated_at``: batch k carries the changes written on the day before its ingest date,
and the first batch carries everything older (the initial load).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from generator import events as cat
from generator import pricing
from generator.catalog import COUNTRIES, FX_CENTRE, LINES, REINSURERS, TREATY_TYPE_PROBABILITY
from generator.config import GeneratorConfig
from generator.profiles import (
    PROFILES,
    RATING_NOISE_SIGMA,
    REPORT_LAG_SIGMA,
    SETTLE_SIGMA,
)
from generator.rng import Rand

Frame = dict[str, np.ndarray]
DAY = 86_400
EPOCH = dt.date(1970, 1, 1)

POLICY_STATUSES = ("quoted", "bound", "endorsed", "cancelled", "expired")
CLAIM_STATUSES = ("open", "closed", "reopened", "denied")
TREATY_TYPES = ("quota_share", "surplus", "excess_of_loss")
RISK_RATINGS = ("A", "B", "C", "D", "E")
MAX_POLICY_VERSIONS = 6
MAX_CLAIMS_PER_POLICY = 4
MAX_CLAIM_VERSIONS = 8
N_UNDERWRITERS = 40
N_BROKERS = 120
N_ADJUSTERS = 60

COUNTRY_WEIGHTS = np.array([c.weight for c in COUNTRIES])
LINE_WEIGHTS = np.array([ln.weight for ln in LINES])
COUNTRY_FX = np.array([FX_CENTRE[c.currency] for c in COUNTRIES])
CAT_SLOT = MAX_CLAIMS_PER_POLICY - 1  # the claim index a catastrophe claim takes


def _profile_array(name: str) -> np.ndarray:
    return np.array([getattr(PROFILES[ln.code], name) for ln in LINES], dtype=np.float64)


SEVERITY_MEAN = _profile_array("severity_mean")
SEVERITY_SIGMA = _profile_array("severity_sigma")
REPORT_LAG = _profile_array("report_lag_days")
SETTLE = _profile_array("settle_days")
LONG_TAIL = _profile_array("long_tail").astype(bool)


def days(d: dt.date) -> int:
    return (d - EPOCH).days


def take(frame: Frame, mask_or_index: np.ndarray) -> Frame:
    return {k: v[mask_or_index] for k, v in frame.items()}


def increasing(upd: np.ndarray, valid: np.ndarray, step: int = 60) -> np.ndarray:
    """Make each entity's version times strictly increasing (``step`` seconds apart at least)."""
    out = upd.copy()
    for c in range(1, out.shape[1]):
        out[:, c] = np.where(valid[:, c], np.maximum(out[:, c], out[:, c - 1] + step), out[:, c])
    return out


def flatten(valid: np.ndarray, **columns: np.ndarray) -> Frame:
    """(entities x versions) arrays with a validity mask to one row per valid version."""
    return {name: np.asarray(col)[valid] for name, col in columns.items()}


@dataclass(frozen=True)
class Treaty:
    idx: int
    line: int
    type: int
    currency: str
    terms: pricing.Terms


class World:
    def __init__(self, cfg: GeneratorConfig) -> None:
        self.cfg = cfg
        self.rand = Rand(cfg.seed)
        dates = cfg.batch_dates()
        self.cutoffs = np.array([days(d) * DAY for d in dates], dtype=np.int64)
        self.start_day = days(cfg.world_start)
        self.as_of_day = days(cfg.as_of)
        self.events = cat.catalogue(self.rand, cfg.world_start.year, cfg.as_of.year + 1)
        self.treaty_list = self._treaty_programme()
        by_line: list[list[int]] = [[] for _ in LINES]
        for t in self.treaty_list:
            by_line[t.line].append(t.idx)
        self.treaties_by_line = by_line

    # -- delivery -------------------------------------------------------------------
    def deliver_batch(self, updated_at: np.ndarray) -> np.ndarray:
        """0-based batch that delivers each version; ``batches`` = not delivered yet."""
        return np.searchsorted(self.cutoffs, updated_at, side="right")

    def _time_of_day(self, stream: str, idx: np.ndarray) -> np.ndarray:
        return self.rand.integers(stream, idx, 6 * 3600, 21 * 3600)

    # -- specialty lines --------------------------------------------------------------
    def specialty_lines(self) -> Frame:
        r = self.rand
        n = len(LINES)
        idx = np.arange(n)
        created = self.start_day - r.integers("line:age", idx, 400, 3000)
        # A few lines change: a renamed product, or a line put into run-off.
        changes = r.uniform("line:change", idx) < 0.25
        change_day = self.start_day + r.integers("line:change_day", idx, 0, self.cfg.history_days)
        k = np.arange(2)
        valid = np.stack([np.ones(n, bool), changes], axis=1)
        upd = np.stack([created, change_day], axis=1) * DAY + self._time_of_day(
            "line:tod", idx[:, None] * 2 + k
        )
        run_off = r.uniform("line:runoff", idx) < 0.4
        is_active = np.stack([np.ones(n, bool), ~run_off], axis=1)
        renamed = np.stack([np.zeros(n, bool), run_off == 0], axis=1)
        return flatten(
            valid,
            entity=np.repeat(idx[:, None], 2, axis=1),
            version=np.broadcast_to(k + 1, (n, 2)),
            updated_at=upd,
            is_active=is_active,
            renamed=renamed,
        )

    # -- reinsurance treaties -----------------------------------------------------------
    def _treaty_programme(self) -> list[Treaty]:
        """Each line's reinsurance programme: at most one proportional treaty (quota share
        or surplus, so proportional cessions never exceed the gross) and often an excess
        of loss layer on what they retain."""
        treaties: list[Treaty] = []
        qs = TREATY_TYPE_PROBABILITY["quota_share"]
        surplus = TREATY_TYPE_PROBABILITY["surplus"]

        def u(stream: str, key: int) -> float:
            return float(self.rand.uniform(stream, np.array([key]))[0])

        for li, _line in enumerate(LINES):
            p = u("treaty:proportional", li)
            types = [0] if p < qs else ([1] if p < qs + surplus else [])
            if u("treaty:has:excess_of_loss", li) < TREATY_TYPE_PROBABILITY["excess_of_loss"]:
                types.append(2)
            proportional: pricing.Terms | None = None
            for ti in types:
                key = li * 3 + ti
                cur = u("treaty:cur", key)
                currency = "USD" if cur < 0.7 else ("GBP" if cur < 0.85 else "EUR")
                if ti == 0:
                    cession = 20.0 + 5 * int(u("treaty:cession", key) * 7)
                    terms = pricing.quota_share(li, cession, u("treaty:commission", key))
                elif ti == 1:
                    terms = pricing.surplus(
                        li,
                        currency,
                        u("treaty:retention", key),
                        3 + int(u("treaty:lines", key) * 7),
                        u("treaty:commission", key),
                    )
                else:
                    terms = pricing.excess_of_loss(
                        li, currency, proportional, u("treaty:layer", key), u("treaty:load", key)
                    )
                if ti < 2:
                    proportional = terms
                treaties.append(Treaty(len(treaties), li, ti, currency, terms))
        return treaties

    def treaties(self) -> Frame:
        r = self.rand
        n = len(self.treaty_list)
        idx = np.arange(n)
        created = self.start_day - r.integers("treaty:age", idx, 30, 200)
        # Mid-term changes: a rating action on the reinsurer or a renegotiated commission.
        changes = np.minimum(r.poisson("treaty:changes", idx, 0.6, 2), 2)
        k = np.arange(3)
        valid = k[None, :] <= changes[:, None]
        step = r.integers("treaty:step", idx[:, None] * 3 + k, 20, self.cfg.history_days // 2)
        step[:, 0] = 0
        day = created[:, None] + np.where(k[None, :] == 0, 0, self.start_day - created[:, None])
        day = day + np.cumsum(step, axis=1)
        upd = day * DAY + self._time_of_day("treaty:tod", idx[:, None] * 3 + k)
        deleted = np.zeros((n, 3), bool)
        last = changes
        deleted[idx, last] = (r.uniform("treaty:deleted", idx) < 0.05) & (last > 0)
        return flatten(
            valid,
            entity=np.repeat(idx[:, None], 3, axis=1),
            version=np.broadcast_to(k + 1, (n, 3)),
            updated_at=upd,
            deleted=deleted,
        )

    def treaty_inception_day(self) -> int:
        year = self.cfg.world_start.year
        return days(dt.date(year - 1, 1, 1))

    def treaty_expiry_day(self) -> int:
        return days(dt.date(self.cfg.as_of.year + 1, 12, 31))

    # -- insureds -----------------------------------------------------------------------
    def insured_country(self, idx: np.ndarray) -> np.ndarray:
        return self.rand.choice("insured:country", idx, COUNTRY_WEIGHTS)

    def insured_is_corporate(self, idx: np.ndarray) -> np.ndarray:
        return self.rand.uniform("insured:corporate", idx) < 0.7

    def insureds(self, idx: np.ndarray) -> Frame:
        r = self.rand
        n = len(idx)
        kmax = 5
        k = np.arange(kmax)
        cell = idx[:, None] * kmax + k
        created = self.start_day - r.integers("insured:age", idx, 60, 1500)
        changes = r.poisson("insured:changes", idx, 1.0, kmax - 2)
        deleted = r.uniform("insured:deleted", idx) < 0.02
        n_versions = 1 + changes + deleted
        valid = k[None, :] < n_versions[:, None]
        # changes fall anywhere from creation to a little past the as-of date
        horizon = self.as_of_day + 60 - created
        frac = np.sort(np.where(valid, r.uniform("insured:change_at", cell), 2.0), axis=1)
        frac[:, 0] = 0.0
        day = created[:, None] + (frac * horizon[:, None]).astype(np.int64)
        upd = increasing(day * DAY + self._time_of_day("insured:tod", cell), valid)
        # what each change touches: 0 address move, 1 risk rating, 2 contact details
        what = r.integers("insured:what", cell, 0, 3)
        what[:, 0] = -1
        address_v = np.cumsum(what == 0, axis=1)
        rating_v = np.cumsum(what == 1, axis=1)
        contact_v = np.cumsum(what == 2, axis=1)
        is_deleted = deleted[:, None] & (k[None, :] == n_versions[:, None] - 1)
        return flatten(
            valid,
            entity=np.repeat(idx[:, None], kmax, axis=1),
            version=np.broadcast_to(k + 1, (n, kmax)),
            updated_at=upd,
            created_at=np.repeat((created * DAY + 9 * 3600)[:, None], kmax, axis=1),
            address_v=address_v,
            rating_v=rating_v,
            contact_v=contact_v,
            deleted=is_deleted,
        )

    # -- policies -------------------------------------------------------------------------
    def policies(self, idx: np.ndarray) -> tuple[Frame, Frame]:
        """Version rows of the policies ``idx`` and one row per policy for the claims."""
        r = self.rand
        cfg = self.cfg
        n = len(idx)
        kmax = MAX_POLICY_VERSIONS
        k = np.arange(kmax)
        cell = idx[:, None] * kmax + k

        line = r.choice("policy:line", idx, LINE_WEIGHTS)
        insured = r.integers("policy:insured", idx, 0, cfg.insureds)
        country = self.insured_country(insured)
        line_usd = np.array([ln.usd_share for ln in LINES])[line]
        usd = r.uniform("policy:usd", idx) < line_usd
        currency = np.where(usd, -1, country)  # -1 = USD, else the country's currency
        inception = self.start_day + r.integers("policy:inception", idx, 0, cfg.history_days + 60)
        expiry = inception + 364
        term = expiry - inception + 1
        fx = np.where(currency < 0, 1.0, COUNTRY_FX[currency])
        si_median = np.array([ln.si_median for ln in LINES])[line] * fx
        sum_insured = np.round(r.lognormal("policy:si", idx, 1.0, pricing.SI_SIGMA) * si_median, -3)
        # premium = expected loss / target loss ratio x rating noise x underwriting cycle
        year = (inception.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)) + 1970
        s = RATING_NOISE_SIGMA
        noise = np.exp(s * r.normal("policy:rate", idx) - s * s / 2)
        rate = (
            pricing.expected_loss_ratio_of_si(line, country)
            / pricing.TARGET_LR[line]
            * noise
            * pricing.cycle(year)
        )
        gwp0 = np.maximum(np.round(sum_insured * rate * 100), 50_000 * fx).astype(np.int64)  # cents

        lead = r.integers("policy:lead", idx, 3, 45)
        bound = r.uniform("policy:binds", idx) >= 0.08
        withdrawn = ~bound & (r.uniform("policy:withdrawn", idx) < 0.3)
        n_endorse = np.where(bound, r.poisson("policy:endorse", idx, 0.45, 2), 0)
        cancels = bound & (r.uniform("policy:cancels", idx) < 0.06)

        # effective dates of endorsements and cancellation, in order, inside the term
        frac = np.sort(r.uniform("policy:eff", cell[:, :3]), axis=1)
        eff_end = inception[:, None] + np.maximum(1, (frac * (term[:, None] - 2)).astype(np.int64))

        status = np.full((n, kmax), -1)
        eff = np.zeros((n, kmax), np.int64)
        upd_day = np.zeros((n, kmax), np.int64)
        gwp = np.zeros((n, kmax), np.int64)
        si = np.zeros((n, kmax), np.float64)

        quote_day = inception - lead
        status[:, 0] = 0
        eff[:, 0] = inception
        upd_day[:, 0] = quote_day
        gwp[:, 0] = gwp0
        si[:, 0] = sum_insured
        col = np.ones(n, np.int64)
        rows = np.arange(n)

        def put(mask, st, ef, ud, gw, s):
            c = col[mask]
            rr = rows[mask]
            status[rr, c] = st
            eff[rr, c] = ef
            upd_day[rr, c] = ud
            gwp[rr, c] = gw
            si[rr, c] = s
            col[mask] += 1

        # bound, some days after the quote and on or before inception
        bind_day = quote_day + 1 + (r.uniform("policy:bind_day", idx) * (lead - 1)).astype(np.int64)
        put(bound, 1, inception[bound], bind_day[bound], gwp0[bound], sum_insured[bound])
        # a withdrawn quote is soft-deleted
        put(
            withdrawn,
            0,
            inception[withdrawn],
            quote_day[withdrawn] + 20,
            gwp0[withdrawn],
            sum_insured[withdrawn],
        )
        cur_gwp = gwp0.copy()
        cur_si = sum_insured.copy()
        limit = sum_insured.copy()  # what the policy can pay at least, whatever its version
        for e in range(2):
            m = n_endorse > e
            change = 1.0 + r.uniform(f"policy:endorse_change:{e}", idx) * 0.35 - 0.1
            cur_gwp = np.where(m, np.round(cur_gwp * change), cur_gwp).astype(np.int64)
            cur_si = np.where(m, np.round(cur_si * change, -3), cur_si)
            limit = np.minimum(limit, cur_si)
            lag = r.integers(f"policy:endorse_lag:{e}", idx, 0, 12)
            put(m, 2, eff_end[m, e], eff_end[m, e] + lag[m], cur_gwp[m], cur_si[m])
        # cancellation: the retained premium is what the versions before it earned pro rata
        cancel_day = eff_end[:, 2]
        retained = self._earned_until(status, eff, gwp, expiry, term, cancel_day)
        put(
            cancels,
            3,
            cancel_day[cancels],
            cancel_day[cancels] + r.integers("policy:cancel_lag", idx, 0, 6)[cancels],
            retained[cancels],
            cur_si[cancels],
        )
        # expiry, written the day after the term ends
        expires = bound & ~cancels
        put(expires, 4, expiry[expires], expiry[expires] + 1, cur_gwp[expires], cur_si[expires])

        valid = status >= 0
        upd = upd_day * DAY + self._time_of_day("policy:tod", cell)
        # the bound version is written before the claims it covers can be reported
        upd[:, 1] = np.where(status[:, 1] == 1, upd_day[:, 1] * DAY + 7 * 3600, upd[:, 1])
        upd = increasing(upd, valid)
        deleted = np.zeros((n, kmax), bool)
        deleted[withdrawn, 1] = True

        per_version = flatten(
            valid,
            entity=np.repeat(idx[:, None], kmax, axis=1),
            version=np.broadcast_to(k + 1, (n, kmax)),
            updated_at=upd,
            status=status,
            effective_day=eff,
            gwp=gwp,
            sum_insured=si,
            deleted=deleted,
        )
        pos = np.repeat(np.arange(n)[:, None], kmax, axis=1)[valid]
        static: Frame = {
            "entity": idx,
            "line": line,
            "insured": insured,
            "country": country,
            "currency": currency,
            "inception": inception,
            "expiry": expiry,
            "bound": bound,
            "bind_ts": upd[:, 1],
            "cover_end": np.where(cancels, cancel_day, expiry + 1),
            "sum_insured": sum_insured,
            "limit": limit,
        }
        for name in ("line", "insured", "country", "currency", "inception", "expiry"):
            per_version[name] = static[name][pos]
        return per_version, static

    @staticmethod
    def _earned_until(status, eff, gwp, expiry, term, until) -> np.ndarray:
        """Premium earned pro rata by the versions written so far up to ``until``."""
        n, kmax = status.shape
        earned = np.zeros(n)
        valid = status >= 0
        for c in range(kmax):
            nxt = np.full(n, 0, np.int64)
            has_next = np.zeros(n, bool)
            if c + 1 < kmax:
                has_next = valid[:, c + 1]
                nxt = eff[:, c + 1]
            end = np.where(has_next, nxt, expiry + 1)
            end = np.minimum(end, until)
            span = np.clip(end - eff[:, c], 0, None)
            earned += np.where(valid[:, c], gwp[:, c] * span / term, 0.0)
        return np.round(earned).astype(np.int64)

    # -- claims ---------------------------------------------------------------------------
    def claims(self, pol: Frame) -> Frame:
        """Claims of the policies in ``pol``, each developing version by version.

        Attritional claims (up to three a policy, Poisson on the exposure of the term) and
        at most one catastrophe claim; every claim is capped at what its policy can pay,
        develops like its line (report lag, payments, reserves that strengthen or release)
        and closes; a denied one closes at nothing paid, a reopened one develops again.
        """
        r = self.rand
        pidx = pol["entity"]
        n = len(pidx)
        line = pol["line"]
        start = pol["inception"]
        end = pol["cover_end"]
        years = np.maximum(end - start, 0) / 365.0
        freq = pricing.FREQUENCY[line] * years
        n_claims = np.where(pol["bound"], r.poisson("claim:count", pidx, freq, CAT_SLOT), 0)
        event_of_policy = cat.hits(
            r, self.events, pidx, line, pol["country"], start, end, pol["bound"]
        )
        slots = np.arange(MAX_CLAIMS_PER_POLICY)
        has = slots[None, :] < n_claims[:, None]
        has[:, CAT_SLOT] = event_of_policy >= 0
        cidx = (pidx[:, None] * MAX_CLAIMS_PER_POLICY + slots)[has]  # global claim index
        row = np.repeat(np.arange(n)[:, None], len(slots), axis=1)[has]
        m = len(cidx)
        if m == 0:
            return {}
        is_cat = (cidx % MAX_CLAIMS_PER_POLICY) == CAT_SLOT
        event = np.where(is_cat, event_of_policy[row], -1)
        peril = np.where(is_cat, self.events.peril[np.maximum(event, 0)], -1)
        li = line[row]
        long_tail = LONG_TAIL[li] & ~is_cat

        # dates: loss within the cover, reported after a lag that is the line's
        span = np.maximum(end[row] - start[row], 1)
        loss = start[row] + (r.uniform("claim:loss", cidx) * span).astype(np.int64)
        if len(self.events):
            ev_day = self.events.day[np.maximum(event, 0)]
            ev_len = cat.EVENT_DAYS[np.maximum(peril, 0)]
            cat_loss = ev_day + (r.uniform("claim:cat_day", cidx) * ev_len).astype(np.int64)
            loss = np.where(is_cat, np.minimum(cat_loss, end[row] - 1), loss)
        s = REPORT_LAG_SIGMA
        lag_mean = np.where(is_cat, 7.0, REPORT_LAG[li])
        lag = lag_mean * np.exp(s * r.normal("claim:report_lag", cidx) - s * s / 2)
        reported = loss + lag.astype(np.int64)

        # ultimate: a share of the sum insured, capped at what the policy can pay
        si = pol["sum_insured"][row]
        limit_c = np.round(pol["limit"][row] * 100).astype(np.int64)
        sev_mean = np.where(
            is_cat,
            cat.SEVERITY_MEAN[np.maximum(peril, 0)] * cat.CAT_FACTOR[li],
            SEVERITY_MEAN[li],
        )
        sigma = np.where(is_cat, cat.SEVERITY_SIGMA[np.maximum(peril, 0)], SEVERITY_SIGMA[li])
        size = si * sev_mean * np.exp(sigma * r.normal("claim:severity", cidx) - sigma**2 / 2)
        floor = np.minimum(100_000, limit_c)  # at least 1,000 in the claim's currency
        ult = np.clip(np.round(size * 100).astype(np.int64), floor, limit_c)

        kmax = MAX_CLAIM_VERSIONS
        k = np.arange(kmax)
        cell = cidx[:, None] * kmax + k
        outcome = r.uniform("claim:outcome", cidx)
        denied = outcome < 0.05
        reopens = ~denied & (outcome > 0.94) & (ult + 100_000 < limit_c)
        recovered_share = np.where(
            r.uniform("claim:recovery", cidx) < 0.12,
            r.uniform("claim:recovery_share", cidx) * 0.3,
            0,
        )
        # settlement: days from report to close (log-normal around the line's median)
        settle = SETTLE[li] * np.exp(SETTLE_SIGMA * r.normal("claim:settle", cidx))
        settle = np.maximum(settle, 10.0)
        settle = np.where(denied, np.maximum(settle * 0.4, 10.0), settle)
        # the first estimate: long-tail reserves start short and strengthen, short-tail
        # ones start generous and release
        bias = np.where(long_tail, 0.8, 1.1)
        est0 = ult * bias * np.exp(0.3 * r.normal("claim:estimate", cidx) - 0.045)
        est0 = np.minimum(est0, limit_c)
        pay_power = np.where(long_tail, 1.6, 0.7)

        status = np.full((m, kmax), -1)
        paid = np.zeros((m, kmax), np.int64)
        reserve = np.zeros((m, kmax), np.int64)
        recovered = np.zeros((m, kmax), np.int64)
        day = np.zeros((m, kmax), np.int64)
        rows = np.arange(m)
        col = np.ones(m, np.int64)
        status[:, 0] = 0
        reserve[:, 0] = np.round(est0).astype(np.int64)
        day[:, 0] = reported

        def put(mask, st, when, pd, rs, rc=None):
            c = col[mask]
            rr = rows[mask]
            status[rr, c] = st
            day[rr, c] = when[mask]
            paid[rr, c] = pd[mask]
            reserve[rr, c] = rs[mask]
            if rc is not None:
                recovered[rr, c] = rc[mask]
            col[mask] += 1

        # development while open: payments and re-estimates at fractions of the settlement
        n_dev = np.where(
            long_tail,
            r.integers("claim:n_dev", cidx, 1, 4),
            r.integers("claim:n_dev", cidx, 0, 3),
        )
        n_dev = np.where(denied, np.minimum(n_dev, 1), n_dev)
        frac = np.sort(r.uniform("claim:dev_at", cell[:, :3]), axis=1) * 0.9 + 0.05
        for d in range(3):
            msk = n_dev > d
            t = frac[:, d]
            estimate = np.minimum(ult + (est0 - ult) * (1 - t), limit_c)
            to_date = np.where(denied, 0, np.minimum(ult * t**pay_power, estimate))
            pd = np.round(to_date).astype(np.int64)
            rs = np.maximum(np.round(estimate).astype(np.int64) - pd, 0)
            put(msk, 0, reported + (settle * t).astype(np.int64), pd, rs)
        closed_day = reported + settle.astype(np.int64)
        zero = np.zeros(m, np.int64)
        rec = np.round(ult * recovered_share).astype(np.int64)
        put(denied, 3, closed_day, zero, zero)
        put(~denied, 1, closed_day, ult, zero, rec)
        # a reopened claim: new information, a new reserve, a payment, closed again
        extra = np.minimum(
            np.round(ult * (0.1 + 0.3 * r.uniform("claim:reopen_extra", cidx))).astype(np.int64),
            limit_c - ult,
        )
        gap = (30 + r.exponential("claim:reopen_gap", cidx, 120.0)).astype(np.int64)
        put(reopens, 2, closed_day + gap, ult, extra, rec)
        half = extra // 2
        put(reopens, 2, closed_day + gap + gap // 2, ult + half, extra - half, rec)
        put(reopens, 1, closed_day + 2 * gap, ult + extra, zero, rec)

        valid = status >= 0
        upd = day * DAY + self._time_of_day("claim:tod", cell)
        # the first version is written on the reported date, after the policy was bound
        upd[:, 0] = np.maximum(upd[:, 0], pol["bind_ts"][row] + 3600)
        upd = increasing(upd, valid)
        return flatten(
            valid,
            entity=np.repeat(cidx[:, None], kmax, axis=1),
            version=np.broadcast_to(k + 1, (m, kmax)),
            updated_at=upd,
            status=status,
            paid=paid,
            reserve=reserve,
            recovered=recovered,
            policy=np.repeat(pidx[row][:, None], kmax, axis=1),
            policy_row=np.repeat(row[:, None], kmax, axis=1),
            loss_day=np.repeat(loss[:, None], kmax, axis=1),
            reported_day=np.repeat(reported[:, None], kmax, axis=1),
            line=np.repeat(li[:, None], kmax, axis=1),
            currency=np.repeat(pol["currency"][row][:, None], kmax, axis=1),
            country=np.repeat(pol["country"][row][:, None], kmax, axis=1),
            inception=np.repeat(start[row][:, None], kmax, axis=1),
            peril=np.repeat(peril[:, None], kmax, axis=1),
            event=np.repeat(event[:, None], kmax, axis=1),
        )


def reinsurer(world: World, treaty: int) -> tuple[str, str]:
    i = world.rand.integers("treaty:reinsurer", np.array([treaty]), 0, len(REINSURERS))[0]
    return REINSURERS[i]
