"""The finance marts against an independent reading of the raw files: written premium as
written, earned premium as at the valuation date, unearned premium, earned = written at
expiry. The arithmetic is recomputed here day by day, from docs/warehouse.md's description."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from generator.tests.contract_reader import read_lake
from warehouse.dbt import Dbt, dbt_environment
from warehouse.runner.tests.conftest import AIR_GAPPED
from warehouse.runner.tests.test_pipeline import query, relation

pytestmark = pytest.mark.cost(30)

WRITTEN = {"bound", "endorsed", "cancelled", "expired"}
CENT = Decimal("0.01")


def _cents(value: Fraction | Decimal) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Policy:
    """A policy's premium versions (deduplicated, in updated_at order) and its arithmetic."""

    def __init__(self, versions: list[dict]) -> None:
        self.versions = [
            v for v in versions if v["status"] in WRITTEN or v["record_status"] == "deleted"
        ]

    def _start(self, i: int) -> dt.date:
        v = self.versions[i]
        if i == 0:
            return v["inception_date"]
        last = v["expiry_date"] + dt.timedelta(days=1)
        return min(max(v["effective_date"], v["inception_date"]), last)

    def accrued(self, known: int, through: dt.date) -> Decimal:
        """Earned from inception through `through`, knowing the first `known` versions."""
        if known == 0:
            return Decimal(0)
        last = self.versions[known - 1]
        if last["record_status"] == "deleted":
            return Decimal(0)
        if last["status"] == "cancelled" and through >= self._start(known - 1):
            return last["gross_written"]
        term = (last["expiry_date"] - last["inception_date"]).days + 1
        total = Fraction(0)
        day = last["inception_date"]
        while day <= min(through, last["expiry_date"]):
            in_force = None
            for i in range(known):
                if self._start(i) <= day:
                    in_force = i
            if in_force is not None:
                v = self.versions[in_force]
                if v["record_status"] != "deleted" and v["status"] != "cancelled":
                    total += Fraction(v["gross_written"]) / term
            day += dt.timedelta(days=1)
        return _cents(total)

    def in_force(self, known: int, day: dt.date) -> bool:
        """Whether a term version's terms apply on `day`, knowing the first `known`."""
        if known == 0 or not (
            self.versions[0]["inception_date"] <= day <= self.versions[known - 1]["expiry_date"]
        ):
            return False
        in_force = None
        for i in range(known):
            if self._start(i) <= day:
                in_force = i
        if in_force is None:
            return False
        v = self.versions[in_force]
        return v["record_status"] != "deleted" and v["status"] != "cancelled"

    def exposure_days(self, valuation: dt.date) -> dict[dt.date, int]:
        """Days in force per month up to the valuation date, as known at it."""
        known = sum(1 for v in self.versions if v["updated_at"].date() <= valuation)
        out: dict[dt.date, int] = defaultdict(int)
        if known == 0:
            return out
        day = self.versions[0]["inception_date"]
        while day <= min(valuation, self.versions[known - 1]["expiry_date"]):
            if self.in_force(known, day):
                out[day.replace(day=1)] += 1
            day += dt.timedelta(days=1)
        return out

    def to_expiry(self, known: int) -> Decimal:
        return self.accrued(known, dt.date(9999, 1, 1))

    def written_to_date(self, valuation: dt.date) -> Decimal:
        out, previous = Decimal(0), Decimal(0)
        for i, v in enumerate(self.versions):
            now = self.to_expiry(i + 1)
            written_on = max(v["effective_date"], v["updated_at"].date())
            if written_on <= valuation:
                out += now - previous
            previous = now
        return out

    def earned_to_date(self, valuation: dt.date) -> Decimal:
        known = sum(1 for v in self.versions if v["updated_at"].date() <= valuation)
        return self.accrued(known, valuation)


