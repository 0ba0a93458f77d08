"""Raising alerts after a recompute (community.services.alerts.alerts_raise): each rule fires
exactly when it should, re-runs never duplicate, a resolved situation stays resolved and a new one
is raised again, and the account team is told once, by email after commit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AccountTeamAssignment, TeamRole
from community.models import (
    ActivityEvent,
    ActivityKind,
    Alert,
    AlertDigestMark,
    AlertReason,
    EngagementSnapshot,
    Notification,
    NotificationPreference,
)
from community.selectors.engagement_figures import day_end
from community.services import alerts
from community.services.notifications import (
    notification_preference_set,
    notification_preferences_set,
)
from community.tasks import engagement_recompute_task
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer
from tests.community.factories import EngagementSnapshotFactory

pytestmark = pytest.mark.django_db

D = dt.date(2026, 6, 30)  # the day the recompute computed


def _account(**fields):
    """An account with no renewal coming (so the silence rule stays out of the way)."""
    return AccountFactory(**{"renewal_date": None, **fields})


def _snapshot(account, *, days_ago: int, score: float, level: str):
    return EngagementSnapshotFactory(
        account=account, day=D - dt.timedelta(days=days_ago), score=score, level=level
    )


def _event(account, *, days_ago: float, support: bool = False):
    return ActivityEvent.objects.create(
        account=account,
        kind=ActivityKind.VOTE,
        occurred_at=day_end(D) - dt.timedelta(days=days_ago),
        is_support=support,
    )


def _reasons(account) -> list[str]:
    return sorted(Alert.objects.filter(account=account).values_list("reason", flat=True))


# --- Level dropped ---------------------------------------------------------------------------


def test_a_level_drop_since_the_previous_snapshot_raises_an_alert():
    account = _account()
    _snapshot(account, days_ago=3, score=33, level="participating")
    _snapshot(account, days_ago=0, score=25, level="observing")

    raised = alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert [a.reason for a in raised] == [AlertReason.LEVEL_DROPPED]
    alert = Alert.objects.get()
    assert alert.details["from_level"] == "participating"
    assert alert.details["to_level"] == "observing"
    assert alert.resolved_at is None and alert.acknowledged_at is None
    assert alert.summary == "Level dropped from Participating to Observing on 30 Jun 2026."


@pytest.mark.parametrize(
    ("before", "now"),
    [("observing", "observing"), ("observing", "participating")],
)
def test_a_level_that_held_or_rose_raises_nothing(before, now):
    account = _account()
    _snapshot(account, days_ago=1, score=25, level=before)
    _snapshot(account, days_ago=0, score=29, level=now)

    assert alerts.alerts_raise(account_ids=[account.pk], day=D) == []
    assert not Alert.objects.exists()


def test_a_first_snapshot_has_nothing_to_drop_from():
    account = _account()
    _snapshot(account, days_ago=0, score=5, level="dormant")

    alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert not Alert.objects.exists()


# --- Score fell ------------------------------------------------------------------------------


def test_a_score_15_points_below_the_peak_of_the_last_30_days_raises_an_alert():
    account = _account()
    _snapshot(account, days_ago=20, score=40, level="participating")
    _snapshot(account, days_ago=10, score=50, level="participating")
    _snapshot(account, days_ago=0, score=35, level="participating")

    alerts.alerts_raise(account_ids=[account.pk], day=D)

    alert = Alert.objects.get()
    assert alert.reason == AlertReason.SCORE_FELL
    assert alert.details["points"] == 15.0
    assert alert.details["peak_score"] == 50.0
    assert alert.details["peak_day"] == "2026-06-20"


def test_a_fall_of_less_than_15_points_raises_nothing():
    account = _account()
    _snapshot(account, days_ago=10, score=49.9, level="participating")
    _snapshot(account, days_ago=0, score=35, level="participating")

    alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert not Alert.objects.exists()


def test_a_peak_older_than_30_days_does_not_count():
    account = _account()
    _snapshot(account, days_ago=31, score=60, level="participating")
    _snapshot(account, days_ago=0, score=35, level="participating")

    alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert not Alert.objects.exists()


def test_an_account_not_computed_today_raises_no_engagement_alert():
    account = _account()
    _snapshot(account, days_ago=5, score=60, level="contributing")
    _snapshot(account, days_ago=1, score=20, level="observing")

    alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert not Alert.objects.exists()


# --- Silent before renewal -------------------------------------------------------------------


def test_31_days_without_customer_activity_before_a_renewal_in_90_days_raises_an_alert():
    account = _account(renewal_date=D + dt.timedelta(days=90))
    _event(account, days_ago=31)
    _event(account, days_ago=2, support=True)  # the account team's own actions do not count

    alerts.alerts_raise(account_ids=[account.pk], day=D)

    alert = Alert.objects.get()
    assert alert.reason == AlertReason.SILENT_BEFORE_RENEWAL
    assert alert.details["last_activity"] == "2026-05-31"
    assert alert.details["renewal_date"] == "2026-09-28"
    assert alert.details["days_to_renewal"] == 90


def test_an_account_that_never_did_anything_is_silent_too():
    account = _account(renewal_date=D + dt.timedelta(days=10))

    alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert _reasons(account) == [AlertReason.SILENT_BEFORE_RENEWAL]
    assert Alert.objects.get().details["last_activity"] is None


@pytest.mark.parametrize(
    ("last_activity_days_ago", "renewal_in_days"),
    [
        (29, 30),  # active recently
        (31, 91),  # renewal too far away
        (31, -1),  # renewal already passed
        (31, None),  # no renewal date
    ],
)
def test_silence_alone_or_a_renewal_alone_raises_nothing(last_activity_days_ago, renewal_in_days):
    renewal = D + dt.timedelta(days=renewal_in_days) if renewal_in_days is not None else None
    account = _account(renewal_date=renewal)
    _event(account, days_ago=last_activity_days_ago)

    alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert not Alert.objects.exists()


# --- Deduplication ---------------------------------------------------------------------------


def _falling_account():
    account = _account(renewal_date=D + dt.timedelta(days=30))
    _snapshot(account, days_ago=10, score=55, level="contributing")
    _snapshot(account, days_ago=0, score=25, level="observing")
    return account


def test_all_three_reasons_can_be_open_at_once():
    account = _falling_account()

    alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert _reasons(account) == sorted(AlertReason.values)


def test_re_running_never_duplicates_an_open_alert():
    account = _falling_account()

    first = alerts.alerts_raise(account_ids=[account.pk], day=D)
    second = alerts.alerts_raise(account_ids=[account.pk], day=D)
    third = alerts.alerts_raise(account_ids=[account.pk], day=D + dt.timedelta(days=1))

    assert len(first) == 3
    assert second == [] and third == []
    assert Alert.objects.count() == 3


def test_a_resolved_situation_is_not_raised_again_but_a_new_one_is(account_manager_a):
    account = _account()
    _snapshot(account, days_ago=3, score=31, level="participating")
    _snapshot(account, days_ago=2, score=29, level="observing")
    two_days_ago = D - dt.timedelta(days=2)
    alerts.alerts_raise(account_ids=[account.pk], day=two_days_ago)
    first = Alert.objects.get()
    alerts.alert_resolve(alert=first, user=account_manager_a, note="Called them; busy quarter.")

    # The same drop, computed again: it was resolved, it stays resolved.
    assert alerts.alerts_raise(account_ids=[account.pk], day=two_days_ago) == []
    # It climbs back and drops again: a new situation, a new alert.
    _snapshot(account, days_ago=1, score=31, level="participating")
    _snapshot(account, days_ago=0, score=28, level="observing")
    raised = alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert [a.reason for a in raised] == [AlertReason.LEVEL_DROPPED]
    assert Alert.objects.count() == 2
    assert Alert.objects.filter(resolved_at__isnull=True).get().details["day"] == "2026-06-30"


def test_the_database_refuses_a_second_open_alert_for_the_same_reason():
    from django.db import IntegrityError, transaction

    account = _account()
    Alert.objects.create(account=account, reason=AlertReason.SCORE_FELL)

    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(account=account, reason=AlertReason.SCORE_FELL)


# --- Telling the account team ----------------------------------------------------------------


def test_the_account_team_is_told_once_by_email_after_commit(
    account_a, account_manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    csm = TeamAssignmentFactory(account=account_a, role=TeamRole.CUSTOMER_SUCCESS_MANAGER).user
    customer(account_a)  # customers are never told
    account_a.renewal_date = None
    account_a.save()
    _snapshot(account_a, days_ago=1, score=35, level="participating")
    _snapshot(account_a, days_ago=0, score=25, level="observing")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alerts.alerts_raise(account_ids=[account_a.pk], day=D)
        assert mailoutbox == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        alerts.alerts_raise(account_ids=[account_a.pk], day=D)  # a re-run tells no one

    assert sorted(m.to[0] for m in mailoutbox) == sorted([account_manager_a.email, csm.email])
    assert mailoutbox[0].subject == "Acme Industrial: level dropped"
    notification = Notification.objects.filter(user=account_manager_a).get()
    assert notification.kind == "engagement_alert"
    assert notification.url == "/accounts/acme/engagement/"
    assert "/accounts/acme/engagement/" in mailoutbox[0].body


def test_raising_takes_the_same_queries_for_few_and_many_accounts(django_assert_num_queries):
    def falling_accounts(n):
        accounts = [_falling_account() for _ in range(n)]
        for account in accounts:
            TeamAssignmentFactory(account=account)
        return [a.pk for a in accounts]

    few, many = falling_accounts(1), falling_accounts(6)

    for ids in (few, many):
        # savepoint; the open alerts with their figures (none no longer true); the figures;
        # resolved situations; the insert; the inserted rows; the account teams; their
        # preferences for engagement alerts; the notifications; the chat channels that receive
        # them; the active webhook endpoints; release savepoint
        with django_assert_num_queries(12):
            assert len(alerts.alerts_raise(account_ids=ids, day=D)) == 3 * len(ids)


def test_telling_the_teams_takes_the_same_queries_for_few_and_many_alerts_and_members(
    django_assert_num_queries,
):
    def falling_accounts(n, members):
        accounts = [_falling_account() for _ in range(n)]
        for account in accounts:
            for _ in range(members):
                TeamAssignmentFactory(account=account)
        return [a.pk for a in accounts]

    # "many": 48 notifications of 18 columns, under the 999 parameters SQLite takes in one INSERT
    few, many = falling_accounts(1, members=1), falling_accounts(4, members=4)
    notification_preference_set(
        user=AccountTeamAssignment.objects.filter(account_id=many[0]).first().user,
        kind="engagement_alert",
        delivery="daily",
    )

    for ids, told in ((few, 3 * 1), (many, 3 * 4 * 4)):
        before = Notification.objects.count()
        # savepoint; the open alerts with their figures; the figures; resolved situations;
        # the insert; the inserted rows; the account teams; ONE query for their preferences
        # for engagement alerts; ONE insert of every alert × member notification; the chat
        # channels that receive them; the active webhook endpoints; release savepoint
        with django_assert_num_queries(12):
            alerts.alerts_raise(account_ids=ids, day=D)
        assert Notification.objects.count() - before == told
    assert Notification.objects.filter(email_delivery="daily").count() == 3  # the one on daily


# --- The hook in the engine ------------------------------------------------------------------


def test_the_engines_chunk_task_raises_alerts_for_its_accounts(django_capture_on_commit_callbacks):
    account = _account(renewal_date=D + dt.timedelta(days=20))
    other = _account(renewal_date=D + dt.timedelta(days=20))

    with django_capture_on_commit_callbacks(execute=True):
        engagement_recompute_task([account.pk], D.isoformat())

    assert EngagementSnapshot.objects.filter(account=account, day=D).exists()
    assert _reasons(account) == [AlertReason.SILENT_BEFORE_RENEWAL]
    assert _reasons(other) == []


# --- The daily digest ------------------------------------------------------------------------


def test_people_who_chose_the_digest_get_no_email_per_alert_but_one_digest(
    account_a, account_manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    alerts.alert_subscription_set(user=account_manager_a, daily_digest=True)
    other = TeamAssignmentFactory(account=account_a).user  # one email per alert, the default
    account_a.renewal_date = None
    account_a.save()
    _snapshot(account_a, days_ago=1, score=35, level="participating")
    _snapshot(account_a, days_ago=0, score=25, level="observing")

    with django_capture_on_commit_callbacks(execute=True):
        alerts.alerts_raise(account_ids=[account_a.pk], day=D)

    assert [m.to for m in mailoutbox] == [[other.email]]
    assert Notification.objects.filter(user=account_manager_a).count() == 1  # in the app

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alert_digests_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alert_digests_send() == 0  # a re-run sends nothing twice

    digest = mailoutbox[-1]
    assert digest.to == [account_manager_a.email]
    assert digest.subject == "1 new engagement alert"
    assert "Acme Industrial: Level dropped." in digest.body
    assert "/accounts/acme/engagement/" in digest.body
    assert len(mailoutbox) == 2


def test_the_digest_holds_only_the_persons_own_accounts_and_is_skipped_when_empty(
    account_a, account_b, account_manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    alerts.alert_subscription_set(user=account_manager_a, daily_digest=True)
    Alert.objects.create(account=account_b, reason=AlertReason.SCORE_FELL)

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alert_digests_send() == 0

    assert mailoutbox == []


def _digest_since_an_hour_ago(user, *, chosen_ago: dt.timedelta):
    """`user` chose the digest `chosen_ago` and got their last digest an hour ago."""
    alerts.alert_subscription_set(user=user, daily_digest=True)
    now = timezone.now()
    NotificationPreference.objects.filter(user=user).update(updated_at=now - chosen_ago)
    AlertDigestMark.objects.create(user=user, last_digest_at=now - dt.timedelta(hours=1))


def _alert(account, reason, *, ago: dt.timedelta | None = None):
    raised_at = timezone.now() - ago if ago else timezone.now()
    return Alert.objects.create(account=account, reason=reason, raised_at=raised_at)


def _digest_reasons(mailoutbox) -> list[str]:
    (digest,) = mailoutbox
    return sorted(
        label for _, label in AlertReason.choices if f"Industrial: {label}." in digest.body
    )


def test_the_digest_lists_the_alerts_since_the_last_one_and_a_resaved_choice_keeps_them(
    account_a, account_manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    _digest_since_an_hour_ago(account_manager_a, chosen_ago=dt.timedelta(days=3))
    _alert(account_a, AlertReason.LEVEL_DROPPED, ago=dt.timedelta(hours=2))  # in the last one
    _alert(account_a, AlertReason.SCORE_FELL, ago=dt.timedelta(minutes=30))
    # Saving the settings page again with the digest still chosen is no new choice.
    notification_preferences_set(
        user=account_manager_a, preferences={"engagement_alert": "daily", "mention": "off"}
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alert_digests_send() == 1

    assert _digest_reasons(mailoutbox) == ["Score fell sharply"]


def test_the_digest_leaves_out_an_alert_that_was_no_longer_true_before_it_went(
    account_a, account_manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    _digest_since_an_hour_ago(account_manager_a, chosen_ago=dt.timedelta(days=3))
    _alert(account_a, AlertReason.SCORE_FELL, ago=dt.timedelta(minutes=30))
    gone = _alert(account_a, AlertReason.LEVEL_DROPPED, ago=dt.timedelta(minutes=20))
    Alert.objects.filter(pk=gone.pk).update(
        resolved_at=timezone.now(), resolution="no_longer_true", resolution_note="Back at it"
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alert_digests_send() == 1

    assert _digest_reasons(mailoutbox) == ["Score fell sharply"]


def test_switching_the_digest_off_and_on_again_starts_it_from_then(
    account_a, account_manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    _digest_since_an_hour_ago(account_manager_a, chosen_ago=dt.timedelta(days=3))
    alerts.alert_subscription_set(user=account_manager_a, daily_digest=False)
    _alert(account_a, AlertReason.SCORE_FELL, ago=dt.timedelta(minutes=30))  # emailed at once
    alerts.alert_subscription_set(user=account_manager_a, daily_digest=True)
    _alert(account_a, AlertReason.LEVEL_DROPPED)

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alert_digests_send() == 1

    assert _digest_reasons(mailoutbox) == ["Level dropped"]


def test_only_people_whose_alert_preference_is_daily_get_a_digest(
    account_a, account_manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    off = TeamAssignmentFactory(account=account_a).user
    gone = TeamAssignmentFactory(account=account_a).user
    for user in (account_manager_a, gone):
        alerts.alert_subscription_set(user=user, daily_digest=True)
    notification_preferences_set(user=off, preferences={"engagement_alert": "off"})
    gone.is_active = False
    gone.save()
    _alert(account_a, AlertReason.LEVEL_DROPPED)

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alert_digests_send() == 1

    assert [m.to for m in mailoutbox] == [[account_manager_a.email]]
    assert list(AlertDigestMark.objects.values_list("user", flat=True)) == [account_manager_a.pk]


def test_the_digest_task_is_scheduled_daily(settings):
    from community.tasks import alert_digests_task

    entry = settings.CELERY_BEAT_SCHEDULE["alert-digests"]

    assert entry["task"] == "community.tasks.alert_digests_task"
    assert alert_digests_task() == 0
