"""Alerts that stay true: whether an open alert still holds (community.selectors.alerts.
alert_status, from the latest snapshot and events), and the engine resolving one that no longer
holds as "no longer true" inside alerts_raise, with the reason in words, telling no one.

Dates are explicit: the engine raises as of D and later days; snapshots are written as the
engine (or its history repair) would leave them."""

from __future__ import annotations

import datetime as dt

import pytest

from community.models import (
    ActivityEvent,
    ActivityKind,
    Alert,
    AlertReason,
    EngagementSnapshot,
    Notification,
    WebhookDelivery,
)
from community.selectors.alerts import alert_status
from community.selectors.engagement_figures import day_end
from community.services import alerts
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory

pytestmark = pytest.mark.django_db

D = dt.date(2026, 6, 30)


def _day(offset: int) -> dt.date:
    return D + dt.timedelta(days=offset)


def _account(**fields):
    account = AccountFactory(**{"renewal_date": None, **fields})
    TeamAssignmentFactory(account=account)  # someone who would be told
    return account


def _snapshot(account, offset: int, score: float, level: str, since: int | None = None):
    """The snapshot of D + offset; `since`: the offset of the first day at this level."""
    EngagementSnapshot.objects.update_or_create(
        account=account,
        day=_day(offset),
        defaults={
            "score": score,
            "level": level,
            "level_since": _day(offset if since is None else since),
            "activity": 0.4,
            "breadth": 0.3,
            "co_creation": 0.2,
            "model_version": 1,
        },
    )


def _event(account, *, on: dt.date, hour: int = 12):
    moment = day_end(on) - dt.timedelta(hours=24 - hour)
    return ActivityEvent.objects.create(account=account, kind=ActivityKind.VOTE, occurred_at=moment)


def _raise(account, offset: int) -> list[Alert]:
    return alerts.alerts_raise(account_ids=[account.pk], day=_day(offset))


def _told() -> tuple[int, int]:
    return Notification.objects.count(), WebhookDelivery.objects.count()


# --- Level dropped ---------------------------------------------------------------------------


@pytest.fixture
def dropped():
    """Participating until D−3, Observing from D−2: a drop alert raised as of D−2."""
    account = _account()
    _snapshot(account, -3, 31, "participating", since=-20)
    _snapshot(account, -2, 28, "observing")
    assert [a.reason for a in _raise(account, -2)] == [AlertReason.LEVEL_DROPPED]
    return account


def test_a_drop_alert_holds_while_the_level_stays_below(dropped):
    _snapshot(dropped, -1, 27, "observing", since=-2)

    status = alert_status(Alert.objects.get(), day=_day(-1))

    assert (status.holds, status.words, status.since) == (
        True,
        "Observing since 28 Jun 2026",
        _day(-2),
    )
    assert _raise(dropped, -1) == []
    assert Alert.objects.get().resolved_at is None


def test_back_at_the_level_the_alert_is_resolved_as_no_longer_true_and_no_one_is_told(
    dropped, mailoutbox, django_capture_on_commit_callbacks
):
    _snapshot(dropped, -1, 29, "observing", since=-2)
    _snapshot(dropped, 0, 33, "participating")
    told = _told()

    with django_capture_on_commit_callbacks(execute=True):
        assert _raise(dropped, 0) == []

    alert = Alert.objects.get()
    assert alert.resolved_at is not None and alert.resolved_by is None
    assert alert.resolution == "no_longer_true"
    assert alert.resolution_note == "Back at Participating since 30 Jun 2026"
    assert alert.acknowledged_at is None
    assert _told() == told and mailoutbox == []


def test_resolving_is_idempotent(dropped):
    _snapshot(dropped, 0, 33, "participating")
    _raise(dropped, 0)
    first = Alert.objects.values_list("resolved_at", "resolution_note").get()

    _raise(dropped, 0)
    _raise(dropped, 1)

    assert Alert.objects.values_list("resolved_at", "resolution_note").get() == first


def test_a_drop_the_repaired_history_no_longer_shows_ends_as_no_longer_true(dropped):
    # A late event: the repair recomputes D−2 on, and the account never left Participating
    # on D−2; it drops on D instead, which is the present day's new alert.
    _snapshot(dropped, -2, 32, "participating", since=-20)
    _snapshot(dropped, -1, 31, "participating", since=-20)
    _snapshot(dropped, 0, 26, "observing")

    raised = _raise(dropped, 0)

    old = Alert.objects.get(resolved_at__isnull=False)
    assert old.resolution == "no_longer_true"
    assert old.resolution_note == (
        "The recomputed history shows no drop below Participating by 28 Jun 2026"
    )
    assert [a.details["day"] for a in raised] == ["2026-06-30"]


def test_an_alert_a_person_resolved_is_left_as_it_is(dropped, account_manager_a):
    alerts.alert_resolve(alert=Alert.objects.get(), user=account_manager_a, note="Called them.")
    _snapshot(dropped, 0, 33, "participating")

    _raise(dropped, 0)

    alert = Alert.objects.get()
    assert (alert.resolution, alert.resolution_note) == ("person", "Called them.")
    assert alert.resolved_by == account_manager_a