@pytest.fixture(scope="module")
def finance(warehouse) -> tuple[Path, dt.date, dict[str, Policy]]:
    lake, database, _ = warehouse
    reading = read_lake(lake)
    by_key: dict[tuple[str, dt.datetime], dict] = {}
    for r in reading.accepted["policies"]:
        rank = (r["_batch"], r["_file"], r["_record"])
        key = (r["policy_id"], r["updated_at"])
        if key not in by_key or rank > by_key[key]["_rank"]:
            by_key[key] = {**r, "_rank": rank}
    histories: dict[str, list[dict]] = defaultdict(list)
    for (policy_id, _), r in sorted(by_key.items()):
        histories[policy_id].append(r)
    valuation = max(
        dt.date.fromisoformat(p.parent.name.split("=")[1]) for p in lake.glob("_manifests/*/*")
    )
    return database, valuation, {k: Policy(v) for k, v in histories.items()}


def test_the_valuation_date_is_the_latest_ingest_date(finance):
    database, valuation, _ = finance
    found = query(
        database, f"select valuation_date from {relation(database, 'dim_valuation_date')}"
    )
    assert found == [(valuation,)]


def test_nothing_is_earned_after_the_valuation_date(finance):
    database, valuation, _ = finance
    month = valuation.replace(day=1)
    for model, column in [
        ("fct_earned_premiums", "earned_month"),
        ("rpt_loss_ratio_by_line_month", "report_month"),
    ]:
        measure = (
            "earned_premium_usd" if model == "fct_earned_premiums" else "gross_earned_premium_usd"
        )
        later = query(
            database,
            f"select count(*) from {relation(database, model)} "
            f"where {column} > date '{month}' and {measure} != 0",
        )[0][0]
        assert later == 0, model
    # the schedule does carry the months after it
    assert query(
        database,
        f"select count(*) from {relation(database, 'fct_earned_premium_schedule')} "
        f"where earned_month > date '{month}'",
    )[0][0]


def test_earned_written_and_unearned_to_date_match_the_raw_files(finance):
    database, valuation, policies = finance
    found = {
        policy_id: (written, earned, unearned)
        for policy_id, written, earned, unearned in query(
            database,
            f"select policy_id, written_premium_to_date, earned_premium_to_date, unearned_premium "
            f"from {relation(database, 'fct_unearned_premiums')}",
        )
    }
    expected = {}
    for policy_id, policy in policies.items():
        written = policy.written_to_date(valuation)
        earned = policy.earned_to_date(valuation)
        if written or earned or policy_id in found:
            expected[policy_id] = (written, earned, max(written - earned, Decimal(0)))
    assert found.keys() == expected.keys()
    # to the cent; a Python half-up may differ from the engine's rounding on an exact tie
    off = {
        k: (found[k], expected[k])
        for k in expected
        if any(abs(a - b) > CENT for a, b in zip(found[k], expected[k], strict=True))
    }
    assert not off
    assert sum(1 for k in expected if found[k] == expected[k]) >= 0.99 * len(expected)


def test_every_expired_or_cancelled_policy_earns_what_was_written(finance):
    database, _, policies = finance
    rows = query(
        database,
        f"""
        with latest as (
            select policy_id, policy_status, is_deleted,
                row_number() over (partition by policy_id order by version_number desc) as r
            from {relation(database, "fct_policy_premiums")}
        ),
        written as (
            select policy_id, sum(written_premium_movement) as w,
                sum(written_premium_movement_usd) as w_usd
            from {relation(database, "fct_policy_premiums")} group by 1
        ),
        earned as (
            select policy_id, sum(earned_premium) as e, sum(earned_premium_usd) as e_usd
            from {relation(database, "fct_earned_premiums")} group by 1
        )
        select latest.policy_id, latest.policy_status, written.w, coalesce(earned.e, 0),
            written.w_usd, coalesce(earned.e_usd, 0)
        from latest join written using (policy_id) left join earned using (policy_id)
        where latest.r = 1 and not latest.is_deleted
            and latest.policy_status in ('expired', 'cancelled')""",
    )
    assert len(rows) > 50
    endorsed = {
        k for k, p in policies.items() if any(v["status"] == "endorsed" for v in p.versions)
    }
    assert any(r[0] in endorsed for r in rows), "the check must cover endorsed policies"
    assert [r for r in rows if r[2] != r[3] or r[4] != r[5]] == []
    for policy_id, status, written, *_ in rows:
        policy = policies[policy_id]
        assert abs(written - policy.to_expiry(len(policy.versions))) <= CENT, policy_id
        if status == "cancelled":
            assert written == policy.versions[-1]["gross_written"], policy_id


