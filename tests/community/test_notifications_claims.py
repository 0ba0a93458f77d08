"""Who may send a notification email or a digest, and what goes when a sender died mid-send.

A sender that dies leaves its claim on an unsent row and, on PostgreSQL, no sending lock (it
ended with its database session). The rows below are put in that state by hand; the real kill
is in test_notifications_worker_killed.py. Here: the moment after the mail server accepted the
message and before the row was marked sent, the one case where the person gets a second copy,
which must be the same message (same Message-ID, same notifications)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from community.models import Notification, NotificationDigest
from community.services.notification_emails import (
    digest_period_start,
    notification_digests_send,
    notification_email_send,
)
from community.services.notifications import notify
from tests.community.factories import another_sender_busy_with


def _reply(user, title):
    return notify(users=[user], kind="reply", title=title)[0]  # the daily digest


def _planned(user):  # an immediate kind: its email task is run by hand below
    return notify(users=[user], kind="idea_status", title="Planned", email=False)[0]


def _as_left_by_a_dead_sender(digest: NotificationDigest) -> None:
    """Accepted by the server, then the worker died: claimed, unsent, its notifications held."""
    NotificationDigest.objects.filter(pk=digest.pk).update(sent_at=None, claimed_at=timezone.now())
    Notification.objects.filter(digest=digest).update(emailed_at=None)


def _without_tokens(text: str) -> str:
    return re.sub(r"/unsubscribe/[^/\s]+/", "/unsubscribe/…/", text)  # signed with a timestamp


@pytest.mark.needs_postgres  # the sending locks are PostgreSQL's
def test_a_digest_whose_sender_died_goes_again_as_the_same_message(member_a):
    _reply(member_a, "Before the kill")
    assert notification_digests_send(period="daily") == 1
    digest = NotificationDigest.objects.get()
    _as_left_by_a_dead_sender(digest)
    later = _reply(member_a, "After the kill")

    assert notification_digests_send(period="daily") == 1  # at once
    assert notification_digests_send(period="daily") == 0

    accepted, again = mail.outbox
    assert accepted.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert accepted.subject == again.subject
    assert _without_tokens(accepted.body) == _without_tokens(again.body)
    assert "After the kill" not in again.body  # not gathered into a digest sent before
    digest.refresh_from_db()
    later.refresh_from_db()
    assert digest.sent_at is not None
    assert (later.digest, later.emailed_at) == (None, None)

    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert notification_digests_send(period="daily", now=tomorrow) == 1
    assert "After the kill" in mail.outbox[2].body
    assert mail.outbox[2].extra_headers["Message-ID"] != again.extra_headers["Message-ID"]


@pytest.mark.needs_postgres  # the sending locks are PostgreSQL's
def test_an_email_whose_sender_died_goes_again_with_the_same_message_id(member_a):
    notification = _planned(member_a)
    assert notification_email_send(notification_id=notification.pk) is True
    Notification.objects.filter(pk=notification.pk).update(
        emailed_at=None, email_claimed_at=timezone.now()
    )

    assert notification_email_send(notification_id=notification.pk) is True
    assert notification_email_send(notification_id=notification.pk) is False

    accepted, again = mail.outbox
    assert accepted.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert accepted.extra_headers["Message-ID"].startswith(f"<notification-{notification.pk}.")


def test_every_email_and_digest_has_a_message_id_of_its_own(member_a, admin_a):
    for person in (member_a, admin_a):
        _reply(person, "A reply")
        notification_email_send(notification_id=_planned(person).pk)
    notification_digests_send(period="daily")

    ids = [message.message()["Message-ID"] for message in mail.outbox]
    assert len(ids) == len(set(ids)) == 4


@pytest.mark.needs_postgres  # the sending locks are PostgreSQL's
def test_a_digest_being_sent_by_a_live_sender_is_left_alone_until_its_claim_is_stale(
    member_a, settings
):
    _reply(member_a, "A reply")
    start = digest_period_start(period="daily", day=timezone.localdate())
    digest = NotificationDigest.objects.create(user=member_a, period="daily", period_start=start)
    settings.NOTIFICATION_CLAIM_STALE_SECONDS = 60

    with another_sender_busy_with(digest):
        assert notification_digests_send(period="daily") == 0
        a_while_ago = timezone.now() - dt.timedelta(seconds=61)
        NotificationDigest.objects.filter(pk=digest.pk).update(claimed_at=a_while_ago)
        assert notification_digests_send(period="daily") == 1
    assert len(mail.outbox) == 1


def test_no_live_sender_ever_holds_a_claim_as_old_as_the_stale_age(settings):
    # Celery kills a task at its hard time limit, so a claim older than that is a dead one's.
    assert settings.NOTIFICATION_CLAIM_STALE_SECONDS > settings.CELERY_TASK_TIME_LIMIT
