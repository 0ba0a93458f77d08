"""Loyalty over time by engagement (community.selectors.loyalty) on hand-built accounts: who is
observed from when, how an account's days are cut into stretches at each level, censoring, the
curves by level against the product-limit estimate by hand, the hazard ratio against the
partial likelihood by hand, and "too few to say" below the minimum sample. Dates are fixed:
nothing here depends on the day the tests run."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from accounts.models import Account, Segment
from community.models import EngagementLevel, OutcomeKind
from community.selectors.loyalty import (
    MIN_ACCOUNTS,
    Stretch,
    account_stretches,
    loyalty_over_time,
)
from community.services.outcomes import outcome_record
from tests.accounts.factories import AccountFactory
from tests.community.factories import EngagementSnapshotFactory
from tests.community.reference_survival import cox_by_hand

L, K = EngagementLevel, OutcomeKind
START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)  # 181 days: landmarks 90 and 180


def day(n: int) -> dt.date:
    """The calendar day of observation day n of an account observed from START (day 1)."""
    return START + dt.timedelta(days=n - 1)


# --- Stretches: entry, levels over time, censoring ------------------------------------------


def _stretches(changes, *, events=(), churns=(), period=(START, END)):
    return account_stretches(
        account_id=1,
        changes=changes,
        event_days=list(events),
        churn_days=list(churns),
        period_from=period[0],
        period_to=period[1],
    )


def test_an_accounts_days_are_cut_into_stretches_at_each_level_up_to_its_churn():
    changes = [
        (dt.date(2025, 12, 1), L.OBSERVING),  # before the period: its level on the first day
        (dt.date(2026, 1, 20), L.PARTICIPATING),
        (dt.date(2026, 3, 1), L.PARTICIPATING),  # a snapshot from before level_since was kept
        (dt.date(2026, 4, 10), L.DORMANT),
        (dt.date(2026, 6, 1), L.OBSERVING),  # after the churn: not observed
    ]
    churned = [dt.date(2026, 5, 1)]

    assert _stretches(changes, events=churned, churns=churned) == [
        Stretch(1, L.OBSERVING, 0, 19, False),  # 1–19 January
        Stretch(1, L.PARTICIPATING, 19, 99, False),  # 20 January – 9 April
        Stretch(1, L.DORMANT, 99, 121, True),  # 10 April – 1 May, the day it churned
    ]
    # Expansion: the same days, censored at the churn (it can no longer expand)
    assert _stretches(changes, events=[dt.date(2026, 5, 20)], churns=churned)[-1] == Stretch(
        1, L.DORMANT, 99, 121, False
    )


def test_an_account_is_observed_from_its_first_snapshot_when_it_comes_after_the_period_starts():
    changes = [(dt.date(2026, 3, 1), L.CONTRIBUTING)]

    assert _stretches(changes) == [Stretch(1, L.CONTRIBUTING, 0, 122, False)]  # 1 Mar – 30 Jun
    # …and an outcome on its entry day is at day 1
    assert _stretches(changes, events=[dt.date(2026, 3, 1)], churns=[dt.date(2026, 3, 1)]) == [
        Stretch(1, L.CONTRIBUTING, 0, 1, True)
    ]


def test_the_first_outcome_on_or_after_entry_counts_and_earlier_ones_do_not():
    changes = [(dt.date(2025, 6, 1), L.CO_CREATING)]
    expanded = [dt.date(2025, 11, 1), dt.date(2026, 2, 1), dt.date(2026, 5, 1)]

    assert _stretches(changes, events=expanded) == [Stretch(1, L.CO_CREATING, 0, 32, True)]


def test_accounts_that_left_before_or_start_after_the_period_are_not_observed():
    had_left = _stretches(
        [(dt.date(2025, 6, 1), L.DORMANT)],
        events=[dt.date(2025, 12, 1)],
        churns=[dt.date(2025, 12, 1)],
    )
    later = _stretches([(dt.date(2026, 7, 1), L.DORMANT)])
    no_history = _stretches([])

    assert had_left == later == no_history == []


# --- Curves and hazard ratios from the database ----------------------------------------------


def _account(levels: list[tuple[int, str]], *, churned: int | None = None, **fields) -> Account:
    """An account at each level from observation day n on (day ≤ 1: from before the period),
    churned on day `churned`."""
    account = AccountFactory(**fields)
    for n, level in levels:
        EngagementSnapshotFactory(account=account, day=day(n), level=level)
    if churned is not None:
        outcome_record(account=account, kind=K.CHURNED, occurred_on=day(churned), recorded_by=None)
    return account


def _result(**kwargs):
    return loyalty_over_time(
        accounts=Account.objects.all(), period_from=START, period_to=END, **kwargs
    )


@pytest.mark.django_db
def test_the_dormant_curve_is_the_product_limit_by_hand_with_accounts_that_join_late():
    for churned in (10, 40, 40, 100, None, None, None, None, None, None):
        _account([(-30, L.DORMANT)], churned=churned)
    # two accounts Observing, then Dormant from day 61 (at risk at Dormant from day 61 on)
    _account([(-30, L.OBSERVING), (61, L.DORMANT)], churned=131)
    _account([(-30, L.OBSERVING), (61, L.DORMANT)])
    for _ in range(MIN_ACCOUNTS - 2):  # with the two, Observing has just enough accounts
        _account([(-30, L.OBSERVING)])

    churn = _result().outcome(K.CHURNED)
    dormant = next(row for row in churn.levels if row.level == L.DORMANT)

    assert (dormant.accounts, dormant.events) == (12, 5)
    # day 10: 10 at risk, 1 churns; day 40: 9, 2; day 100: 7 + the two who joined, 1;
    # day 131: 6 + 2, 1
    s = [1.0, 9 / 10, 9 / 10 * 7 / 9, 9 / 10 * 7 / 9 * 8 / 9, 9 / 10 * 7 / 9 * 8 / 9 * 7 / 8]
    steps = [(p.day, p.at_risk) for p in dormant.curve]
    assert steps[:5] == [(0, 10), (10, 10), (40, 9), (100, 9), (131, 8)]
    assert [p.survival for p in dormant.curve[:5]] == pytest.approx(s)
    assert steps[-1] == (181, 7)  # the line runs to the period's last day, 7 still at risk
    day_90, day_180 = dormant.landmarks
    assert (day_90.day, day_90.point.at_risk, day_90.percent) == (90, 9, 70)
    assert (day_180.day, day_180.point.at_risk) == (180, 7)
    assert day_180.point.survival == pytest.approx(s[4])
    assert day_90.low_percent < 70 < day_90.high_percent

    observing = next(row for row in churn.levels if row.level == L.OBSERVING)
    assert (observing.accounts, observing.events) == (MIN_ACCOUNTS, 0)
    assert [p.survival for p in observing.curve] == [1.0, 1.0]  # day 0 and the line's end
    assert observing.curve[-1].day == 181
    # Observing has no churn: no hazard ratio (the model needs two levels with 3 outcomes)
    assert churn.reference is None
    assert all(row.hazard is None and not row.is_reference for row in churn.levels)


@pytest.mark.django_db
def test_below_the_minimum_sample_it_is_too_few_to_say():
    for n in range(MIN_ACCOUNTS - 1):
        _account([(-30, L.CONTRIBUTING)], churned=20 + n)
    _account([(-30, L.CO_CREATING)], churned=30)
    # Participating: 6 of 10 churn, 4 by day 53 and 2 on days 100 and 101, and two more join
    # on day 60 and churn on days 70 and 71: 6 still at risk on day 90, 4 on day 180
    for churned in (50, 51, 52, 53, 100, 101, None, None, None, None):
        _account([(-30, L.PARTICIPATING)], churned=churned)
    for n in range(2):
        _account([(-30, L.OBSERVING), (60, L.PARTICIPATING)], churned=70 + n)

    churn = _result().outcome(K.CHURNED)
    by_level = {row.level: row for row in churn.levels}

    contributing = by_level[L.CONTRIBUTING]
    assert (contributing.accounts, contributing.events) == (MIN_ACCOUNTS - 1, MIN_ACCOUNTS - 1)
    assert contributing.too_few and contributing.curve == []
    assert all(mark.too_few and mark.percent is None for mark in contributing.landmarks)
    assert by_level[L.CO_CREATING].too_few and by_level[L.DORMANT].accounts == 0
    participating = by_level[L.PARTICIPATING]
    assert (participating.accounts, participating.events) == (12, 8)
    assert not participating.too_few
    assert [mark.too_few for mark in participating.landmarks] == [False, True]
    assert participating.landmarks[0].point.at_risk == 6
    assert participating.curve[-1].day == 101  # the line stops where 5 are still at risk
    assert churn.reference is None  # one level reaches the minimum: no model


@pytest.mark.django_db
def test_the_hazard_ratio_is_the_partial_likelihood_by_hand_over_the_stretches():
    dormant_churns = [5, 17, 33, 48, 70]
    observing_churns = [25, 90, 140]
    for n in range(MIN_ACCOUNTS):
        _account([(-30, L.DORMANT)], churned=dormant_churns[n] if n < 5 else None)
    for n in range(MIN_ACCOUNTS):
        _account([(-30, L.OBSERVING)], churned=observing_churns[n] if n < 3 else None)
    # one account moves up from Dormant to Observing on day 51 and churns on day 160; one moves
    # down on day 101 and churns on day 120
    _account([(-30, L.DORMANT), (51, L.OBSERVING)], churned=160)
    _account([(-30, L.OBSERVING), (101, L.DORMANT)], churned=120)
    # a Participating account: a level below the minimum, left out of the model
    _account([(-30, L.PARTICIPATING)], churned=60)

    churn = _result().outcome(K.CHURNED)

    # the stretches by hand: (start, stop, churned, at Observing)
    rows = [(0, d, True, 0) for d in dormant_churns] + [(0, 181, False, 0)] * 5
    rows += [(0, d, True, 1) for d in observing_churns] + [(0, 181, False, 1)] * 7
    rows += [(0, 50, False, 0), (50, 160, True, 1), (0, 100, False, 1), (100, 120, True, 0)]
    coef, se = cox_by_hand(rows)
    by_level = {row.level: row for row in churn.levels}
    assert churn.reference == L.DORMANT and by_level[L.DORMANT].is_reference
    assert (churn.model_accounts, churn.model_events) == (22, 10)
    hazard = by_level[L.OBSERVING].hazard
    assert hazard.ratio == pytest.approx(math.exp(coef), rel=1e-4)
    assert (hazard.low, hazard.high) == pytest.approx(
        (math.exp(coef - 1.959964 * se), math.exp(coef + 1.959964 * se)), rel=1e-3
    )
    assert by_level[L.PARTICIPATING].hazard is None  # too few to say


@pytest.mark.django_db
def test_expansion_is_censored_at_churn_and_the_segment_filters():
    for n in range(MIN_ACCOUNTS):
        account = _account([(-30, L.CONTRIBUTING)], segment=Segment.ENTERPRISE)
        outcome_record(
            account=account, kind=K.EXPANDED, occurred_on=day(30 + n), amount=100, recorded_by=None
        )
    leaver = _account([(-30, L.CONTRIBUTING)], churned=10, segment=Segment.ENTERPRISE)
    outcome_record(
        account=leaver, kind=K.EXPANDED, occurred_on=day(20), amount=100, recorded_by=None
    )
    _account([(-30, L.CONTRIBUTING)], segment=Segment.SMB)

    everyone = _result().outcome(K.EXPANDED)
    enterprise = _result(segment=Segment.ENTERPRISE).outcome(K.EXPANDED)

    contributing = next(row for row in enterprise.levels if row.level == L.CONTRIBUTING)
    assert (enterprise.accounts, enterprise.events) == (MIN_ACCOUNTS + 1, MIN_ACCOUNTS)
    # the leaver churned on day 10: censored there, not at risk when the others expand
    first = contributing.curve[1]
    assert (first.day, first.at_risk) == (30, MIN_ACCOUNTS)
    assert first.survival == pytest.approx(1 - 1 / MIN_ACCOUNTS)
    assert (everyone.accounts, everyone.events) == (MIN_ACCOUNTS + 2, MIN_ACCOUNTS)


@pytest.mark.django_db
def test_a_level_reached_late_has_its_curve_from_the_first_day_five_are_at_it():
    # Three accounts at Co-creating from the start: two churn on days 5 and 6, the third moves
    # down on day 11 — its early risk set empties (lifelines would refuse it). Ten more reach
    # Co-creating on day 50; two of them churn on days 70 and 120.
    _account([(-30, L.CO_CREATING)], churned=5)
    _account([(-30, L.CO_CREATING)], churned=6)
    _account([(-30, L.CO_CREATING), (11, L.CONTRIBUTING)])
    for n in range(10):
        _account([(-30, L.PARTICIPATING), (50, L.CO_CREATING)], churned={0: 70, 1: 120}.get(n))

    churn = _result().outcome(K.CHURNED)
    co_creating = next(row for row in churn.levels if row.level == L.CO_CREATING)

    assert (co_creating.accounts, co_creating.events) == (13, 4)
    # day 50 is the first with 5 at risk: the curve starts on day 49, among the ten
    assert [(p.day, p.at_risk) for p in co_creating.curve] == [
        (49, 10),
        (70, 10),
        (120, 9),
        (181, 8),
    ]
    assert [p.survival for p in co_creating.curve] == pytest.approx([1, 0.9, 0.8, 0.8])
    day_90, day_180 = co_creating.landmarks
    assert (day_90.percent, day_90.point.at_risk, day_180.percent) == (90, 9, 80)