def test_net_loss_ratios_from_the_facts_equal_the_report(finance):
    database, _, _ = finance
    facts = query(
        database,
        f"""
        with lines as (select distinct line_code from {relation(database, "dim_specialty_lines")}),
        earned as (
            select coalesce(lines.line_code, 'unknown') as line_code, earned_month as month,
                sum(earned_premium_usd) as gross, sum(net_earned_premium_usd) as net
            from {relation(database, "fct_earned_premiums")} e
            left join lines using (line_code) group by all
        ),
        incurred as (
            select coalesce(lines.line_code, 'unknown') as line_code, loss_month as month,
                sum(gross_incurred_loss_usd) as gross, sum(net_incurred_loss_usd) as net
            from {relation(database, "fct_incurred_losses")} i
            left join lines using (line_code) group by all
        )
        select line_code, month, coalesce(earned.gross, 0), coalesce(earned.net, 0),
            coalesce(incurred.gross, 0), coalesce(incurred.net, 0)
        from earned full join incurred using (line_code, month)""",
    )
    report = {
        (line, month): (gross_lr, net_lr)
        for line, month, gross_lr, net_lr in query(
            database,
            f"select line_code, report_month, gross_loss_ratio, net_loss_ratio "
            f"from {relation(database, 'rpt_loss_ratio_by_line_month')}",
        )
    }
    assert len(report) == len(facts) > 20

    def ratio(incurred: Decimal, earned: Decimal) -> Decimal | None:
        return None if earned == 0 else (incurred / earned).quantize(Decimal("0.000001"))

    for line, month, gross_earned, net_earned, gross_incurred, net_incurred in facts:
        gross_lr, net_lr = report[(line, month)]
        assert gross_lr == ratio(gross_incurred, gross_earned), (line, month)
        assert net_lr == ratio(net_incurred, net_earned), (line, month)
    # and the triangle of sums holds at the whole book: net = gross - ceded everywhere
    totals = query(
        database,
        f"select sum(earned_premium_usd - ceded_earned_premium_usd - net_earned_premium_usd) "
        f"from {relation(database, 'fct_earned_premiums')}",
    )
    assert totals == [(0,)]


def test_exposure_matches_the_raw_files(finance):
    database, valuation, policies = finance
    found = {
        (policy_id, month): (days, years, at_end)
        for policy_id, month, days, years, at_end in query(
            database,
            f"select policy_id, exposure_month, days_in_force, earned_exposure_years, "
            f"is_in_force_at_month_end from {relation(database, 'fct_policy_exposures')}",
        )
    }
    expected = {}
    for policy_id, policy in policies.items():
        known = sum(1 for v in policy.versions if v["updated_at"].date() <= valuation)
        for month, days in policy.exposure_days(valuation).items():
            next_month = (month + dt.timedelta(days=32)).replace(day=1)
            end = min(next_month - dt.timedelta(days=1), valuation)
            years = (Decimal(days) / 365).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
            expected[(policy_id, month)] = (days, years, policy.in_force(known, end))
    assert len(expected) > 100
    assert found == expected


