"""Robustness after bad times (community/selectors/robustness.py): the drop, the days to recover
and the renewal of hand-built accounts, worked out here from docs/product.md ("Robustness after
bad times") with no product function; the table by level before, its Wilson intervals checked
against statsmodels and its medians against numpy; and "too few to say" under the minimum.

Hand-built histories around one bad time on day D (scores per day, one snapshot a day):

    account   D-20 … D-1   D … D+9   D+10 …         outcomes
    dipped    60           50        60              renewed on D+40
    fell      40           25        25 (to the end) churned on D+100
    steady    30           35        35              none (the year is not over)
    late      —            —         from D+1 only   none (no score before: cannot say)
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics

import numpy
import pytest
from statsmodels.stats.proportion import proportion_confint

from accounts.models import Account
from community.models import BadTime, BadTimeKind, EngagementLevel, EngagementSnapshot
from community.models import OutcomeKind as K
from community.selectors.robustness import (
    MIN_SAMPLE,
    SMALL_GROUP,
    TOO_FEW,
    account_robustness,
    robustness_by_level,
)
from community.services.outcomes import outcome_record
from community.services.robustness import BadTimeRow, bad_times_ensure
from tests.accounts.factories import AccountFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 1)
D = TODAY - dt.timedelta(days=120)
L = EngagementLevel


def _history(account, start: dt.date, scores: list[float], level: str = L.CONTRIBUTING) -> None:
    EngagementSnapshot.objects.bulk_create(
        EngagementSnapshot(
            account=account,
            day=start + dt.timedelta(days=n),
            score=score,
            level=level,
            level_since=start,
            activity=0.5,
            breadth=0.5,
            co_creation=0.0,
            model_version=1,
        )
        for n, score in enumerate(scores)
    )


def _bad_time(account, day: dt.date = D, reference: str = "INC-1") -> None:
    bad_times_ensure(
        rows=[BadTimeRow(account.pk, BadTimeKind.INCIDENT, reference, day, "An outage")]
    )


# --- The reference, written from docs/product.md -----------------------------------------------


def reference(series: dict[dt.date, float], day: dt.date) -> tuple:
    """(score before, drop, days to recover) as the product page defines them."""
    window = [
        series[day - dt.timedelta(days=n)]
        for n in range(1, 15)
        if day - dt.timedelta(days=n) in series
    ]
    if not window:
        return None, None, None
    before = sum(window) / len(window)
    month = [series[d] for d in series if 0 <= (d - day).days <= 29]
    if not month:
        return before, None, None
    drop = max(0.0, before - min(month))
    below = sorted(d for d in series if 0 <= (d - day).days <= 29 and series[d] < before)
    if not below:
        return before, drop, 0
    back = sorted(d for d in series if d > below[0] and series[d] >= before)
    return before, drop, (back[0] - day).days if back else None


# --- One account's bad times -------------------------------------------------------------------


def test_a_dip_that_recovers_in_ten_days_and_renews():
    account = AccountFactory(slug="dipped")
    _history(account, D - dt.timedelta(days=20), [60] * 20 + [50] * 10 + [60] * 80)
    _bad_time(account)
    outcome_record(
        account=account, kind=K.RENEWED, occurred_on=D + dt.timedelta(days=40), recorded_by=None
    )

    (figures,) = account_robustness(account=account, today=TODAY)

    assert (figures.score_before, figures.lowest, figures.drop) == (60.0, 50.0, 10.0)
    assert figures.recovered_in == 10
    assert figures.recovery_label == "10 days"
    assert figures.level_before == L.CONTRIBUTING
    assert (figures.renewal.state, figures.renewal.occurred_on) == (
        "renewed",
        D + dt.timedelta(days=40),
    )


def test_a_drop_that_does_not_recover_and_churns():
    account = AccountFactory(slug="fell")
    _history(account, D - dt.timedelta(days=20), [40] * 20 + [25] * 121)
    _bad_time(account)
    outcome_record(
        account=account, kind=K.CHURNED, occurred_on=D + dt.timedelta(days=100), recorded_by=None
    )

    (figures,) = account_robustness(account=account, today=TODAY)

    assert figures.drop == 15.0
    assert figures.recovered_in is None
    assert figures.recovery_label == "Not yet"
    assert figures.renewal.state == "not_renewed"


def test_a_score_that_does_not_fall_recovers_in_no_days_and_an_open_year_is_not_yet():
    steady, late = AccountFactory(slug="steady"), AccountFactory(slug="late")
    _history(steady, D - dt.timedelta(days=20), [30] * 20 + [35] * 100)
    _history(late, D + dt.timedelta(days=1), [30] * 100)
    _bad_time(steady)
    _bad_time(late)

    (calm,) = account_robustness(account=steady, today=TODAY)
    (unmeasured,) = account_robustness(account=late, today=TODAY)

    assert (calm.drop, calm.recovered_in, calm.recovery_label) == (0.0, 0, "Did not fall")
    assert calm.renewal.state == "not_yet"
    assert not unmeasured.measurable
    assert unmeasured.level_before == "not_computed"
    assert unmeasured.recovery_label == "Cannot say: no score before"


def test_a_renewal_window_that_ended_without_a_decision_says_so():
    account = AccountFactory(slug="quiet")
    day = TODAY - dt.timedelta(days=400)
    _history(account, day - dt.timedelta(days=14), [50] * 30)
    _bad_time(account, day=day)

    (figures,) = account_robustness(account=account, today=TODAY)

    assert figures.renewal.state == "no_decision"


@pytest.mark.parametrize("seed", range(8))
def test_random_histories_give_the_reference_figures(seed):
    """Noisy scores with gaps (days without a snapshot) and bad times on several days: every
    figure equals the reference above."""
    rng = random.Random(seed)
    account = AccountFactory()
    start = D - dt.timedelta(days=30)
    series = {}
    score = rng.uniform(20, 80)
    for n in range(150):
        score = min(100.0, max(0.0, score + rng.uniform(-6, 6)))
        if rng.random() < 0.85:
            series[start + dt.timedelta(days=n)] = round(score, 1)
    EngagementSnapshot.objects.bulk_create(
        EngagementSnapshot(
            account=account,
            day=day,
            score=value,
            level=L.PARTICIPATING,
            activity=0.1,
            breadth=0.1,
            co_creation=0.0,
            model_version=1,
        )
        for day, value in series.items()
    )
    days = sorted({start + dt.timedelta(days=rng.randint(0, 140)) for _ in range(4)})
    for n, day in enumerate(days):
        _bad_time(account, day=day, reference=f"INC-{n}")

    shown = {f.bad_time.occurred_on: f for f in account_robustness(account=account, today=TODAY)}

    for day in days:
        before, drop, recovered = reference(series, day)
        f = shown[day]
        assert (f.score_before is None, f.drop is None) == (before is None, drop is None), day
        if before is not None:
            assert f.score_before == pytest.approx(before)
        if drop is not None:
            assert f.drop == pytest.approx(drop)
        assert f.recovered_in == recovered, day


# --- By level before the bad time ---------------------------------------------------------------


def _followed(level: str, recovered_in: int | None, *, renewed: bool | None = None) -> None:
    """An account at `level` before a bad time on D, back at its score `recovered_in` days
    later (None: never), followed 120 days."""
    account = AccountFactory()
    after = [50.0] * 121
    if recovered_in is not None:
        after = [40.0] * recovered_in + [50.0] * (121 - recovered_in)
    else:
        after = [40.0] * 121
    _history(account, D - dt.timedelta(days=14), [50.0] * 14 + after, level=level)
    _bad_time(account)
    if renewed is not None:
        outcome_record(
            account=account,
            kind=K.RENEWED if renewed else K.CHURNED,
            occurred_on=D + dt.timedelta(days=60),
            recorded_by=None,
        )


def test_the_table_by_level_counts_shares_intervals_and_medians():
    co_creating = [3, 7, 12, 20, 30, 45, 95, None, None, 10, 14]  # 11: 8 back within 90
    contributing = [5, 8, None, 60, 2, 33, 21]  # 7: a small group, 6 back
    observing = [4, None, 9]  # 3: too few to say
    for days in co_creating:
        _followed(L.CO_CREATING, days, renewed=days is not None and days < 40)
    for days in contributing:
        _followed(L.CONTRIBUTING, days)
    for days in observing:
        _followed(L.OBSERVING, days, renewed=True)

    table = robustness_by_level(
        accounts=Account.objects.all(),
        period_from=D - dt.timedelta(days=10),
        period_to=D,
        today=TODAY,
    )
    rows = {row.level: row for row in table.levels}

    top = rows[L.CO_CREATING]
    k = sum(1 for d in co_creating if d is not None and d <= 90)
    assert (top.bad_times, top.accounts, top.recovered.k, top.recovered.n) == (11, 11, k, 11)
    low, high = proportion_confint(k, 11, alpha=0.05, method="wilson")
    assert top.recovered.interval.low == pytest.approx(low, abs=1e-6)
    assert top.recovered.interval.high == pytest.approx(high, abs=1e-6)
    assert top.recovered.percent == round(100 * k / 11)
    assert not top.recovered.small and not top.recovered.too_few
    longer = [d if d is not None and d <= 90 else math.inf for d in co_creating]
    assert top.median_days == numpy.median(longer)
    assert top.median_label == f"{statistics.median(longer):g} days"
    renewed = sum(1 for d in co_creating if d is not None and d < 40)
    assert (top.renewed.k, top.renewed.n) == (renewed, 11)

    small = rows[L.CONTRIBUTING]
    assert small.recovered.small and small.recovered.n == 7 < SMALL_GROUP
    assert small.recovered.percent == round(100 * 6 / 7)

    few = rows[L.OBSERVING]
    assert few.recovered.n == 3 < MIN_SAMPLE
    assert few.recovered.too_few
    assert (few.recovered.percent, few.recovered.interval, few.median_days) == (None, None, None)
    assert few.median_label == TOO_FEW
    assert few.renewed.too_few and few.renewed.percent is None

    assert rows[L.DORMANT].bad_times == 0 and rows[L.DORMANT].recovered.too_few


def test_a_median_on_a_bad_time_not_back_says_over_the_window():
    for days in [4, None, None, None, 10]:
        _followed(L.PARTICIPATING, days)

    table = robustness_by_level(
        accounts=Account.objects.all(),
        period_from=D,
        period_to=D,
        today=TODAY,
    )
    row = next(r for r in table.levels if r.level == L.PARTICIPATING)

    assert (row.median_days, row.median_longer) == (None, True)
    assert row.median_label == "over 90 days"


def test_bad_times_not_yet_followed_for_the_window_are_counted_but_not_in_the_share():
    account = AccountFactory()
    day = TODAY - dt.timedelta(days=30)
    _history(account, day - dt.timedelta(days=14), [50.0] * 14 + [40.0] * 31)
    _bad_time(account, day=day)

    table = robustness_by_level(
        accounts=Account.objects.all(),
        period_from=day,
        period_to=day,
        today=TODAY,
    )
    row = next(r for r in table.levels if r.level == L.CONTRIBUTING)

    assert (row.bad_times, row.recovered.n) == (1, 0)


def test_the_table_reads_three_queries_whatever_the_number_of_bad_times(
    django_assert_num_queries,
):
    def table_with(bad_times: int) -> None:
        while BadTime.objects.count() < bad_times:
            _followed(L.CONTRIBUTING, 5, renewed=True)
        # 1 the bad times with their accounts, 2 their accounts' snapshots, 3 their decisions
        with django_assert_num_queries(3):
            table = robustness_by_level(
                accounts=Account.objects.all(),
                period_from=D,
                period_to=D,
                today=TODAY,
            )
        assert sum(row.bad_times for row in table.levels) == bad_times

    table_with(1)
    table_with(6)
