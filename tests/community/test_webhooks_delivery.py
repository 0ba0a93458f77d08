"""Outgoing webhooks for new alerts (community.services.webhooks and webhook_deliver_task): one
delivery per endpoint and alert however often the engine re-runs, posted as signed JSON
(Standard Webhooks) to a real HTTP server on 127.0.0.1, retried with backoff after a failure,
never re-sent once it succeeded, and marked failed after WEBHOOK_MAX_ATTEMPTS attempts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks import Webhook

from community.models import (
    Alert,
    AlertReason,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)
from community.services import alerts, webhook_events, webhooks
from community.tasks import webhook_deliver_task
from tests.accounts.factories import AccountFactory
from tests.community.factories import EngagementSnapshotFactory

pytestmark = pytest.mark.django_db

D = dt.date(2026, 6, 30)


@pytest.fixture
def endpoint(receiver, programme_admin):
    return webhooks.webhook_endpoint_create(
        url=receiver.url, description="Ops channel", created_by=programme_admin
    )


@pytest.fixture
def eager_retries(monkeypatch):
    """Let an eager task run its retries the way a worker would (at once, not after the
    countdown): Celery does so only when eager tasks do not propagate their exceptions. With
    no backoff, each retry finds its delivery due, as a worker would after the countdown."""
    monkeypatch.setitem(webhook_deliver_task.app.conf, "task_eager_propagates", False)
    monkeypatch.setattr(webhooks, "backoff_seconds", lambda attempts: 0)


def _level_drop(account=None):
    account = account or AccountFactory(renewal_date=None)
    EngagementSnapshotFactory(account=account, day=D - dt.timedelta(days=3), level="participating")
    EngagementSnapshotFactory(account=account, day=D, score=25, level="observing")
    return account


def _raise(account, capture):
    with capture(execute=True):
        return alerts.alerts_raise(account_ids=[account.pk], day=D)


# --- Raising alerts creates deliveries --------------------------------------------------------


def test_a_new_alert_is_posted_as_signed_json_to_each_active_endpoint(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    account = _level_drop()

    raised = _raise(account, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None
    assert len(receiver.posts) == 1
    post = receiver.posts[0]
    body = Webhook(endpoint.secret).verify(post["body"], post["headers"])
    assert post["headers"]["webhook-id"] == delivery.message_id
    assert post["headers"]["Content-Type"] == "application/json"
    assert "X-Garden-Signature" not in post["headers"]  # a new endpoint: no rotation period
    assert body["event"] == "alert.raised"
    assert body["alert"]["id"] == raised[0].pk
    assert body["alert"]["account"] == account.slug
    assert body["alert"]["reason"] == AlertReason.LEVEL_DROPPED
    assert body["alert"]["summary"].startswith("Level dropped from Participating")


def test_a_rerun_of_the_engine_never_posts_twice(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    account = _level_drop()
    alert = _raise(account, django_capture_on_commit_callbacks)[0]

    _raise(account, django_capture_on_commit_callbacks)
    again = webhook_events.alerts_raised_emit(alerts=[alert])

    assert again == []
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.posts) == 1


def test_deactivated_endpoints_get_no_new_alerts(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    webhooks.webhook_endpoint_deactivate(endpoint=endpoint)

    _raise(_level_drop(), django_capture_on_commit_callbacks)

    assert WebhookDelivery.objects.count() == 0
    assert receiver.posts == []


def test_without_endpoints_raising_alerts_creates_no_deliveries(django_capture_on_commit_callbacks):
    raised = _raise(_level_drop(), django_capture_on_commit_callbacks)

    assert len(raised) == 1
    assert WebhookDelivery.objects.count() == 0


# --- The task: retries, idempotence ---------------------------------------------------------


def _pending_delivery(endpoint) -> WebhookDelivery:
    alert = Alert.objects.create(
        account=AccountFactory(), reason=AlertReason.SCORE_FELL, details={"points": 20}
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        alert=alert,
        subject=str(alert.pk),
        event="alert.raised",
        payload=webhook_events.alert_payload(alert),
    )


def test_a_failed_post_is_retried_with_backoff_until_the_server_answers_200(endpoint, receiver):
    receiver.codes = [500]
    delivery = _pending_delivery(endpoint)

    first = webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)

    assert first.status == WebhookDeliveryStatus.PENDING
    assert first.retry_in == webhooks.BACKOFF_BASE_SECONDS
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert "500" in delivery.last_error
    assert delivery.next_attempt_at == pytest.approx(
        timezone.now() + dt.timedelta(seconds=webhooks.BACKOFF_BASE_SECONDS),
        abs=dt.timedelta(seconds=5),
    )
    assert webhook_deliver_task.apply(args=[delivery.pk]).get() is None  # not due: nothing
    assert len(receiver.posts) == 1

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    webhook_deliver_task.apply(args=[delivery.pk])  # the retry, once the backoff is over

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    assert delivery.last_error == ""
    assert len(receiver.posts) == 2
    assert receiver.posts[0]["body"] == receiver.posts[1]["body"]


def test_the_task_retries_by_itself_after_a_500(endpoint, receiver, eager_retries):
    receiver.codes = [500, 503]
    delivery = _pending_delivery(endpoint)

    webhook_deliver_task.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.SUCCEEDED
    assert delivery.attempts == 3
    assert len(receiver.posts) == 3


def test_the_backoff_doubles_and_is_capped():
    assert [webhooks.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff_seconds(20) == webhooks.BACKOFF_MAX_SECONDS


def test_a_delivery_fails_after_the_maximum_number_of_attempts(
    settings, endpoint, receiver, eager_retries
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.codes = [500, 500, 500, 500]
    delivery = _pending_delivery(endpoint)

    webhook_deliver_task.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert delivery.attempts == 3
    assert delivery.delivered_at is None
    assert len(receiver.posts) == 3


def test_an_unreachable_endpoint_is_recorded_as_an_error(settings, programme_admin):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    endpoint = webhooks.webhook_endpoint_create(
        url="http://127.0.0.1:9/nothing-listens-here", created_by=programme_admin
    )
    delivery = _pending_delivery(endpoint)

    result = webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert result.status == delivery.status == WebhookDeliveryStatus.FAILED
    assert delivery.last_status_code is None
    assert delivery.last_error == "connection refused"


def test_a_succeeded_delivery_is_never_sent_again(endpoint, receiver):
    delivery = _pending_delivery(endpoint)
    webhook_deliver_task.apply(args=[delivery.pk])

    result = webhook_deliver_task.apply(args=[delivery.pk]).get()

    assert result is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert len(receiver.posts) == 1


def test_a_delivery_another_worker_holds_is_left_alone(endpoint, receiver):
    delivery = _pending_delivery(endpoint)
    assert webhooks._claim(delivery.pk)

    result = webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)

    assert result.status is None
    # No retry of its own: the holder goes on, or the recovery beat queues it again once the
    # lease ran out (test_webhooks_recovery.py).
    assert result.retry_in is None
    assert receiver.posts == []
    assert WebhookDelivery.objects.get().attempts == 1


def test_retry_now_sends_a_failed_delivery_again(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    delivery = _pending_delivery(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=6)

    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_delivery_retry(delivery=delivery)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert len(receiver.posts) == 1


def test_only_a_failed_delivery_can_be_retried(endpoint):
    delivery = _pending_delivery(endpoint)

    with pytest.raises(ValidationError):
        webhooks.webhook_delivery_retry(delivery=delivery)

    assert WebhookDelivery.objects.get().attempts == 0


# --- Endpoints -------------------------------------------------------------------------------


def test_an_endpoint_gets_a_long_random_secret_and_rotating_replaces_it(programme_admin):
    endpoint = webhooks.webhook_endpoint_create(
        url="https://hooks.example.com/garden", created_by=programme_admin
    )
    first = endpoint.secret

    rotated = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)

    assert len(first) >= 40
    assert rotated.secret != first
    assert WebhookEndpoint.objects.get().secret == rotated.secret


@pytest.mark.parametrize(
    "url",
    ["", "not a url", "ftp://hooks.example.com/", "http://hooks.example.com/garden"],
)
def test_an_endpoint_needs_an_https_url(programme_admin, url):
    with pytest.raises(ValidationError) as error:
        webhooks.webhook_endpoint_create(url=url, created_by=programme_admin)

    assert "url" in error.value.message_dict
    assert WebhookEndpoint.objects.count() == 0


def test_plain_http_to_loopback_needs_the_setting(settings, programme_admin):
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    with pytest.raises(ValidationError):
        webhooks.webhook_endpoint_create(url="http://127.0.0.1:8080/", created_by=programme_admin)

    settings.OUTBOUND_ALLOW_LOOPBACK = True
    assert webhooks.webhook_endpoint_create(
        url="http://127.0.0.1:8080/", created_by=programme_admin
    )


def test_plain_http_is_allowed_in_debug(settings, programme_admin):
    settings.DEBUG = True

    endpoint = webhooks.webhook_endpoint_create(
        url="http://hooks.example.com/", created_by=programme_admin
    )

    assert endpoint.url == "http://hooks.example.com/"
