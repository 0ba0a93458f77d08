"""The outcome rates by level are remembered under the fingerprints of what they are computed
from (community.selectors.insights): a second read computes nothing, and any change to those
rows (a late outcome, a repaired level, an account with no snapshot yet, another segment) gives
the rates a recomputation from the rows gives."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Segment
from community.models import EngagementSnapshot
from community.selectors.insights import _rates_compute, outcome_rates_ahead, outcome_rates_by_level
from tests.accounts.factories import AccountFactory
from tests.community.test_insights_rates import FROM, TO, K, L, _outcome, _snapshot, planted

__all__ = ["planted"]  # the fixture, shared with the rates' own tests


def _read(accounts=None, segment=""):
    return outcome_rates_by_level(
        accounts=accounts if accounts is not None else Account.objects.all(),
        period_from=FROM,
        period_to=TO,
        segment=segment,
    )


def _recomputed(accounts=None, segment=""):
    accounts = accounts if accounts is not None else Account.objects.all()
    if segment:
        accounts = accounts.filter(segment=segment)
    return _rates_compute(
        account_ids=accounts.order_by().values("pk"),
        period_from=FROM,
        period_to=TO,
        segment=segment,
    )


def test_a_second_read_computes_nothing(planted):
    with CaptureQueriesContext(connection) as first:
        computed = _read()
    with CaptureQueriesContext(connection) as second:
        remembered = _read()

    assert remembered == computed == _recomputed()
    assert len(second) == 3  # the three fingerprints
    assert len(first) == len(second) + 3  # and the three queries of the rates


def test_every_change_to_the_rows_is_read_at_once(planted):
    faded = Account.objects.get(slug="faded")
    _read()

    _outcome(faded, K.REFERRED, dt.date(2026, 10, 1))  # recorded late, in the period
    assert _read() == _recomputed()
    assert _read().rate(kind=K.REFERRED, level=L.DORMANT).accounts == 1

    # A repair rewrites a day of change in place: faded was Observing, not Dormant, in autumn.
    EngagementSnapshot.objects.filter(account=faded, day=dt.date(2026, 9, 1)).update(
        level=L.OBSERVING
    )
    assert _read() == _recomputed()
    assert _read().rate(kind=K.REFERRED, level=L.OBSERVING).accounts == 2

    # A new account without any snapshot holds "not known yet" in the period.
    held_before = {row.level: row.held for row in _read().levels}
    AccountFactory(slug="newcomer")
    held_after = {row.level: row.held for row in _read().levels}
    assert held_after == {row.level: row.held for row in _recomputed().levels}
    assert held_after["not_computed"] == held_before["not_computed"] + 1

    _snapshot(Account.objects.get(slug="newcomer"), dt.date(2026, 6, 1), L.CONTRIBUTING)
    assert _read() == _recomputed()


def test_other_accounts_and_segments_are_remembered_apart(planted):
    everyone = _read()
    one = _read(accounts=Account.objects.filter(slug="left"))
    empty_public = _read(
        accounts=Account.objects.filter(slug="left"), segment=Segment.PUBLIC_SECTOR
    )

    assert everyone != one
    assert one == _recomputed(accounts=Account.objects.filter(slug="left"))
    assert empty_public.segment == Segment.PUBLIC_SECTOR  # not the unsegmented result's
    assert empty_public == _recomputed(
        accounts=Account.objects.filter(slug="left"), segment=Segment.PUBLIC_SECTOR
    )


def test_the_first_view_is_computed_ahead(planted):
    today = dt.date(2027, 1, 15)
    ahead = outcome_rates_ahead(today=today)

    with CaptureQueriesContext(connection) as read:
        rates = outcome_rates_by_level(
            accounts=Account.objects.all(),
            period_from=ahead.period_from,
            period_to=ahead.period_to,
        )
    assert rates == ahead
    assert len(read) == 3  # found remembered
    assert ahead.period_to == today
