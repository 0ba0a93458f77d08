"""Races around sending (PostgreSQL; SQLite serialises writers anyway): two digest jobs, or two
runs of one email task, at the same moment send each email once."""

from __future__ import annotations

import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connections

from community.models import NotificationDigest
from community.services.notification_emails import (
    notification_digests_send,
    notification_email_send,
)
from community.services.notifications import notification_preference_set, notify
from tests.accounts.factories import customer

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


class SlowBackend(EmailBackend):
    """Takes a moment to send, like an SMTP server, so that two runs overlap."""

    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)


@pytest.fixture
def slow_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"


def _at_once(work, runs: int = 2) -> list:
    results: list = []
    start = threading.Barrier(runs)

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_digest_jobs_at_the_same_moment_send_one_digest_per_person(account_a, slow_smtp):
    people = [customer(account_a) for _ in range(3)]
    for person in people:
        notification_preference_set(user=person, kind="reply", delivery="daily")
    notify(users=people, kind="reply", title="A reply in “Offline mode”")

    results = _at_once(lambda: notification_digests_send(period="daily"))

    assert sum(results) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert NotificationDigest.objects.filter(sent_at__isnull=False).count() == 3


def test_two_runs_of_one_email_task_at_the_same_moment_send_it_once(member_a, slow_smtp):
    notification = notify(users=[member_a], kind="mention", title="Hi", email=False)[0]

    results = _at_once(lambda: notification_email_send(notification_id=notification.pk))

    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
