"""Webhook deliveries whose task was lost (Redis restarted, a worker died mid-post) are queued
again by a beat task, claimed by one UPDATE so that two beats never queue one twice; endpoints
can be reactivated (service, page, API); "retry now" through the API.

Who may: programme admins only; everyone else 403 (the API: anonymous 401, the page: login)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from community.models import (
    Alert,
    AlertReason,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)
from community.services import webhook_events, webhooks
from community.tasks import webhook_deliver_task, webhook_deliveries_requeue_task
from tests.accounts.factories import AccountFactory
from tests.api_helpers import api_error, api_login
from tests.db_locks import someone_waits_for_a_lock

OTHERS = ["member_a", "admin_a", "member_b", "admin_b", "account_manager_a", "product_manager"]
PENDING, SUCCEEDED, FAILED = (
    WebhookDeliveryStatus.PENDING,
    WebhookDeliveryStatus.SUCCEEDED,
    WebhookDeliveryStatus.FAILED,
)


@pytest.fixture
def endpoint(receiver, programme_admin):
    return webhooks.webhook_endpoint_create(url=receiver.url, created_by=programme_admin)


def _ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def _delivery(endpoint, **fields) -> WebhookDelivery:
    alert = Alert.objects.create(
        account=AccountFactory(), reason=AlertReason.SCORE_FELL, details={"points": 20}
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        alert=alert,
        subject=str(alert.pk),
        event="alert.raised",
        payload=webhook_events.alert_payload(alert),
        **fields,
    )


def _lost(endpoint, **fields) -> WebhookDelivery:
    """Pending, due ten minutes ago, never claimed: its task never ran."""
    return _delivery(endpoint, next_attempt_at=_ago(600), **fields)


def _requeue(capture) -> list[int]:
    with capture(execute=True):
        return webhooks.webhook_deliveries_requeue()


def _state(delivery) -> tuple:
    delivery.refresh_from_db()
    return delivery.status, delivery.attempts


# --- Which deliveries the beat queues again ------------------------------------------------


@pytest.mark.django_db
def test_a_delivery_whose_task_was_lost_is_queued_again_and_sent(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    delivery = _lost(endpoint)

    requeued = _requeue(django_capture_on_commit_callbacks)

    assert requeued == [delivery.pk]
    assert _state(delivery) == (SUCCEEDED, 1)
    assert len(receiver.posts) == 1
    assert receiver.posts[0]["headers"]["webhook-id"] == delivery.message_id


@pytest.mark.django_db
def test_a_delivery_due_a_moment_ago_is_left_to_its_own_task(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    recent = _delivery(endpoint, next_attempt_at=_ago(webhooks.REQUEUE_AFTER_SECONDS - 30))
    waiting = _delivery(endpoint, next_attempt_at=_ago(-600), attempts=2)  # its backoff runs

    assert _requeue(django_capture_on_commit_callbacks) == []

    assert _state(recent) == (PENDING, 0)
    assert _state(waiting) == (PENDING, 2)
    assert receiver.posts == []


@pytest.mark.django_db
def test_a_claim_whose_worker_died_is_queued_again_once_its_lease_ran_out(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    died = _lost(endpoint, attempts=1, locked_until=_ago(10))  # the lease ran out
    working = _lost(endpoint, attempts=1, locked_until=_ago(-30))  # a worker posts it now

    requeued = _requeue(django_capture_on_commit_callbacks)

    assert requeued == [died.pk]
    assert _state(died) == (SUCCEEDED, 2)
    assert _state(working) == (PENDING, 1)
    assert len(receiver.posts) == 1


@pytest.mark.django_db
def test_a_lost_last_attempt_fails_the_delivery_instead(
    settings, endpoint, receiver, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    delivery = _lost(endpoint, attempts=3, locked_until=_ago(10))

    assert _requeue(django_capture_on_commit_callbacks) == []

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (FAILED, 3)
    assert delivery.last_error == webhooks.INTERRUPTED_ERROR
    assert delivery.locked_until is None
    assert receiver.posts == []


@pytest.mark.django_db
def test_succeeded_and_failed_deliveries_are_never_queued_again(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    done = _lost(endpoint, status=SUCCEEDED, attempts=1)
    given_up = _lost(endpoint, status=FAILED, attempts=6)

    assert _requeue(django_capture_on_commit_callbacks) == []

    assert _state(done) == (SUCCEEDED, 1)
    assert _state(given_up) == (FAILED, 6)
    assert receiver.posts == []


@pytest.mark.django_db
def test_a_beat_queues_the_longest_overdue_first_and_at_most_a_batch(
    monkeypatch, endpoint, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(webhooks, "REQUEUE_BATCH", 2)
    oldest = _delivery(endpoint, next_attempt_at=_ago(3000))
    older = _delivery(endpoint, next_attempt_at=_ago(2000))
    old = _delivery(endpoint, next_attempt_at=_ago(1000))

    with django_capture_on_commit_callbacks() as queued:
        first = webhooks.webhook_deliveries_requeue()

    assert first == sorted([oldest.pk, older.pk])
    assert len(queued) == 2  # one task each, after commit
    with django_capture_on_commit_callbacks():
        assert webhooks.webhook_deliveries_requeue() == [old.pk]


# --- Never twice --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_beat_right_after_the_first_queues_nothing(
    endpoint, django_capture_on_commit_callbacks
):
    delivery = _lost(endpoint)

    with django_capture_on_commit_callbacks() as first_tasks:
        first = webhooks.webhook_deliveries_requeue()
    with django_capture_on_commit_callbacks() as second_tasks:
        second = webhooks.webhook_deliveries_requeue()

    assert (first, second) == ([delivery.pk], [])
    assert (len(first_tasks), len(second_tasks)) == (1, 0)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at > _ago(60)  # due now: its new task claims it


@pytest.mark.django_db
def test_the_original_task_turning_up_late_posts_nothing_more(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    delivery = _lost(endpoint)
    _requeue(django_capture_on_commit_callbacks)  # sent by the new task

    assert webhook_deliver_task.apply(args=[delivery.pk]).get() is None

    assert _state(delivery) == (SUCCEEDED, 1)
    assert len(receiver.posts) == 1


@pytest.mark.django_db
def test_after_a_failed_recovered_attempt_a_late_task_waits_for_the_backoff(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.codes = [500]
    delivery = _lost(endpoint)
    with django_capture_on_commit_callbacks() as queued:
        webhooks.webhook_deliveries_requeue()
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk).status == PENDING

    late = webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)  # the lost one, at last

    assert late.status is None
    assert _state(delivery) == (PENDING, 1)
    assert len(receiver.posts) == 1
    assert len(queued) == 1


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_queue_a_delivery_once(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    delivery = _lost(endpoint)
    other_beat: dict[str, list[int]] = {}

    def the_other_beat() -> None:
        try:
            other_beat["requeued"] = webhooks.webhook_deliveries_requeue()
        finally:
            connections.close_all()

    with transaction.atomic():
        first = webhooks.webhook_deliveries_requeue()
        other = threading.Thread(target=the_other_beat)
        other.start()
        assert someone_waits_for_a_lock()  # on the row the first beat claimed
    other.join(timeout=10)

    assert first == [delivery.pk]
    assert other_beat["requeued"] == []
    assert _state(delivery) == (SUCCEEDED, 1)  # the first beat's task, after its commit
    assert len(receiver.posts) == 1


# --- The beat task ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_beat_task_returns_how_many_it_queued_again(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    _lost(endpoint)
    _lost(endpoint)

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_requeue_task.apply().get() == 2

    assert WebhookDelivery.objects.filter(status=SUCCEEDED).count() == 2


def test_the_beat_looks_for_lost_deliveries_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["webhook-deliveries-requeue"]

    assert entry["task"] == "community.tasks.webhook_deliveries_requeue_task"
    assert entry["schedule"].minute == set(range(0, 60, 5))


@pytest.mark.django_db
def test_new_and_retried_deliveries_are_due_at_once(endpoint, django_capture_on_commit_callbacks):
    delivery = _delivery(endpoint, status=FAILED, attempts=6, next_attempt_at=_ago(90_000))

    with django_capture_on_commit_callbacks():
        webhooks.webhook_delivery_retry(delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.next_attempt_at > _ago(60)


# --- Reactivating an endpoint ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_reactivated_endpoint_gets_new_alerts_again(endpoint):
    webhooks.webhook_endpoint_deactivate(endpoint=endpoint)

    again = webhooks.webhook_endpoint_reactivate(endpoint=endpoint)
    webhooks.webhook_endpoint_reactivate(endpoint=endpoint)  # idempotent

    assert again.active
    assert WebhookEndpoint.objects.get().active
    assert WebhookEndpoint.objects.get().secret == endpoint.secret


@pytest.mark.django_db
def test_the_page_offers_reactivate_for_a_deactivated_endpoint(client_for, programme_admin):
    active = webhooks.webhook_endpoint_create(
        url="https://a.example.com/", created_by=programme_admin
    )
    stopped = webhooks.webhook_endpoint_create(
        url="https://b.example.com/", created_by=programme_admin
    )
    webhooks.webhook_endpoint_deactivate(endpoint=stopped)

    page = client_for(programme_admin).get("/settings/webhooks/").content.decode()

    assert f'action="/settings/webhooks/{stopped.pk}/reactivate/"' in page
    assert f'action="/settings/webhooks/{active.pk}/reactivate/"' not in page


@pytest.mark.django_db
def test_a_programme_admin_reactivates_an_endpoint_on_the_page(client_for, programme_admin):
    endpoint = webhooks.webhook_endpoint_create(
        url="https://a.example.com/", created_by=programme_admin
    )
    webhooks.webhook_endpoint_deactivate(endpoint=endpoint)

    response = client_for(programme_admin).post(
        reverse("community:webhook-reactivate", args=[endpoint.pk]), follow=True
    )

    assert response.status_code == 200
    assert "Reactivated https://a.example.com/" in response.content.decode()
    assert WebhookEndpoint.objects.get().active


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OTHERS)
def test_only_programme_admins_reactivate_on_the_page(
    request, client_for, programme_admin, persona
):
    endpoint = webhooks.webhook_endpoint_create(
        url="https://a.example.com/", created_by=programme_admin
    )
    webhooks.webhook_endpoint_deactivate(endpoint=endpoint)
    client = client_for(request.getfixturevalue(persona))

    response = client.post(reverse("community:webhook-reactivate", args=[endpoint.pk]))

    assert response.status_code == 403
    assert not WebhookEndpoint.objects.get().active


@pytest.mark.django_db
def test_reactivating_on_the_page_needs_a_login_a_post_and_a_real_endpoint(
    client, client_for, programme_admin
):
    endpoint = webhooks.webhook_endpoint_create(
        url="https://a.example.com/", created_by=programme_admin
    )
    webhooks.webhook_endpoint_deactivate(endpoint=endpoint)
    url = reverse("community:webhook-reactivate", args=[endpoint.pk])

    anonymous = client.post(url)
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]
    admin = client_for(programme_admin)
    assert admin.get(url).status_code == 405
    missing = reverse("community:webhook-reactivate", args=[endpoint.pk + 1])
    assert admin.post(missing).status_code == 404
    assert not WebhookEndpoint.objects.get().active


# --- The API: deactivate, reactivate, retry now -------------------------------------------


@pytest.mark.django_db
def test_api_deactivates_and_reactivates_an_endpoint(api, programme_admin):
    endpoint = webhooks.webhook_endpoint_create(
        url="https://a.example.com/", created_by=programme_admin
    )
    api_login(api, programme_admin)

    off = api.post(f"/api/v1/webhooks/{endpoint.pk}/deactivate/")
    assert off.status_code == 200
    assert off.json()["active"] is False
    assert not WebhookEndpoint.objects.get().active

    on = api.post(f"/api/v1/webhooks/{endpoint.pk}/reactivate/")
    assert on.status_code == 200
    assert on.json()["active"] is True
    assert "secret" not in on.json()
    assert WebhookEndpoint.objects.get().active


@pytest.mark.django_db
def test_api_retry_now_queues_a_failed_delivery(
    api, programme_admin, django_capture_on_commit_callbacks
):
    endpoint = webhooks.webhook_endpoint_create(
        url="https://a.example.com/", created_by=programme_admin
    )
    delivery = _delivery(endpoint, status=FAILED, attempts=6)
    api_login(api, programme_admin)

    with django_capture_on_commit_callbacks() as queued:
        response = api.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/retry/")

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert response.json()["attempts"] == 0
    assert _state(delivery) == (PENDING, 0)
    assert len(queued) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "active"), [(PENDING, True), (SUCCEEDED, True), (FAILED, False)]
)
def test_api_retry_now_refuses_a_delivery_that_cannot_be_retried(
    api, programme_admin, status, active, django_capture_on_commit_callbacks
):
    endpoint = webhooks.webhook_endpoint_create(
        url="https://a.example.com/", created_by=programme_admin
    )
    delivery = _delivery(endpoint, status=status, attempts=1)
    if not active:
        webhooks.webhook_endpoint_deactivate(endpoint=endpoint)
    api_login(api, programme_admin)

    with django_capture_on_commit_callbacks() as queued:
        response = api.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/retry/")

    assert response.status_code == 400
    assert api_error(response)["type"] == "validation_error"
    assert _state(delivery) == (status, 1)
    assert queued == []


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OTHERS)
def test_api_actions_are_for_programme_admins_only(
    request, api, programme_admin, persona, django_capture_on_commit_callbacks
):
    endpoint = webhooks.webhook_endpoint_create(
        url="https://a.example.com/", created_by=programme_admin
    )
    delivery = _delivery(endpoint, status=FAILED, attempts=6)
    api_login(api, request.getfixturevalue(persona))

    with django_capture_on_commit_callbacks() as queued:
        responses = [
            api.post(f"/api/v1/webhooks/{endpoint.pk}/deactivate/"),
            api.post(f"/api/v1/webhooks/{endpoint.pk}/reactivate/"),
            api.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/retry/"),
        ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert WebhookEndpoint.objects.get().active
    assert _state(delivery) == (FAILED, 6)
    assert queued == []


@pytest.mark.django_db
def test_api_actions_need_authentication_and_a_real_object(api, programme_admin):
    endpoint = webhooks.webhook_endpoint_create(
        url="https://a.example.com/", created_by=programme_admin
    )
    urls = [
        f"/api/v1/webhooks/{endpoint.pk}/deactivate/",
        f"/api/v1/webhooks/{endpoint.pk}/reactivate/",
        "/api/v1/webhooks/deliveries/999/retry/",
    ]

    assert [api.post(url).status_code for url in urls] == [401, 401, 401]
    api_login(api, programme_admin)
    assert api.post(f"/api/v1/webhooks/{endpoint.pk + 1}/reactivate/").status_code == 404
    assert api.post("/api/v1/webhooks/deliveries/999/retry/").status_code == 404
    assert api.get(f"/api/v1/webhooks/{endpoint.pk}/reactivate/").status_code == 405
