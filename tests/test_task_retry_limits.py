"""Poison tasks stop: every Celery task of ours has a bounded retry policy with a backoff, and a
task that fails every time stops at its limit, its waits growing, and ends in a recorded failure
instead of retrying for ever.

The eager runs below let Celery retry at once (a worker would wait each countdown): with
`task_eager_propagates` off, `Task.apply` runs each retry in turn, so a task without a bound
would recurse until Python gives up. Celery's full jitter draws each wait between 0 and its
ceiling; the tests pin the draw to the ceiling to see the exponential curve itself.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import socket

import pytest
from celery.exceptions import MaxRetriesExceededError, Retry
from django.db import OperationalError
from django.utils import timezone

from accounts import services as account_services
from community.models import (
    Alert,
    AlertReason,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
)
from community.services import engagement, notification_emails, webhooks
from config.celery import app as celery_app
from ideas.services import pilots as pilot_services

PROJECT_APPS = ("accounts", "community", "ideas")

# Tasks that retry by hand (`self.retry`) instead of `autoretry_for`, and what bounds them.
RETRIES_BY_HAND = {
    "community.tasks.webhook_deliver_task": (
        "the attempts counted on the delivery row (settings.WEBHOOK_MAX_ATTEMPTS), backoff "
        "community.services.webhooks.backoff_seconds; max_retries is the same limit, as a second "
        "bound"
    ),
    "community.tasks.chat_delivery_post_task": (
        "the attempts counted on the chat delivery row (settings.WEBHOOK_MAX_ATTEMPTS), the "
        "webhooks' backoff; a 4xx but 408 and 429 fails at once; max_retries, a second bound"
    ),
    "community.tasks.chat_digest_post_task": (
        "the attempts counted on the chat digest row, as for a chat delivery"
    ),
}
# Tasks that never retry, and why (none today: a new one must say why here).
NEVER_RETRY: dict[str, str] = {}

LONGEST_WAIT = 3600  # seconds: no single backoff waits longer than an hour
LONGEST_RETRYING = 6 * 3600  # seconds: a poison task is given up within six hours


def _project_tasks() -> dict:
    celery_app.loader.import_default_modules()  # autodiscovery of every app's tasks.py
    return {
        name: task for name, task in celery_app.tasks.items() if name.split(".")[0] in PROJECT_APPS
    }


def _source(task) -> str:
    return inspect.getsource(getattr(task, "_orig_run", task.run))


def _backoff_max(task) -> int:
    return getattr(task, "retry_backoff_max", 600)  # Celery's default when not set


def _ceilings(task) -> list[int]:
    """The longest wait before each retry of an autoretry task (Celery's formula)."""
    factor = int(max(1.0, float(task.retry_backoff)))
    return [min(_backoff_max(task), factor * 2**n) for n in range(task.max_retries)]


def test_the_enumeration_finds_the_tasks_of_every_app_and_every_scheduled_one():
    tasks = _project_tasks()

    assert {name.split(".")[0] for name in tasks} == set(PROJECT_APPS)
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert scheduled <= set(tasks)
    assert set(RETRIES_BY_HAND) | set(NEVER_RETRY) <= set(tasks)


@pytest.mark.parametrize("name", sorted(_project_tasks()))
def test_every_task_of_ours_has_a_bounded_retry_policy_with_backoff(name):
    task = _project_tasks()[name]
    retries_by_hand = "self.retry(" in _source(task)

    assert task.max_retries is not None, f"{name} may retry for ever"
    assert 1 <= task.max_retries <= 10
    if getattr(task, "autoretry_for", ()):
        assert not retries_by_hand
        assert getattr(task, "retry_backoff", False), f"{name} retries without a backoff"
        assert _backoff_max(task) <= LONGEST_WAIT
        assert sum(_ceilings(task)) <= LONGEST_RETRYING
    elif retries_by_hand:
        assert name in RETRIES_BY_HAND, f"say in RETRIES_BY_HAND what bounds {name}"
    else:
        assert name in NEVER_RETRY, f"{name} has no retry policy: give it one or say why not"


# --- Poison tasks, run eagerly -------------------------------------------------------------


class _Countdowns(list):
    spy_on: object


@pytest.fixture
def eager_retries(monkeypatch):
    """Eager tasks retry in turn (as a worker would, minus the waits); jitter at its ceiling.
    Returns the countdown of every retry the tasks asked for."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    monkeypatch.setattr("celery.utils.time.random.randrange", lambda n: n - 1)
    countdowns = _Countdowns()

    def spy_on(task) -> None:
        real_retry = task.retry

        def retry(*args, **kwargs):
            try:
                return real_retry(*args, **kwargs)
            except Retry:  # a retry was scheduled (not the last, refused one)
                countdowns.append(kwargs["countdown"])
                raise

        monkeypatch.setattr(task, "retry", retry)

    countdowns.spy_on = spy_on
    return countdowns


@pytest.fixture
def failure_log(caplog):
    """The records of Celery's task tracer (which does not propagate to the root logger)."""
    tracer = logging.getLogger("celery.app.trace")
    tracer.addHandler(caplog.handler)
    yield caplog
    tracer.removeHandler(caplog.handler)


def _assert_growing(waits: list[int], ceiling: int) -> None:
    assert waits[0] >= 1
    for before, after in itertools.pairwise(waits):
        assert after > before or after == ceiling, waits


POISONS = [
    # (task, args, module and function it calls, the retryable error it keeps raising)
    ("accounts.tasks.invitation_send_task", [1], account_services, "invitation_send", OSError),
    (
        "community.tasks.notification_email_task",
        [1],
        notification_emails,
        "notification_email_send",
        OSError,
    ),
    (
        "community.tasks.notification_emails_task",
        [[1, 2]],
        notification_emails,
        "notification_emails_send",
        OperationalError,
    ),
    (
        "community.tasks.notification_digests_daily_task",
        [],
        notification_emails,
        "notification_digests_send",
        OperationalError,
    ),
    (
        "community.tasks.engagement_recompute_task",
        [[1, 2]],
        engagement,
        "engagement_recompute",
        OperationalError,
    ),
    (
        "community.tasks.engagement_repair_task",
        [[1, 2]],
        engagement,
        "engagement_repair",
        OperationalError,
    ),
    (
        "ideas.tasks.pilots_advance_schedule_task",
        [],
        pilot_services,
        "pilots_advance_schedule",
        OperationalError,
    ),
]


# Tasks whose last failure is recorded on their row (once, by the task's on_failure): the
# service function that records it.
FAILURE_RECORDERS = {
    "accounts.tasks.invitation_send_task": (account_services, "invitation_send_failed"),
    "community.tasks.notification_email_task": (notification_emails, "notification_email_failed"),
    "community.tasks.notification_emails_task": (notification_emails, "notification_emails_failed"),
}


@pytest.mark.parametrize(
    ("name", "args", "module", "function", "error"),
    POISONS,
    ids=[poison[0].rsplit(".", 1)[1] for poison in POISONS],
)
def test_a_task_that_always_fails_stops_at_its_limit_with_growing_waits(
    eager_retries, monkeypatch, failure_log, name, args, module, function, error
):
    task = _project_tasks()[name]
    eager_retries.spy_on(task)
    calls = []

    def poison(**kwargs):
        calls.append(kwargs)
        raise error("the service is down")

    monkeypatch.setattr(module, function, poison)
    recorded = []
    if name in FAILURE_RECORDERS:
        recorder_module, recorder = FAILURE_RECORDERS[name]
        monkeypatch.setattr(
            recorder_module, recorder, lambda **kwargs: recorded.append(kwargs) or True
        )

    result = task.apply(args=args)

    if name in FAILURE_RECORDERS:  # the last failure, recorded once on the row
        [record] = recorded
        assert list(record.values())[0] == args[0]
        assert isinstance(record["error"], error)
    assert len(calls) == task.max_retries + 1  # the first run and each retry, then no more
    assert eager_retries == _ceilings(task)
    _assert_growing(eager_retries, _backoff_max(task))
    assert result.failed()
    assert isinstance(result.result, error)
    failures = [r.getMessage() for r in failure_log.records if r.levelno == logging.ERROR]
    assert len(failures) == 1 and "raised unexpected" in failures[0], "failure not logged once"


def test_an_invitation_whose_mail_server_refuses_stops_retrying_and_stays_unsent(
    eager_retries, monkeypatch, settings, account_a, admin_a, django_capture_on_commit_callbacks
):
    task = _project_tasks()["accounts.tasks.invitation_send_task"]
    eager_retries.spy_on(task)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_TIMEOUT = 2
    sends = []
    real_send = account_services.invitation_send
    monkeypatch.setattr(
        account_services,
        "invitation_send",
        lambda **kwargs: sends.append(kwargs) or real_send(**kwargs),
    )

    with django_capture_on_commit_callbacks(execute=True):
        invitation = account_services.invitation_create(
            account=account_a, email="new.colleague@acme.example", invited_by=admin_a
        )

    assert len(sends) == task.max_retries + 1
    _assert_growing(eager_retries, _backoff_max(task))
    assert len(eager_retries) == task.max_retries
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    # Recorded as failed, with the reason (the team page says so; staff see why in the admin).
    assert invitation.send_failed_at is not None
    assert "Connection refused" in invitation.send_error


# --- Webhooks: bounded by the row, and by Celery as well -----------------------------------


def _closed_port() -> int:
    """A loopback port nobody listens on (connections to it are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def delivery(settings, account_a, programme_admin):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    endpoint = webhooks.webhook_endpoint_create(
        url=f"http://127.0.0.1:{_closed_port()}/hooks", created_by=programme_admin
    )
    alert = Alert.objects.create(account=account_a, reason=AlertReason.LEVEL_DROPPED)
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        alert=alert,
        subject=str(alert.pk),
        event=WebhookEvent.ALERT_RAISED,
        payload={"event": "alert.raised"},
        next_attempt_at=timezone.now(),
    )


def test_a_webhook_to_a_dead_endpoint_backs_off_and_fails_after_the_last_attempt(
    eager_retries, monkeypatch, delivery
):
    task = _project_tasks()["community.tasks.webhook_deliver_task"]
    eager_retries.spy_on(task)
    # A worker would wait each countdown, after which the delivery is due; here the retry
    # comes at once, so the claim is told the due time has come.
    monkeypatch.setattr(webhooks, "CLOCK_TOLERANCE_SECONDS", 24 * 3600)

    result = task.apply(args=[delivery.pk])

    assert result.successful() and result.result == WebhookDeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert delivery.attempts == webhooks.max_attempts() == 6
    assert delivery.last_error == "connection refused"
    assert eager_retries == [30, 60, 120, 240, 480]  # one wait fewer than attempts
    _assert_growing(eager_retries, webhooks.BACKOFF_MAX_SECONDS)


def test_a_webhook_task_whose_attempts_are_never_counted_still_stops_at_celerys_limit(
    eager_retries, monkeypatch, failure_log, delivery
):
    """Were the row's count to stop growing (a bug), the task's own bound ends the loop."""
    task = _project_tasks()["community.tasks.webhook_deliver_task"]
    eager_retries.spy_on(task)
    attempts = []

    def attempt_uncounted(*, delivery_id):
        attempts.append(delivery_id)
        return webhooks.AttemptResult(status=WebhookDeliveryStatus.PENDING, retry_in=30)

    monkeypatch.setattr(webhooks, "webhook_delivery_attempt", attempt_uncounted)

    result = task.apply(args=[delivery.pk])

    assert len(attempts) == webhooks.max_attempts() + 1
    assert len(eager_retries) == webhooks.max_attempts()
    assert result.failed()
    assert isinstance(result.result, MaxRetriesExceededError)
    failures = [r.getMessage() for r in failure_log.records if r.levelno == logging.ERROR]
    assert len(failures) == 1 and "MaxRetriesExceededError" in failures[0]
