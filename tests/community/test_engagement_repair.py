"""History repair: events dated before today mark their account, and the scheduled runs
recompute it from that day to today (community.services.engagement.engagement_repair)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from accounts.services import membership_remove
from community.models import (
    ActivityEvent,
    ActivityKind,
    Alert,
    AlertReason,
    EngagementLevel,
    EngagementRepair,
    EngagementRun,
    EngagementSnapshot,
)
from community.selectors import engagement_history
from community.services.engagement import (
    activity_record,
    engagement_history_compute,
    engagement_recompute,
    engagement_repair,
    engagement_repair_mark,
    offline_event_record,
)
from community.tasks import engagement_recompute_incremental_task
from tests.accounts.factories import AccountFactory, customer
from tests.community.reference_engagement import differences

pytestmark = pytest.mark.django_db

K = ActivityKind


def _today() -> dt.date:
    return timezone.localdate()


def _ago(days: int) -> dt.date:
    return _today() - dt.timedelta(days=days)


def _noon(day: dt.date) -> dt.datetime:
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone())
    return min(noon, timezone.now())


def _scores(account) -> dict[dt.date, float]:
    return dict(EngagementSnapshot.objects.filter(account=account).values_list("day", "score"))


def _visits(account, user, days_ago: list[int]) -> None:
    for days in days_ago:
        activity_record(account=account, user=user, kind=K.VISIT, occurred_at=_noon(_ago(days)))


def test_an_offline_event_60_days_back_changes_every_day_from_then_and_nothing_before(
    django_capture_on_commit_callbacks, programme_admin
):
    account = AccountFactory()
    person = customer(account)
    _visits(account, person, [80, 70])
    engagement_history_compute(days=90)
    EngagementRepair.objects.all().delete()  # the backfill settled them
    before = _scores(account)

    offline_event_record(
        account=account, kind=K.REFERRAL, occurred_on=_ago(60), recorded_by=programme_admin
    )
    assert EngagementRepair.objects.get(account=account).since == _ago(60)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_recompute_incremental_task()

    after = _scores(account)
    assert not EngagementRepair.objects.exists()
    assert all(after[day] == before[day] for day in before if day < _ago(60))
    assert all(after[day] > before[day] for day in before if day >= _ago(60))
    assert differences([account.pk]) == []


def test_a_repair_writes_what_the_daily_computation_writes():
    accounts = [AccountFactory() for _ in range(3)]
    for n, account in enumerate(accounts):
        people = [customer(account) for _ in range(n + 1)]
        for person in people:
            _visits(account, person, [40, 33, 20 + n, 9, 2])
    engagement_history_compute(days=45)
    daily = {
        (s.account_id, s.day): (s.score, s.level, s.level_since, s.activity, s.breadth)
        for s in EngagementSnapshot.objects.all()
    }

    engagement_repair_mark(since_by_account={a.pk: _ago(44) for a in accounts})
    written = engagement_repair(account_ids=[a.pk for a in accounts])

    assert written == len(daily)
    repaired = {
        (s.account_id, s.day): (s.score, s.level, s.level_since, s.activity, s.breadth)
        for s in EngagementSnapshot.objects.all()
    }
    assert repaired == daily


def test_an_event_of_today_or_of_the_support_team_marks_nothing(programme_admin):
    account = AccountFactory()
    activity_record(account=account, user=customer(account), kind=K.VOTE)
    activity_record(
        account=account,
        user=programme_admin,
        kind=K.COMMENT,
        occurred_at=_noon(_ago(5)),
        is_support=True,
    )

    assert not EngagementRepair.objects.exists()


def test_the_earliest_day_wins_when_an_account_is_marked_twice():
    account = AccountFactory()
    engagement_repair_mark(since_by_account={account.pk: _ago(5)})
    engagement_repair_mark(since_by_account={account.pk: _ago(9)})
    engagement_repair_mark(since_by_account={account.pk: _ago(7)})

    assert EngagementRepair.objects.get(account=account).since == _ago(9)


def test_a_mark_made_again_while_a_repair_runs_stays_for_the_next_run():
    account = AccountFactory()
    _visits(account, customer(account), [10, 3])
    engagement_history_compute(days=30)
    engagement_repair_mark(since_by_account={account.pk: _ago(10)})
    real = engagement_history.snapshots_history

    def marked_meanwhile(**kwargs):
        result = real(**kwargs)
        engagement_repair_mark(since_by_account={account.pk: _ago(20)})  # a late event arrives
        return result

    with mock.patch(
        "community.services.engagement.snapshots_history", side_effect=marked_meanwhile
    ):
        engagement_repair(account_ids=[account.pk])

    assert EngagementRepair.objects.get(account=account).since == _ago(20)
    engagement_repair(account_ids=[account.pk])
    assert not EngagementRepair.objects.exists()
    assert differences([account.pk]) == []


def test_a_repair_raises_no_alert_about_the_past(django_capture_on_commit_callbacks):
    account = AccountFactory()
    people = [customer(account) for _ in range(3)]
    for person in people:
        _visits(account, person, list(range(60, 30, -1)))  # busy, then silent for 30 days
    engagement_history_compute(days=2, until=_ago(30))  # computed while it was busy
    EngagementRepair.objects.all().delete()
    busy = EngagementSnapshot.objects.filter(account=account).latest("day")

    engagement_repair_mark(since_by_account={account.pk: _ago(29)})
    with django_capture_on_commit_callbacks(execute=True):
        engagement_repair(account_ids=[account.pk])

    latest = EngagementSnapshot.objects.filter(account=account).latest("day")
    assert latest.day == _today()
    assert EngagementLevel.rank(latest.level) < EngagementLevel.rank(busy.level)
    # the level fell weeks ago, in the repaired past; today is like yesterday: no alert
    assert not Alert.objects.filter(account=account, reason=AlertReason.LEVEL_DROPPED).exists()


def test_a_member_leaving_repairs_the_days_they_counted_in():
    account = AccountFactory()
    people = [customer(account) for _ in range(12)]  # 0.3 × 12 = 3.6 people needed
    _visits(account, people[0], [5, 3])
    _visits(account, people[1], [4])
    engagement_history_compute(days=10)
    EngagementRepair.objects.all().delete()

    membership_remove(membership=people[5].membership)

    assert EngagementRepair.objects.get(account=account).since == _ago(9)  # the first snapshot
    engagement_repair(account_ids=[account.pk])
    assert differences([account.pk]) == []


def test_the_incremental_run_leaves_repaired_accounts_to_their_repair(
    django_capture_on_commit_callbacks,
):
    marked, fresh = AccountFactory(), AccountFactory()
    engagement_history_compute(days=5)
    before = _scores(fresh)
    activity_record(account=marked, user=customer(marked), kind=K.VOTE, occurred_at=_noon(_ago(3)))
    activity_record(account=fresh, user=customer(fresh), kind=K.VOTE)

    with django_capture_on_commit_callbacks(execute=True):
        engagement_recompute_incremental_task()

    run = EngagementRun.objects.latest()
    assert run.accounts == 1  # the fresh one; the marked one was repaired instead
    changed = {day for day, score in _scores(marked).items() if score > 0}
    assert changed == {_ago(n) for n in range(4)}  # repaired from the late event's day
    assert {d for d, s in _scores(fresh).items() if s != before[d]} == {_today()}


def test_recomputing_a_past_day_carries_on_to_the_later_days_already_computed():
    account = AccountFactory()
    person = customer(account)
    _visits(account, person, [3])
    engagement_history_compute(days=4)
    # an event that reached the database without the product's recording (no mark)
    ActivityEvent.objects.create(
        account=account, user=person, kind=K.REFERRAL, occurred_at=_noon(_ago(2))
    )
    stale = _scores(account)

    engagement_recompute(account_ids=[account.pk], day=_ago(2))

    fresh = _scores(account)
    assert [fresh[_ago(n)] > stale[_ago(n)] for n in (2, 1, 0)] == [True, True, True]
    assert differences([account.pk]) == []
