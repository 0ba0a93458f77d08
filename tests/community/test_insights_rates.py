"""Outcome rates by engagement level at the time (community/selectors/insights.py): the Wilson
interval against published values, and the rates of hand-built accounts worked out below.

Period 2026-01-01 … 2026-12-31. Snapshots (level from that day on) and outcomes:

    account   snapshots                                   outcomes in the period
    faded     03-01 Contributing, 09-01 Dormant           05-10 renewed, 07-01 renewed again
    left      02-01 Contributing                          04-01 churned
    grew      01-10 Participating                         01-10 renewed and expanded
    referrer  2025-12-01 Observing (before the period)    06-01 referred
    early     03-01 Co-creating                           02-01 renewed (before any snapshot)
    old       (none)                                      2025-11-01 churned (before the period)
    public    01-05 Contributing (public sector)          03-01 renewed

`faded` is Dormant today but was Contributing when it renewed: it counts as Contributing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Account, Segment
from community.models import EngagementLevel, OutcomeKind
from community.selectors.insights import (
    NOT_COMPUTED,
    SMALL_GROUP,
    OutcomeRate,
    _accounts_per_level_held,
    outcome_rates_by_level,
    wilson_interval,
)
from community.services.outcomes import outcome_record
from tests.accounts.factories import AccountFactory
from tests.community.factories import EngagementSnapshotFactory

FROM, TO = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
L = EngagementLevel
K = OutcomeKind


# --- The Wilson score interval ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (score, no
        # continuity correction), to the 4 decimals printed there.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # Symmetric around one half, and the 0-of-n / n-of-n edges reach 0 and 1 exactly.
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_the_wilson_interval_matches_published_values(successes, trials, low, high):
    interval = wilson_interval(successes, trials)

    assert (round(interval.low, 4), round(interval.high, 4)) == (low, high)


def test_the_wilson_interval_of_no_trials_is_none_and_of_nonsense_an_error():
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)


def test_the_wilson_interval_holds_the_rate_and_stays_within_0_and_1():
    for trials in range(1, 40):
        for successes in range(trials + 1):
            interval = wilson_interval(successes, trials)
            assert 0 <= interval.low <= successes / trials <= interval.high <= 1


# --- Rates by level at the time --------------------------------------------------------------


def _snapshot(account, day, level):
    EngagementSnapshotFactory(account=account, day=day, level=level)


def _outcome(account, kind, day, **fields):
    if kind in (K.EXPANDED, K.CONTRACTED):
        fields.setdefault("amount", 1000)
    return outcome_record(account=account, kind=kind, occurred_on=day, recorded_by=None, **fields)


@pytest.fixture
def planted(db):
    faded = AccountFactory(slug="faded")
    _snapshot(faded, dt.date(2026, 3, 1), L.CONTRIBUTING)
    _snapshot(faded, dt.date(2026, 9, 1), L.DORMANT)
    _outcome(faded, K.RENEWED, dt.date(2026, 5, 10))
    _outcome(faded, K.RENEWED, dt.date(2026, 7, 1))

    left = AccountFactory(slug="left")
    _snapshot(left, dt.date(2026, 2, 1), L.CONTRIBUTING)
    _outcome(left, K.CHURNED, dt.date(2026, 4, 1))

    grew = AccountFactory(slug="grew")
    _snapshot(grew, dt.date(2026, 1, 10), L.PARTICIPATING)
    _outcome(grew, K.RENEWED, dt.date(2026, 1, 10))
    _outcome(grew, K.EXPANDED, dt.date(2026, 1, 10))

    referrer = AccountFactory(slug="referrer")
    _snapshot(referrer, dt.date(2025, 12, 1), L.OBSERVING)
    _outcome(referrer, K.REFERRED, dt.date(2026, 6, 1))

    early = AccountFactory(slug="early")
    _snapshot(early, dt.date(2026, 3, 1), L.CO_CREATING)
    _outcome(early, K.RENEWED, dt.date(2026, 2, 1))

    old = AccountFactory(slug="old")
    _outcome(old, K.CHURNED, dt.date(2025, 11, 1))

    public = AccountFactory(slug="public", segment=Segment.PUBLIC_SECTOR)
    _snapshot(public, dt.date(2026, 1, 5), L.CONTRIBUTING)
    _outcome(public, K.RENEWED, dt.date(2026, 3, 1))


def _rates(segment=""):
    return outcome_rates_by_level(
        accounts=Account.objects.all(), period_from=FROM, period_to=TO, segment=segment
    )


def _k_of_n(rates, kind, level) -> tuple[int, int]:
    rate = rates.rate(kind=kind, level=level)
    return rate.accounts, rate.of


def test_an_account_counts_at_its_level_on_the_outcome_date_not_today(planted):
    rates = _rates(segment=Segment.MID_MARKET)

    # faded (renewed twice while Contributing, Dormant today) and left (churned) decided while
    # Contributing: each counts once.
    assert _k_of_n(rates, K.RENEWED, L.CONTRIBUTING) == (1, 2)
    assert _k_of_n(rates, K.CHURNED, L.CONTRIBUTING) == (1, 2)
    assert _k_of_n(rates, K.RENEWED, L.DORMANT) == (0, 0)
    assert rates.rate(kind=K.RENEWED, level=L.CONTRIBUTING).rate == 0.5


def test_an_outcome_on_a_snapshot_day_takes_that_days_level(planted):
    rates = _rates(segment=Segment.MID_MARKET)

    assert _k_of_n(rates, K.RENEWED, L.PARTICIPATING) == (1, 1)
    assert _k_of_n(rates, K.EXPANDED, L.PARTICIPATING) == (1, 1)


def test_advocacy_counts_against_the_accounts_that_held_the_level_in_the_period(planted):
    rates = _rates(segment=Segment.MID_MARKET)

    # referrer was Observing from before the period, so it held Observing on its first day.
    assert _k_of_n(rates, K.REFERRED, L.OBSERVING) == (1, 1)
    # faded and left held Contributing; faded also held Dormant; early held Co-creating.
    held = {row.level: row.held for row in rates.levels}
    assert held[L.CONTRIBUTING] == 2
    assert held[L.DORMANT] == 1
    assert held[L.CO_CREATING] == 1
    assert _k_of_n(rates, K.ADVOCATED, L.CONTRIBUTING) == (0, 2)


def test_outcomes_before_the_first_snapshot_have_a_group_of_their_own(planted):
    rates = _rates(segment=Segment.MID_MARKET)

    assert rates.levels[-1].level == NOT_COMPUTED
    assert _k_of_n(rates, K.RENEWED, NOT_COMPUTED) == (1, 1)  # early, before its first snapshot
    # Without a snapshot on the period's first day: faded, left, grew, early and old.
    assert _k_of_n(rates, K.REFERRED, NOT_COMPUTED) == (0, 5)
    assert _k_of_n(rates, K.RENEWED, L.CO_CREATING) == (0, 0)


def test_outcomes_outside_the_period_and_other_segments_do_not_count(planted):
    mid_market = _rates(segment=Segment.MID_MARKET)
    everyone = _rates()

    assert _k_of_n(mid_market, K.CHURNED, NOT_COMPUTED) == (0, 1)  # old churned in 2025
    assert _k_of_n(everyone, K.RENEWED, L.CONTRIBUTING) == (2, 3)  # public too
    assert _k_of_n(_rates(segment=Segment.PUBLIC_SECTOR), K.RENEWED, L.CONTRIBUTING) == (1, 1)


def test_only_the_given_accounts_count(planted):
    rates = outcome_rates_by_level(
        accounts=Account.objects.filter(slug="left"), period_from=FROM, period_to=TO
    )

    assert _k_of_n(rates, K.CHURNED, L.CONTRIBUTING) == (1, 1)
    assert _k_of_n(rates, K.RENEWED, L.CONTRIBUTING) == (0, 1)
    # No outcome of `left` fell before its first snapshot: no "level not known" row.
    assert [row.level for row in rates.levels] == L.values


def test_small_groups_are_flagged_not_hidden(db):
    accounts = [AccountFactory() for _ in range(SMALL_GROUP + 1)]
    for account in accounts:
        _snapshot(account, dt.date(2026, 1, 1), L.CONTRIBUTING)
        _outcome(account, K.RENEWED, dt.date(2026, 3, 1))
    _snapshot(accounts[0], dt.date(2026, 6, 1), L.OBSERVING)
    _outcome(accounts[0], K.CHURNED, dt.date(2026, 7, 1))

    rates = _rates()

    contributing = rates.rate(kind=K.RENEWED, level=L.CONTRIBUTING)
    observing = rates.rate(kind=K.CHURNED, level=L.OBSERVING)
    assert (contributing.accounts, contributing.of, contributing.few) == (6, 6, False)
    assert (observing.accounts, observing.of, observing.few) == (1, 1, True)
    assert observing.percent == 100
    assert round(observing.interval.low, 4) == 0.2065  # Wilson, 1 of 1
    assert [row.level for row in rates.levels] == L.values  # no outcome before a snapshot


def test_the_period_must_not_end_before_it_starts(db):
    with pytest.raises(ValueError):
        outcome_rates_by_level(accounts=Account.objects.all(), period_from=TO, period_to=FROM)


# --- Rounding: once, half up, to a whole percent ---------------------------------------------


def _outcome_rate(accounts: int, of: int) -> OutcomeRate:
    return OutcomeRate(kind=K.RENEWED, label="Renewed", level=L.OBSERVING, accounts=accounts, of=of)


def test_a_rate_of_3_in_55_is_5_percent_not_6():
    rate = _outcome_rate(3, 55)  # 5.4545…%: rounded to 5.5 first, it became 6

    assert rate.percent == 5


def test_a_wilson_bound_of_31_469_percent_is_31_not_32():
    rate = _outcome_rate(1, 14)

    assert round(rate.interval.high, 5) == 0.31469  # rounded to 31.5 first, it became 32
    assert rate.high_percent == 31
    assert rate.low_percent == 1  # 0.0127…
    assert rate.percent == 7  # 7.14…


def test_an_exact_half_percent_rounds_up_even_where_the_float_quotient_falls_short():
    assert 100 * (23 / 40) < 57.5  # 57.49999…: rounding the quotient would give 57
    assert _outcome_rate(23, 40).percent == 58
    assert _outcome_rate(1, 8).percent == 13  # 12.5: half up, not to even


def test_the_levels_held_are_read_from_the_days_of_change_and_equal_every_days_levels(db):
    """As the engine writes them (level_since: the day of the last change), the levels held
    in a period, read from the days of change only, equal the distinct levels of every day."""
    runs = {  # per account: its levels day after day from 2026-01-01
        "flicker": [L.OBSERVING] * 3 + [L.PARTICIPATING, L.OBSERVING] * 4 + [L.CONTRIBUTING] * 5,
        "steady": [L.CO_CREATING] * 20,
        "late": [L.DORMANT] * 12 + [L.PARTICIPATING] * 8,
    }
    start = dt.date(2026, 1, 1)
    for slug, levels in runs.items():
        account = AccountFactory(slug=slug)
        since = None
        for n, level in enumerate(levels):
            day = start + dt.timedelta(days=n)
            if n == 0 or level != levels[n - 1]:
                since = day
            EngagementSnapshotFactory(account=account, day=day, level=level, level_since=since)
    for period_from, period_to in [
        (start, start + dt.timedelta(days=19)),
        (dt.date(2026, 1, 6), dt.date(2026, 1, 14)),
        (dt.date(2026, 1, 13), dt.date(2026, 2, 1)),
    ]:
        every_day = {
            (account, level)
            for account, levels in runs.items()
            for n, level in enumerate(levels)
            if period_from < start + dt.timedelta(days=n) <= period_to
        } | {  # the level on the first day (from its snapshot, when it has one)
            (account, levels[(period_from - start).days])
            for account, levels in runs.items()
            if 0 <= (period_from - start).days < len(levels)
        }
        expected: dict[str, int] = {}
        for _, level in every_day:
            expected[level] = expected.get(level, 0) + 1
        held = _accounts_per_level_held(
            account_ids=Account.objects.values("pk"), period_from=period_from, period_to=period_to
        )
        held.pop(NOT_COMPUTED, None)  # no snapshot on or before the first day
        assert held == expected, (period_from, period_to)
