"""The emails of one transaction's notifications go as one task (community.tasks.
notification_emails_task), EMAILS_PER_TASK at most: each person gets theirs once, also when the
task runs again; a send that fails hands it and the rest to a `notification_email_task` each
(their retries and failure records); a list whose retries are spent records the unsent ones."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.db import OperationalError

from community.models import Notification
from community.services import notification_emails
from community.services import notifications as notification_services
from community.services.notifications import notify
from community.tasks import notification_email_task, notification_emails_task
from tests.accounts.factories import customer


@pytest.fixture
def people(account_a):
    return [customer(account_a) for _ in range(5)]


@pytest.fixture
def runs(monkeypatch):
    """The lists each notification_emails_task run was given."""
    seen, send = [], notification_emails.notification_emails_send

    def counted(*, notification_ids):
        seen.append(list(notification_ids))
        return send(notification_ids=notification_ids)

    monkeypatch.setattr(notification_emails, "notification_emails_send", counted)
    return seen


def _tell(people, **extra):
    return notify(users=people, kind="idea_status", title="Offline mode is planned", **extra)


def test_one_transactions_emails_go_in_one_task_and_each_person_gets_theirs_once(
    people, runs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = _tell(people)
    assert runs == [[n.pk for n in made]]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)

    assert notification_emails_task.apply(args=[[n.pk for n in made]]).get() == 0  # again
    assert len(mail.outbox) == len(people)


def test_a_large_audience_is_emailed_in_tasks_of_at_most_emails_per_task(
    people, runs, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(notification_services, "EMAILS_PER_TASK", 2)
    with django_capture_on_commit_callbacks(execute=True):
        made = _tell(people)
    ids = [n.pk for n in made]
    assert runs == [ids[0:2], ids[2:4], ids[4:5]]
    assert len(mail.outbox) == len(people)


@pytest.mark.parametrize(
    "error", [smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), ValueError("x")]
)
def test_a_failed_send_hands_it_and_the_rest_to_a_task_each_which_sends_them_once(
    people, monkeypatch, error
):
    ids = [n.pk for n in _tell(people[:3], email=False)]
    handed, send = [], notification_emails.notification_email_send

    def failing_second(*, notification_id):
        if notification_id == ids[1]:
            raise error
        return send(notification_id=notification_id)

    monkeypatch.setattr(notification_emails, "notification_email_send", failing_second)
    monkeypatch.setattr(
        notification_emails, "enqueue_each", lambda task, calls: handed.append((task, calls))
    )
    assert notification_emails.notification_emails_send(notification_ids=ids) == 1
    assert handed == [("community.tasks.notification_email_task", [[ids[1]], [ids[2]]])]
    assert [m.to[0] for m in mail.outbox] == [people[0].email]

    monkeypatch.setattr(notification_emails, "notification_email_send", send)
    for notification_id in (ids[0], ids[1], ids[2]):  # the handed ones, and the sent one again
        notification_email_task.apply(args=[notification_id])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[:3])


def test_a_list_whose_retries_are_spent_records_the_unsent_ones_as_failed(people):
    ids = [n.pk for n in _tell(people[:3], email=False)]
    assert notification_emails.notification_email_send(notification_id=ids[0]) is True

    error = OSError("the database was away")
    assert notification_emails.notification_emails_failed(notification_ids=ids, error=error) == 2
    rows = {n.pk: n for n in Notification.objects.filter(pk__in=ids)}
    assert rows[ids[0]].email_failed_at is None and rows[ids[0]].emailed_at is not None
    assert all(rows[i].email_failed_at is not None for i in ids[1:])


def test_the_database_failing_stops_the_list_for_its_retry(people, monkeypatch):
    ids = [n.pk for n in _tell(people[:2], email=False)]
    handed = []

    def database_away(*, notification_id):
        raise OperationalError("the database went away")

    monkeypatch.setattr(notification_emails, "notification_email_send", database_away)
    monkeypatch.setattr(
        notification_emails, "enqueue_each", lambda task, calls: handed.append((task, calls))
    )
    with pytest.raises(OperationalError):
        notification_emails.notification_emails_send(notification_ids=ids)
    assert handed == []
