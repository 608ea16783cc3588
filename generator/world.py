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

from generator.catalog import COUNTRIES, LINES, REINSURERS, TREATY_TYPE_PROBABILITY
from generator.config import GeneratorConfig
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


class World:
    def __init__(self, cfg: GeneratorConfig) -> None:
        self.cfg = cfg
        self.rand = Rand(cfg.seed)
        dates = cfg.batch_dates()
        self.cutoffs = np.array([days(d) * DAY for d in dates], dtype=np.int64)
        self.start_day = days(cfg.world_start)
        self.as_of_day = days(cfg.as_of)
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
        for li, _line in enumerate(LINES):
            u = self.rand.uniform("treaty:proportional", np.array([li]))[0]
            types = [0] if u < qs else ([1] if u < qs + surplus else [])
            if (
                self.rand.uniform("treaty:has:excess_of_loss", np.array([li]))[0]
                < (TREATY_TYPE_PROBABILITY["excess_of_loss"])
            ):
                types.append(2)
            for ti in types:
                cur = self.rand.uniform("treaty:cur", np.array([li * 3 + ti]))[0]
                currency = "USD" if cur < 0.7 else ("GBP" if cur < 0.85 else "EUR")
                treaties.append(Treaty(len(treaties), li, ti, currency))
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
        si_median = np.array([ln.si_median for ln in LINES])[line]
        sum_insured = np.round(r.lognormal("policy:si", idx, 1.0, 0.8) * si_median, -3)
        rate = np.array([ln.rate_pct for ln in LINES])[line] / 100.0
        rate = rate * np.exp(0.25 * r.normal("policy:rate", idx))
        gwp0 = np.maximum(np.round(sum_insured * rate * 100), 50_000).astype(np.int64)  # cents

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
        for e in range(2):
            m = n_endorse > e
            change = 1.0 + r.uniform(f"policy:endorse_change:{e}", idx) * 0.35 - 0.1
            cur_gwp = np.where(m, np.round(cur_gwp * change), cur_gwp).astype(np.int64)
            cur_si = np.where(m, np.round(cur_si * change, -3), cur_si)
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
        r = self.rand
        pidx = pol["entity"]
        n = len(pidx)
        line = pol["line"]
        freq = np.array([ln.claim_freq for ln in LINES])[line]
        n_claims = np.where(pol["bound"], r.poisson("claim:count", pidx, freq, 3), 0)
        j = np.arange(MAX_CLAIMS_PER_POLICY - 1)
        has = j[None, :] < n_claims[:, None]
        cidx = (pidx[:, None] * MAX_CLAIMS_PER_POLICY + j)[has]  # global claim index
        row = np.repeat(np.arange(n)[:, None], len(j), axis=1)[has]
        m = len(cidx)
        if m == 0:
            return {}
        start = pol["inception"][row]
        end = np.minimum(pol["cover_end"][row], self.as_of_day) - 1
        span = np.maximum(end - start, 0)
        loss = start + (r.uniform("claim:loss", cidx) * (span + 1)).astype(np.int64)
        lag = r.exponential("claim:report_lag", cidx, 12.0).astype(np.int64)
        reported = loss + lag
        sev_sigma = np.array([ln.severity_sigma for ln in LINES])[line[row]]
        si = pol["sum_insured"][row]
        severity = np.minimum(
            r.lognormal("claim:severity", cidx, 1.0, 1.0)
            * np.exp(sev_sigma * 0.0)
            * np.exp(sev_sigma * r.normal("claim:sev_tail", cidx))
            * si
            * 0.01,
            si,
        )
        severity = np.maximum(np.round(severity * 100), 50_000).astype(np.int64)  # cents

        kmax = MAX_CLAIM_VERSIONS
        k = np.arange(kmax)
        cell = cidx[:, None] * kmax + k
        n_dev = r.integers("claim:n_dev", cidx, 0, 4)  # development versions while open
        outcome = r.uniform("claim:outcome", cidx)
        denied = outcome < 0.06
        still_open = (outcome >= 0.06) & (outcome < 0.2)
        closes = ~denied & ~still_open
        reopens = closes & (r.uniform("claim:reopens", cidx) < 0.08)
        recovered_share = np.where(
            r.uniform("claim:recovery", cidx) < 0.12,
            r.uniform("claim:recovery_share", cidx) * 0.3,
            0,
        )

        status = np.full((m, kmax), -1)
        paid = np.zeros((m, kmax), np.int64)
        reserve = np.zeros((m, kmax), np.int64)
        recovered = np.zeros((m, kmax), np.int64)
        gap = r.exponential("claim:gap", cell, 25.0).astype(np.int64) + 1
        gap[:, 0] = 0
        day = reported[:, None] + np.cumsum(gap, axis=1)

        estimate = np.round(severity * (0.6 + 0.8 * r.uniform("claim:estimate", cidx))).astype(
            np.int64
        )
        status[:, 0] = 0
        reserve[:, 0] = estimate
        col = np.ones(m, np.int64)
        rows = np.arange(m)
        paid_so_far = np.zeros(m, np.int64)
        for d in range(3):
            msk = n_dev > d
            share = r.uniform(f"claim:pay:{d}", cidx) * 0.3
            paid_so_far = np.where(
                msk, paid_so_far + np.round(severity * share), paid_so_far
            ).astype(np.int64)
            re_est = np.round(severity * (0.8 + 0.4 * r.uniform(f"claim:re_est:{d}", cidx))).astype(
                np.int64
            )
            c = col[msk]
            status[rows[msk], c] = 0
            paid[rows[msk], c] = paid_so_far[msk]
            reserve[rows[msk], c] = np.maximum(re_est - paid_so_far, 0)[msk]
            col[msk] += 1

        def close(mask, pay, st=1):
            c = col[mask]
            rr = rows[mask]
            status[rr, c] = st
            paid[rr, c] = pay[mask]
            reserve[rr, c] = 0
            recovered[rr, c] = np.round(pay * recovered_share).astype(np.int64)[mask]
            col[mask] += 1

        close(denied, paid_so_far, st=3)
        final_paid = np.maximum(severity, paid_so_far)
        close(closes, final_paid)
        extra = np.round(severity * (0.1 + 0.3 * r.uniform("claim:reopen_extra", cidx))).astype(
            np.int64
        )
        c = col[reopens]
        rr = rows[reopens]
        status[rr, c] = 2
        paid[rr, c] = final_paid[reopens]
        reserve[rr, c] = extra[reopens]
        recovered[rr, c] = np.round(final_paid * recovered_share).astype(np.int64)[reopens]
        col[reopens] += 1
        close(reopens, final_paid + extra)

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
            line=np.repeat(line[row][:, None], kmax, axis=1),
            currency=np.repeat(pol["currency"][row][:, None], kmax, axis=1),
            country=np.repeat(pol["country"][row][:, None], kmax, axis=1),
            inception=np.repeat(start[:, None], kmax, axis=1),
        )


def reinsurer(world: World, treaty: int) -> tuple[str, str]:
    i = world.rand.integers("treaty:reinsurer", np.array([treaty]), 0, len(REINSURERS))[0]
    return REINSURERS[i]