# --- Score fell ------------------------------------------------------------------------------


@pytest.fixture
def fell():
    """A peak of 55.0 on D−10, 38.0 on D−2: a score alert raised as of D−2."""
    account = _account()
    _snapshot(account, -10, 55, "contributing", since=-40)
    _snapshot(account, -2, 38, "contributing", since=-40)
    assert [a.reason for a in _raise(account, -2)] == [AlertReason.SCORE_FELL]
    return account


def test_a_score_alert_holds_until_the_score_is_back_within_15_of_its_peak(fell):
    _snapshot(fell, -1, 40, "contributing", since=-40)
    assert _raise(fell, -1) == []
    assert alert_status(Alert.objects.get(), day=_day(-1)).words == (
        "Score 40.0 on 29 Jun 2026, 15.0 below its peak of 55.0 on 20 Jun 2026"
    )
    assert Alert.objects.get().resolved_at is None

    _snapshot(fell, 0, 48, "contributing", since=-40)
    _raise(fell, 0)

    alert = Alert.objects.get()
    assert alert.resolution == "no_longer_true"
    assert alert.resolution_note == (
        "Score back to 48.0 on 30 Jun 2026, within 15 of its peak of 55.0 on 20 Jun 2026"
    )


def test_the_peak_is_read_again_from_the_repaired_history(fell):
    _snapshot(fell, -10, 50, "contributing", since=-40)  # repaired: the peak was lower
    _snapshot(fell, 0, 38, "contributing", since=-40)  # the same score as when raised

    _raise(fell, 0)

    assert Alert.objects.get().resolution_note == (
        "Score back to 38.0 on 30 Jun 2026, within 15 of its peak of 50.0 on 20 Jun 2026"
    )


# --- Silent before renewal -------------------------------------------------------------------


@pytest.fixture
def silent():
    """Last customer event 40 days before D, renewal 30 days after: an alert as of D."""
    account = _account(renewal_date=_day(30))
    _event(account, on=_day(-40))
    assert [a.reason for a in _raise(account, 0)] == [AlertReason.SILENT_BEFORE_RENEWAL]
    return account


def test_a_silent_account_active_again_ends_its_alert(silent):
    for hour in (9, 10, 11):
        _event(silent, on=_day(2), hour=hour)
    _event(silent, on=_day(3))

    _raise(silent, 2)  # as of D+2: the three events of that day count, the one after not
    alert = Alert.objects.get()
    assert alert.resolution == "no_longer_true"
    assert alert.resolution_note == "Active again: 3 events since 2 Jul 2026"


def test_a_moved_renewal_ends_the_alert_and_a_new_one_names_the_new_date(silent):
    silent.renewal_date = _day(60)
    silent.save(update_fields=["renewal_date"])

    raised = _raise(silent, 1)

    old = Alert.objects.get(resolved_at__isnull=False)
    assert old.resolution_note == "The renewal date moved to 29 Aug 2026"
    assert [a.details["renewal_date"] for a in raised] == ["2026-08-29"]  # still silent


def test_a_passed_renewal_ends_the_alert(silent):
    _raise(silent, 31)

    assert Alert.objects.get().resolution_note == "The renewal date passed (30 Jul 2026)"


def test_silent_since_is_the_true_last_customer_event_even_one_recorded_late(silent):
    _event(silent, on=_day(-35))  # an offline event 35 days back, recorded after the alert
    alert = Alert.objects.get()

    status = alert_status(alert, day=_day(0))

    assert alert.summary.startswith("No customer activity since 21 May 2026")  # when raised
    assert status.summary == (
        "No customer activity since 26 May 2026 (30+ days); renewal on 30 Jul 2026."
    )
    assert (status.holds, status.words) == (True, "Silent since 26 May 2026")


# --- The cost --------------------------------------------------------------------------------


def test_resolving_takes_the_same_queries_for_few_and_many_alerts(django_assert_num_queries):
    def back_up(n):
        accounts = [_account() for _ in range(n)]
        for account in accounts:
            _snapshot(account, -3, 31, "participating", since=-20)
            _snapshot(account, -2, 28, "observing")
        alerts.alerts_raise(account_ids=[a.pk for a in accounts], day=_day(-2))
        for account in accounts:
            _snapshot(account, 0, 33, "participating")
        return [a.pk for a in accounts]

    for ids in (back_up(1), back_up(6)):
        # savepoint; the open alerts with their figures; ONE update of those no longer true;
        # the active webhook endpoints (none: the resolved alerts are not read again); the
        # figures; release savepoint (nothing to raise)
        with django_assert_num_queries(6):
            alerts.alerts_raise(account_ids=ids, day=D)
        assert not Alert.objects.filter(account_id__in=ids, resolved_at__isnull=True).exists()