def test_triangles_know_each_claim_as_at_each_age(warehouse, finance):
    lake, _, _ = warehouse
    database, valuation, _ = finance
    rates = {
        (row["month"], row["currency"]): Decimal(row["usd_per_unit"])
        for row in csv.DictReader(
            (Path(__file__).parents[3] / "seeds" / "fx_rates_monthly.csv").open()
        )
    }
    versions: dict[str, list[dict]] = defaultdict(list)
    for r in read_lake(lake).accepted["claims"]:
        versions[r["claim_id"]].append(r)
    latest = {}
    for claim_id, found in versions.items():
        known = [r for r in found if r["updated_at"].date() <= valuation]
        if known:
            latest[claim_id] = max(known, key=lambda r: (r["updated_at"], r["_batch"], r["_file"]))
    rows = query(
        database,
        f"select origin_start, development_age_months, evaluation_date, "
        f"sum(cumulative_incurred_usd), sum(cumulative_reported_count) "
        f"from {relation(database, 'fct_loss_triangles')} "
        f"where origin_basis = 'accident_year' group by all",
    )
    assert len(rows) > 4
    for origin, _age, evaluation, incurred, reported in rows:
        expected_incurred, expected_reported = Decimal(0), 0
        for claim_id, current in latest.items():
            if current["loss_date"].year != origin.year:
                continue
            known = [r for r in versions[claim_id] if r["updated_at"].date() <= evaluation]
            if not known:
                continue
            at = max(known, key=lambda r: (r["updated_at"], r["_batch"], r["_file"]))
            if at["record_status"] == "deleted":
                continue
            rate = rates[(current["loss_date"].replace(day=1).isoformat(), current["currency"])]
            amount = at["paid"] + at["reserve"] - at["recovered"]
            expected_incurred += (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
            expected_reported += 1
        assert (incurred, reported) == (expected_incurred, expected_reported), (origin, evaluation)
    # the latest diagonal is fct_claims by accident year
    diagonal = query(
        database,
        f"""
        select t.y, t.incurred, f.incurred from (
            select year(origin_start) as y, sum(cumulative_incurred_usd) as incurred
            from {relation(database, "fct_loss_triangles")}
            where origin_basis = 'accident_year' and is_latest_diagonal group by 1) t
        full join (
            select year(loss_date) as y, sum(incurred_amount_usd) as incurred
            from {relation(database, "fct_claims")} where not is_deleted group by 1) f
        using (y)""",
    )
    assert diagonal and all(t == f for _, t, f in diagonal)


@pytest.fixture(scope="module")
def past_valuation(warehouse, finance, tmp_path_factory):
    """The warehouse rebuilt as at a past valuation date given as the variable."""
    lake, database, _ = warehouse
    _, valuation, policies = finance
    past = valuation - dt.timedelta(days=150)
    copy = tmp_path_factory.mktemp("past_valuation")
    shutil.copy(database, copy / "warehouse.duckdb")
    dbt = Dbt(AIR_GAPPED, dbt_environment(str(lake), copy / "warehouse.duckdb", copy / "target"))
    built = dbt.invoke(
        "build", "--select", "dim_valuation_date+", "--vars", f"{{valuation_date: '{past}'}}"
    )
    return copy / "warehouse.duckdb", past, policies, built


def test_figures_as_at_a_past_valuation_date_know_only_what_was_written_by_then(past_valuation):
    database, past, policies, built = past_valuation
    assert built.success, built.failures
    assert query(
        database, f"select valuation_date from {relation(database, 'dim_valuation_date')}"
    ) == [(past,)]
    latest = query(
        database,
        f"select max(earned_month) from {relation(database, 'fct_earned_premiums')}",
    )[0][0]
    assert latest <= past.replace(day=1)
    found = {
        policy_id: (written, earned)
        for policy_id, written, earned in query(
            database,
            f"select policy_id, written_premium_to_date, earned_premium_to_date "
            f"from {relation(database, 'fct_unearned_premiums')}",
        )
    }
    expected = {}
    for policy_id, policy in policies.items():
        written, earned = policy.written_to_date(past), policy.earned_to_date(past)
        if written or earned or policy_id in found:
            expected[policy_id] = (written, earned)
    assert found.keys() == expected.keys()
    late = [
        k
        for k, p in policies.items()
        if any(v["updated_at"].date() > past for v in p.versions) and k in expected
    ]
    assert late, "some policies must have versions written after the past valuation date"
    off = {
        k: (found[k], expected[k])
        for k in expected
        if any(abs(a - b) > CENT for a, b in zip(found[k], expected[k], strict=True))
    }
    assert not off
