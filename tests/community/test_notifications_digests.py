"""Daily and weekly digests: one email per person and period, however often the job runs."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from community.models import Notification, NotificationDigest
from community.selectors.notifications import notification_delivery
from community.services.notification_emails import digest_period_start, notification_digests_send
from community.services.notifications import (
    notification_preference_set,
    notify,
)
from community.tasks import notification_digests_daily_task, notification_digests_weekly_task
from tests.accounts.factories import customer
from tests.community.factories import another_sender_busy_with
from tests.community.flaky_email_backend import FlakyBackend, RefusingBackend

MONDAY_MORNING = dt.datetime(2026, 3, 2, 7, 10, tzinfo=dt.UTC)


def _prefer(user, kind, delivery):
    notification_preference_set(user=user, kind=kind, delivery=delivery)


def _notify(*users, kind="mention", title="You were mentioned in “Offline mode”"):
    return notify(users=users, kind=kind, title=title, url="/gardens/g/threads/1/")


def test_the_daily_job_run_twice_sends_one_digest_per_person(member_a, admin_a, member_b):
    for person in (member_a, admin_a):
        _prefer(person, "mention", "daily")
    _notify(member_a, admin_a, member_b)  # member_b: immediately (the default)
    _notify(member_a, title="Mentioned again")
    mail.outbox.clear()

    assert notification_digests_daily_task() == 2
    assert notification_digests_daily_task() == 0  # the same day again: nothing

    assert sorted(m.to[0] for m in mail.outbox) == sorted([member_a.email, admin_a.email])
    alice = next(m for m in mail.outbox if m.to == [member_a.email])
    assert alice.subject == "Your daily digest: 2 notifications"
    assert "You were mentioned in “Offline mode”" in alice.body
    assert "Mentioned again" in alice.body
    assert "http://127.0.0.1:8000/gardens/g/threads/1/" in alice.body
    assert alice.alternatives[0][1] == "text/html"
    assert alice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert NotificationDigest.objects.filter(sent_at__isnull=False).count() == 2
    assert not Notification.objects.filter(user=member_a, emailed_at__isnull=True).exists()


def test_a_notification_after_the_days_digest_waits_for_the_next_day(member_a):
    _prefer(member_a, "mention", "daily")
    _notify(member_a)
    today = timezone.now()
    assert notification_digests_send(period="daily", now=today) == 1

    _notify(member_a, title="Later that day")
    assert notification_digests_send(period="daily", now=today) == 0
    tomorrow = today + dt.timedelta(days=1)
    assert notification_digests_send(period="daily", now=tomorrow) == 1

    assert len(mail.outbox) == 2
    assert "Later that day" in mail.outbox[1].body
    assert "You were mentioned" not in mail.outbox[1].body  # sent once, in the first


def test_the_weekly_digest_goes_once_a_week_and_holds_only_weekly_kinds(member_a):
    _prefer(member_a, "mention", "daily")
    _prefer(member_a, "harvest_published", "weekly")
    _notify(member_a)
    _notify(member_a, kind="harvest_published", title="A harvest: offline mode, you said, we did")

    assert notification_digests_send(period="weekly", now=MONDAY_MORNING) == 1
    wednesday = MONDAY_MORNING + dt.timedelta(days=2)
    _notify(member_a, kind="harvest_published", title="Another harvest")
    assert notification_digests_send(period="weekly", now=wednesday) == 0

    [weekly] = mail.outbox
    assert weekly.subject == "Your weekly digest: 1 notification"
    assert "A harvest: offline mode" in weekly.body
    assert "You were mentioned" not in weekly.body
    digest = NotificationDigest.objects.get()
    assert (digest.period, digest.period_start) == ("weekly", dt.date(2026, 3, 2))
    next_monday = MONDAY_MORNING + dt.timedelta(days=7)
    assert notification_digests_send(period="weekly", now=next_monday) == 1
    assert "Another harvest" in mail.outbox[1].body


def test_a_run_that_finds_the_digest_being_sent_by_another_sends_nothing(member_a):
    _prefer(member_a, "mention", "daily")
    _notify(member_a)
    start = digest_period_start(period="daily", day=timezone.localdate())
    digest = NotificationDigest.objects.create(user=member_a, period="daily", period_start=start)

    with another_sender_busy_with(digest):
        assert notification_digests_daily_task() == 0
    assert mail.outbox == []


def test_nobody_without_waiting_notifications_gets_a_digest(member_a, admin_a):
    _prefer(member_a, "mention", "daily")
    _notify(admin_a)  # immediately
    mail.outbox.clear()

    assert notification_digests_daily_task() == 0
    assert mail.outbox == []
    assert not NotificationDigest.objects.exists()


def test_no_digest_for_a_deactivated_person_or_a_kind_turned_off_since(account_a, member_a):
    gone = customer(account_a)
    for person in (gone, member_a):
        _prefer(person, "mention", "daily")
    _notify(gone, member_a)
    gone.is_active = False
    gone.save()
    _prefer(member_a, "mention", "off")  # e.g. the unsubscribe link of another email

    assert notification_digests_daily_task() == 0
    assert mail.outbox == []


def test_the_digest_lists_each_kind_with_its_own_unsubscribe_link(client, member_a):
    _prefer(member_a, "mention", "daily")
    _prefer(member_a, "reply", "daily")
    _notify(member_a)
    _notify(member_a, kind="reply", title="Bob replied in “Offline mode”")
    notification_digests_daily_task()

    [digest] = mail.outbox
    links = [
        line.split(": ", 1)[1]
        for line in digest.body.splitlines()
        if line.strip().startswith("Stop “")
    ]
    assert len(links) == 2
    mention_link = next(
        link for link in links if "Someone mentions you" in digest.body.split(link)[0][-200:]
    )
    client.post(mention_link.removeprefix("http://127.0.0.1:8000"))

    assert notification_delivery(user=member_a, kind="mention") == "off"
    assert notification_delivery(user=member_a, kind="reply") == "daily"


# --- Failure and retry ---------------------------------------------------------------------


@pytest.fixture
def smtp_down_once(settings):
    settings.EMAIL_BACKEND = "tests.community.flaky_email_backend.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.attempts = 1, 0
    return FlakyBackend


def test_a_failed_digest_is_sent_by_the_retry_and_only_once(member_a, admin_a, smtp_down_once):
    for person in (member_a, admin_a):
        _prefer(person, "mention", "daily")
    _notify(member_a, admin_a)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_digests_send(period="daily")
    assert len(mail.outbox) == 1  # the other person's digest still went
    failed = NotificationDigest.objects.get(sent_at__isnull=True)
    assert failed.claimed_at is None  # released for the retry

    assert notification_digests_send(period="daily") == 1  # the retry
    assert notification_digests_send(period="daily") == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member_a.email, admin_a.email])


def test_a_digest_whose_retries_ran_out_goes_with_the_next_run(member_a, smtp_down_once):
    _prefer(member_a, "mention", "daily")
    _notify(member_a)
    today = timezone.now()
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_digests_send(period="daily", now=today)

    _notify(member_a, title="The next day")
    tomorrow = today + dt.timedelta(days=1)
    assert notification_digests_send(period="daily", now=tomorrow) == 1

    [late] = mail.outbox  # yesterday's digest, late, with what came since: one email
    assert "You were mentioned" in late.body
    assert "The next day" in late.body
    assert NotificationDigest.objects.filter(sent_at__isnull=True).count() == 0


def test_a_digest_no_retry_can_send_is_recorded_with_its_notifications_and_not_retried(
    settings, member_a
):
    settings.EMAIL_BACKEND = "tests.community.flaky_email_backend.RefusingBackend"
    RefusingBackend.attempts = 0
    _prefer(member_a, "mention", "daily")
    held = _notify(member_a)

    assert notification_digests_send(period="daily") == 0  # recorded, not raised
    assert notification_digests_send(period="daily") == 0  # and not tried again

    assert RefusingBackend.attempts == 1
    digest = NotificationDigest.objects.get()
    assert (digest.sent_at, digest.claimed_at, digest.failed_at is not None) == (None, None, True)
    assert digest.error == "BadHeaderError: Header values can't contain newlines"
    failed = Notification.objects.get(pk=held[0].pk)
    assert (failed.emailed_at, failed.email_error) == (None, digest.error)
    assert failed.email_failed_at == digest.failed_at


def test_the_digest_jobs_are_scheduled_daily_and_weekly(settings, db):
    daily = settings.CELERY_BEAT_SCHEDULE["notification-digests-daily"]
    weekly = settings.CELERY_BEAT_SCHEDULE["notification-digests-weekly"]

    assert daily["task"] == "community.tasks.notification_digests_daily_task"
    assert weekly["task"] == "community.tasks.notification_digests_weekly_task"
    assert daily["schedule"].day_of_week == set(range(7))
    assert weekly["schedule"].day_of_week == {1}  # Monday
    assert notification_digests_weekly_task() == 0


def test_the_digest_job_takes_the_same_queries_for_few_and_many_people(
    account_a, django_assert_num_queries
):
    locks = 2 if connection.vendor == "postgresql" else 0  # take and release the sending lock

    def waiting(n):
        people = [customer(account_a) for _ in range(n)]
        for person in people:
            _prefer(person, "mention", "daily")
        _notify(*people)

    for n in (1, 4):
        waiting(n)
        # Once: who waits; insert the digests; read back the unsent ones. Per person: read
        # the digest with the person; claim it; gather the waiting notifications into it; read
        # them; savepoint; mark the digest sent; mark its notifications emailed; release.
        with django_assert_num_queries(3 + (8 + locks) * n):
            assert notification_digests_send(period="daily") == n
