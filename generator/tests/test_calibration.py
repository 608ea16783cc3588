"""The simulated book is one an underwriter would believe: priced from its expected loss,
claims that develop like their line and close, catastrophes, reinsurance priced to match.

A small fixed-seed lake is read back by ``lakegen calibrate`` (from the files, not the
generator) and every figure must sit in its band; the world's own arrays are checked for
what the files can only show in part (every claim closes, reopened claims develop).
The larger, several-seed version runs under ``make test-slow``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from generator import pricing
from generator.calibrate import BOOK_LR_BAND, calibrate, check, render
from generator.catalog import LINES
from generator.cli import build_parser, main
from generator.config import FaultRates, GeneratorConfig
from generator.generate import generate
from generator.profiles import (
    PROFILES,
    QUOTA_SHARE_COMMISSION,
    SURPLUS_COMMISSION,
    XOL_LOADING,
)
from generator.records import money
from generator.world import CAT_SLOT, MAX_CLAIMS_PER_POLICY, World

pytestmark = pytest.mark.cost(25)

AS_OF = dt.date(2026, 11, 22)


def _large() -> bool:
    return os.environ.get("WAREHOUSE_TEST_SCALE", "smoke") == "large"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("book")
    cfg = GeneratorConfig(seed=42, as_of=AS_OF, batches=2, policies=12_000)
    generate(cfg, root, workers=1)
    return root, calibrate(root)


def test_the_book_is_within_every_band(book):
    _, report = book
    assert check(report) == [], render(report)
    assert BOOK_LR_BAND[0] <= report.book.ultimate_lr <= BOOK_LR_BAND[1]


def test_no_claim_exceeds_its_policys_limit_and_denied_claims_carry_nothing(book):
    _, report = book
    assert report.above_limit == []
    assert report.denied_with_incurred == []


def test_the_default_history_shows_at_least_three_accident_years(book):
    _, report = book
    full_years = [y for y, n in report.accident_years.items() if n >= 100]
    assert len(full_years) >= 3, report.accident_years


def test_catastrophes_are_clusters_of_claims_on_the_same_dates(book):
    _, report = book
    assert len(report.events) >= 3
    for e in report.events:
        assert (e.last - e.first).days <= 10
    # a catastrophe is a spike: its claims in days, against a few a week otherwise
    assert max(e.claims for e in report.events) >= 20


def test_long_tail_lines_are_immature_and_short_tail_lines_settle_fast(book):
    _, report = book
    short = dict((label, share) for label, _n, share, _e in report.closed_by_age["short"])
    long_ = dict((label, share) for label, _n, share, _e in report.closed_by_age["long"])
    assert short["1-2y"] > 0.85
    assert long_["1-2y"] < 0.6
    assert long_["3-12m"] < short["3-12m"]
    # reported claims by accident year follow the reporting pattern: the latest long-tail
    # year is far from its ultimate, the short-tail one nearly there
    latest = max(year for _tail, year in report.development)
    for tail, maturity in (("long", (0.3, 0.75)), ("short", (0.85, 1.0))):
        reported, expected, ultimate = report.development[(tail, latest)]
        assert maturity[0] < expected / ultimate < maturity[1]
        assert 0.7 < reported / expected < 1.4


def test_calibrate_command_prints_the_report_and_exits_zero_in_band(book, capsys):
    root, _ = book
    assert main(["calibrate", "--lake", str(root)]) == 0
    out = capsys.readouterr().out
    for heading in ("By line", "closed by age", "Excess of loss", "Catastrophe events"):
        assert heading in out
    assert "Every figure is within its band." in out


def test_calibrate_refuses_a_folder_that_is_not_a_lake(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["calibrate", "--lake", str(tmp_path)])
    assert exc.value.code == 2


# -- the world's arrays ------------------------------------------------------------------
@pytest.fixture(scope="module")
def world_book():
    cfg = GeneratorConfig(seed=3, as_of=AS_OF, policies=20_000, faults=FaultRates.zero())
    world = World(cfg)
    pol, static = world.policies(np.arange(cfg.policies))
    return world, pol, static, world.claims(static)


def _last_versions(clm):
    ent = clm["entity"]
    last = np.ones(len(ent), bool)
    last[:-1] = ent[1:] != ent[:-1]
    return last


def test_premium_is_expected_loss_over_target_times_noise_and_cycle(world_book):
    _, pol, _, _ = world_book
    first = pol["version"] == 1
    line, country = pol["line"][first], pol["country"][first]
    year = pol["inception"][first].astype("datetime64[D]").astype("datetime64[Y]").astype(int)
    expected = (
        pol["sum_insured"][first]
        * pricing.expected_loss_ratio_of_si(line, country)
        / pricing.TARGET_LR[line]
        * pricing.cycle(year + 1970)
        * 100
    )
    ratio = pol["gwp"][first] / expected
    above_minimum = expected > 200_000
    noise = ratio[above_minimum]
    assert 0.97 < noise.mean() < 1.03  # the rating noise is centred on the technical price
    assert 0.15 < np.log(noise).std() < 0.25


def test_every_claim_closes_and_denied_claims_close_at_nothing(world_book):
    _, _, _, clm = world_book
    last = _last_versions(clm)
    assert set(np.unique(clm["status"][last]).tolist()) <= {1, 3}  # closed or denied
    denied = clm["status"] == 3
    assert (clm["paid"][denied] == 0).all() and (clm["reserve"][denied] == 0).all()
    # a claim that ends denied never paid anything on the way
    denied_claims = np.unique(clm["entity"][denied])
    on_the_way = np.isin(clm["entity"], denied_claims)
    assert (clm["paid"][on_the_way] == 0).all()


def test_incurred_never_exceeds_the_policy_limit(world_book):
    _, _, static, clm = world_book
    limit = np.round(static["limit"][clm["policy_row"]] * 100)
    incurred = clm["paid"] + clm["reserve"] - clm["recovered"]
    assert (incurred <= limit).all()


def test_reopened_claims_develop_again(world_book):
    _, _, _, clm = world_book
    reopened = np.unique(clm["entity"][clm["status"] == 2])
    assert len(reopened) > 50
    for e in reopened[:200].tolist():
        rows = clm["entity"] == e
        st = clm["status"][rows]
        assert (st == 2).sum() == 2 and st[-1] == 1
        paid = clm["paid"][rows]
        assert paid[-1] > paid[np.flatnonzero(st == 2)[0]]


def test_long_tail_claims_are_reported_later_and_settle_slower(world_book):
    _, _, _, clm = world_book
    last = _last_versions(clm)
    first = clm["version"] == 1
    tail = np.array([PROFILES[ln.code].long_tail for ln in LINES])
    long_ = tail[clm["line"]]
    lag = clm["reported_day"] - clm["loss_day"]
    settle = clm["updated_at"][last] // 86_400 - clm["reported_day"][last]
    assert np.median(lag[first & long_]) > 3 * np.median(lag[first & ~long_])
    assert np.median(settle[long_[last]]) > 2 * np.median(settle[~long_[last]])


def test_catastrophe_claims_fall_in_their_event(world_book):
    world, _, _, clm = world_book
    cat = (clm["entity"] % MAX_CLAIMS_PER_POLICY) == CAT_SLOT
    assert cat.any()
    assert (clm["event"][cat] >= 0).all() and (clm["event"][~cat] == -1).all()
    start = world.events.day[clm["event"][cat]]
    assert ((clm["loss_day"][cat] - start) <= 10).all()


def test_reinsurance_terms_are_in_market_ranges_and_priced_from_the_layer(world_book):
    world, _, _, _ = world_book
    proportional_per_line: dict[int, int] = {}
    for t in world.treaty_list:
        terms = t.terms
        if t.type == 0:
            assert QUOTA_SHARE_COMMISSION[0] <= terms.commission_pct <= QUOTA_SHARE_COMMISSION[1]
            assert 0 < terms.cession_pct <= 100
        elif t.type == 1:
            assert SURPLUS_COMMISSION[0] <= terms.commission_pct <= SURPLUS_COMMISSION[1]
            assert 0 < terms.retention < terms.limit
        else:
            loading = terms.rate_pct / terms.expected_layer_loss_pct
            assert XOL_LOADING[0] - 0.05 <= loading <= XOL_LOADING[1] + 0.05 or (
                terms.rate_pct == 0.05
            )
        if t.type < 2:
            proportional_per_line[t.line] = proportional_per_line.get(t.line, 0) + 1
    # at most one proportional treaty a line: cessions never exceed 100 % of a policy
    assert max(proportional_per_line.values()) == 1


# -- the other parts -----------------------------------------------------------------------
def test_money_formats_integer_cents_exactly():
    rng = np.random.default_rng(0)
    cents = np.concatenate(
        [
            rng.integers(-(10**14), 10**14, 20_000),
            np.array([0, 1, -1, 5, 99, 100, -100, 10**15 - 1, -(10**15) + 1]),
        ]
    )
    expected = [f"{Decimal(int(c)).scaleb(-2):.2f}" for c in cents]
    assert money(cents) == expected


def test_policies_option_says_it_counts_the_whole_history(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["generate", "--help"])
    text = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert "total number of policies written over the whole history" in text
    assert "not a number a year" in text


@pytest.mark.skipif(not _large(), reason="larger books: make test-slow")
@pytest.mark.parametrize("seed", [42, 7])
def test_larger_books_are_within_every_band(tmp_path: Path, seed: int):
    cfg = GeneratorConfig(seed=seed, as_of=AS_OF, batches=2, policies=100_000)
    generate(cfg, tmp_path)
    report = calibrate(tmp_path)
    assert check(report) == [], render(report)


def test_the_documented_profiles_are_the_ones_in_the_code():
    doc = (Path(__file__).parents[2] / "docs" / "generator-book.md").read_text(encoding="utf-8")
    for p in PROFILES.values():
        row = (
            f"| {p.code} | {p.frequency:.2f} | {p.severity_mean:.3f} | {p.severity_sigma:.1f} "
            f"| {p.deductible_pct:.2f} | {p.target_loss_ratio:.0%} | {p.report_lag_days:.0f} "
            f"| {p.settle_days:.0f} | {'long' if p.long_tail else 'short'} | {p.cat_factor:.1f} |"
        )
        assert row in doc, row
