"""What reaches chat channels (community.services.chat_deliveries): a new alert to its account's
channels, a pilot decision to the channels of the accounts it concerns and of its garden, a
harvest to its garden's channels; at once or in the channel's daily or weekly digest, as each
channel chose per kind; each posted once, however often a task runs; failures retried or
recorded. Every post goes to a listener on 127.0.0.1 that checks its structure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from community.models import (
    Alert,
    AlertReason,
    ChatDelivery,
    ChatDigest,
    ChatPostStatus,
    ChatProvider,
    HarvestAudience,
    HarvestKind,
)
from community.models.alerts import AlertResolution
from community.models.notifications import Delivery, NotifyKind
from community.services import alerts, chat_channels, chat_deliveries, webhooks
from community.services.harvests import harvest_create, harvest_publish
from community.tasks import (
    chat_delivery_post_task,
    chat_digest_post_task,
    notification_digests_daily_task,
    notification_digests_weekly_task,
    webhook_deliveries_requeue_task,
)
from tests.accounts.factories import AccountFactory
from tests.community.factories import EngagementSnapshotFactory, GardenFactory, a_steward

pytestmark = pytest.mark.django_db

D = dt.date(2026, 6, 30)
ALERTS = NotifyKind.ENGAGEMENT_ALERT
DECISIONS = NotifyKind.PILOT_DECISION
HARVESTS = NotifyKind.HARVEST_PUBLISHED
PENDING, SUCCEEDED, FAILED = ChatPostStatus.PENDING, ChatPostStatus.SUCCEEDED, ChatPostStatus.FAILED


def _channel(listener, by, *, account=None, garden=None, **deliveries):
    return chat_channels.chat_channel_create(
        provider=listener.provider,
        name="#team",
        url=listener.url,
        deliveries=deliveries,
        created_by=by,
        account=account,
        garden=garden,
    )


def _level_drop(account):
    EngagementSnapshotFactory(account=account, day=D - dt.timedelta(days=3), level="participating")
    EngagementSnapshotFactory(account=account, day=D, score=25, level="observing")


def _raise(account, capture):
    with capture(execute=True):
        return alerts.alerts_raise(account_ids=[account.pk], day=D)


@pytest.fixture
def eager_retries(monkeypatch):
    """An eager task runs its retries at once, as a worker would after the countdown."""
    monkeypatch.setitem(chat_delivery_post_task.app.conf, "task_eager_propagates", False)
    monkeypatch.setattr(webhooks, "backoff_seconds", lambda attempts: 0)


# --- At once ----------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", [ChatProvider.SLACK, ChatProvider.TEAMS])
def test_a_new_alert_is_posted_at_once_to_its_accounts_channel(
    chat_listener,
    account_manager_a,
    account_a,
    django_capture_on_commit_callbacks,
    provider,
    settings,
):
    listener = chat_listener(provider)
    channel = _channel(listener, account_manager_a, account=account_a, **{ALERTS: "immediately"})
    other = chat_listener(provider)
    _channel(other, account_manager_a, account=AccountFactory(), **{ALERTS: "immediately"})
    _level_drop(account_a)

    raised = _raise(account_a, django_capture_on_commit_callbacks)

    assert len(listener.posts) == 1 and other.posts == []
    assert listener.posts[0]["problems"] == []
    text = listener.text()
    assert "Acme Industrial: level dropped" in text
    assert raised[0].summary.split(" on ")[0] in text
    assert settings.SITE_URL + "/accounts/acme/engagement/" in text
    delivery = ChatDelivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts) == (channel, SUCCEEDED, 1)
    assert delivery.subject == f"alert:{raised[0].pk}"
    channel.refresh_from_db()
    assert channel.last_succeeded is True


def test_the_slack_message_is_block_kit_with_a_fallback_and_a_button_to_the_site(
    chat_listener, account_manager_a, account_a, django_capture_on_commit_callbacks, settings
):
    listener = chat_listener("slack")
    _channel(listener, account_manager_a, account=account_a, **{ALERTS: "immediately"})
    _level_drop(account_a)

    _raise(account_a, django_capture_on_commit_callbacks)

    payload = listener.payloads[0]
    assert payload["text"] == "Acme Industrial: level dropped"
    assert [b["type"] for b in payload["blocks"]] == ["header", "context", "section", "actions"]
    assert payload["blocks"][1]["elements"][0]["text"] == "Engagement alert · Acme Industrial"
    button = payload["blocks"][-1]["elements"][0]
    assert button["url"] == settings.SITE_URL + "/accounts/acme/engagement/"


def test_the_teams_message_is_an_adaptive_card(
    chat_listener, account_manager_a, account_a, django_capture_on_commit_callbacks, settings
):
    listener = chat_listener("teams")
    _channel(listener, account_manager_a, account=account_a, **{ALERTS: "immediately"})
    _level_drop(account_a)

    _raise(account_a, django_capture_on_commit_callbacks)

    payload = listener.payloads[0]
    card = payload["attachments"][0]["content"]
    assert payload["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0]["inlines"][0]["text"] == "Acme Industrial: level dropped"
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in Customer Garden",
            "url": settings.SITE_URL + "/accounts/acme/engagement/",
        }
    ]


def test_a_channel_that_turned_a_kind_off_gets_nothing_of_it(
    chat_listener, account_manager_a, account_a, django_capture_on_commit_callbacks
):
    listener = chat_listener("slack")
    _channel(listener, account_manager_a, account=account_a, **{ALERTS: Delivery.OFF})
    _level_drop(account_a)

    _raise(account_a, django_capture_on_commit_callbacks)

    assert listener.posts == []
    assert not ChatDelivery.objects.exists()


def test_a_rerun_of_the_engine_posts_nothing_twice(
    chat_listener, account_manager_a, account_a, django_capture_on_commit_callbacks
):
    listener = chat_listener("slack")
    _channel(listener, account_manager_a, account=account_a, **{ALERTS: "immediately"})
    _level_drop(account_a)
    alert = _raise(account_a, django_capture_on_commit_callbacks)[0]

    _raise(account_a, django_capture_on_commit_callbacks)
    again = chat_deliveries.chat_notices_post(notices=[alerts._chat_notice(alert)])

    assert again == []
    assert ChatDelivery.objects.count() == 1
    assert len(listener.posts) == 1


# --- Posting once, retries, failures ----------------------------------------------------------


def _pending(listener, by, account) -> ChatDelivery:
    channel = _channel(listener, by, account=account, **{ALERTS: "immediately"})
    return ChatDelivery.objects.create(
        channel=channel,
        kind=ALERTS,
        subject="alert:1",
        title="Acme Industrial: score fell",
        body="Score fell by 18 points",
        url="/alerts/",
        delivery=Delivery.IMMEDIATELY,
    )


def test_a_retried_or_repeated_task_posts_a_delivery_once(
    chat_listener, account_manager_a, account_a
):
    listener = chat_listener("slack")
    delivery = _pending(listener, account_manager_a, account_a)

    assert chat_delivery_post_task.apply(args=[delivery.pk]).get() == SUCCEEDED
    assert chat_delivery_post_task.apply(args=[delivery.pk]).get() is None  # redelivered
    assert chat_deliveries.chat_delivery_attempt(delivery_id=delivery.pk).status is None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (SUCCEEDED, 1)
    assert len(listener.posts) == 1


def test_a_delivery_another_worker_holds_is_not_posted_again(
    chat_listener, account_manager_a, account_a
):
    listener = chat_listener("slack")
    delivery = _pending(listener, account_manager_a, account_a)
    ChatDelivery.objects.filter(pk=delivery.pk).update(
        locked_until=timezone.now() + dt.timedelta(seconds=60)
    )

    result = chat_deliveries.chat_delivery_attempt(delivery_id=delivery.pk)

    assert (result.status, result.retry_in) == (None, None)
    assert listener.posts == []


def test_a_server_error_is_retried_until_it_is_posted(
    chat_listener, account_manager_a, account_a, eager_retries
):
    listener = chat_listener("slack")
    listener.codes = [500, 429]
    delivery = _pending(listener, account_manager_a, account_a)

    chat_delivery_post_task.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (SUCCEEDED, 3, 200)
    assert len(listener.posts) == 3
    assert listener.payloads[0] == listener.payloads[2]  # the same message each time


def test_a_failing_endpoint_is_recorded_after_the_last_attempt(
    settings, chat_listener, account_manager_a, account_a, eager_retries
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    listener = chat_listener("teams")
    listener.codes = [503, 503, 503, 503]
    delivery = _pending(listener, account_manager_a, account_a)

    chat_delivery_post_task.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (FAILED, 3, "HTTP 503")
    assert delivery.posted_at is None
    assert len(listener.posts) == 3
    delivery.channel.refresh_from_db()
    assert (delivery.channel.last_succeeded, delivery.channel.last_result) == (False, "HTTP 503")


def test_a_removed_webhook_fails_at_once_without_retries(
    chat_listener, account_manager_a, account_a, eager_retries
):
    listener = chat_listener("slack")
    listener.codes = [404]
    delivery = _pending(listener, account_manager_a, account_a)

    chat_delivery_post_task.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (FAILED, 1, 404)
    assert len(listener.posts) == 1


def test_an_unreachable_channel_is_retried_later_with_the_reason_kept(
    chat_listener, account_manager_a, account_a
):
    listener = chat_listener("slack")
    delivery = _pending(listener, account_manager_a, account_a)
    listener.close()  # nothing listens there any more

    result = chat_deliveries.chat_delivery_attempt(delivery_id=delivery.pk)

    assert result.status == PENDING and result.retry_in == webhooks.BACKOFF_BASE_SECONDS
    delivery.refresh_from_db()
    assert delivery.last_error == "connection refused"
    assert delivery.last_status_code is None


def test_a_lost_task_is_queued_again_once(
    chat_listener, account_manager_a, account_a, django_capture_on_commit_callbacks
):
    listener = chat_listener("slack")
    delivery = _pending(listener, account_manager_a, account_a)
    ChatDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=10)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert chat_deliveries.chat_posts_requeue() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert chat_deliveries.chat_posts_requeue() == 0

    delivery.refresh_from_db()
    assert delivery.status == SUCCEEDED
    assert len(listener.posts) == 1


# --- Digests ----------------------------------------------------------------------------------


def test_a_daily_digest_gathers_the_days_alerts_and_is_posted_once(
    chat_listener, account_manager_a, account_a, django_capture_on_commit_callbacks
):
    listener = chat_listener("slack")
    channel = _channel(listener, account_manager_a, account=account_a, **{ALERTS: "daily"})
    _level_drop(account_a)
    raised = _raise(account_a, django_capture_on_commit_callbacks)
    assert listener.posts == []  # waits for the digest
    assert ChatDelivery.objects.get().status == ChatPostStatus.WAITING

    with django_capture_on_commit_callbacks(execute=True):
        queued = chat_deliveries.chat_digests_send(period="daily")
    with django_capture_on_commit_callbacks(execute=True):
        again = chat_deliveries.chat_digests_send(period="daily")
    assert chat_digest_post_task.apply(args=queued).get() is None  # a repeated task

    assert len(queued) == 1 and again == []
    digest = ChatDigest.objects.get()
    assert (digest.channel, digest.status, digest.attempts) == (channel, SUCCEEDED, 1)
    assert len(listener.posts) == 1 and listener.posts[0]["problems"] == []
    text = listener.text()
    assert "Daily digest for Acme Industrial: 1 update" in text
    assert f"Engagement alert: {raised[0].account.name}: level dropped" in text


def test_a_digest_leaves_out_an_alert_that_was_no_longer_true(
    chat_listener, account_manager_a, account_a, django_capture_on_commit_callbacks
):
    listener = chat_listener("slack")
    _channel(listener, account_manager_a, account=account_a, **{ALERTS: "daily"})
    _level_drop(account_a)
    alert = _raise(account_a, django_capture_on_commit_callbacks)[0]
    Alert.objects.filter(pk=alert.pk).update(
        resolved_at=timezone.now(),
        resolution=AlertResolution.NO_LONGER_TRUE,
        resolution_note="Back at Participating",
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert chat_deliveries.chat_digests_send(period="daily") == []

    assert listener.posts == []
    assert ChatDelivery.objects.get().status == ChatPostStatus.LEFT_OUT


def test_a_digest_that_failed_once_is_posted_again_with_the_same_items(
    chat_listener, account_manager_a, account_a
):
    listener = chat_listener("teams")
    listener.codes = [500]
    channel = _channel(listener, account_manager_a, account=account_a, **{ALERTS: "daily"})
    for reason in (AlertReason.LEVEL_DROPPED, AlertReason.SCORE_FELL):
        alert = Alert.objects.create(account=account_a, reason=reason, details={"points": 20})
        chat_deliveries.chat_notices_post(notices=[alerts._chat_notice(alert)])
    (digest_id,) = chat_deliveries.chat_digests_send(period="daily")
    first = chat_deliveries.chat_digest_attempt(digest_id=digest_id)
    assert (first.status, first.retry_in) == (PENDING, webhooks.BACKOFF_BASE_SECONDS)
    late = Alert.objects.create(account=account_a, reason=AlertReason.SILENT_BEFORE_RENEWAL)
    chat_deliveries.chat_notices_post(notices=[alerts._chat_notice(late)])

    assert chat_deliveries.chat_digests_send(period="daily") == []  # nothing new gathered
    ChatDigest.objects.filter(pk=digest_id).update(next_attempt_at=timezone.now())
    chat_digest_post_task.apply(args=[digest_id])  # the retry, once the backoff is over

    assert ChatDigest.objects.get(pk=digest_id).status == SUCCEEDED
    assert len(listener.posts) == 2
    assert listener.payloads[0] == listener.payloads[1]
    assert "2 updates" in listener.text()
    assert channel.deliveries.get(alert=late).digest is None  # waits for tomorrow's


def test_a_weekly_harvest_digest_reaches_the_gardens_channel(
    chat_listener, django_capture_on_commit_callbacks
):
    steward = a_steward()
    garden = GardenFactory(name="Onboarding journeys")
    garden.stewards.add(steward)
    listener = chat_listener("slack")
    _channel(listener, steward, garden=garden, **{HARVESTS: "weekly", DECISIONS: "off"})
    harvest = harvest_create(
        created_by=steward,
        title="<!channel> Setup in ten minutes",
        summary="You said set-up was slow; we cut it to ten minutes.",
        kind=HarvestKind.YOU_SAID_WE_DID,
        garden=garden,
        audience=HarvestAudience.GARDEN,
    )
    with django_capture_on_commit_callbacks(execute=True):
        harvest_publish(harvest=harvest, by=steward)
    assert listener.posts == []

    monday = dt.datetime(2026, 7, 6, 7, 30, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        chat_deliveries.chat_digests_send(period="daily", now=monday)  # not its period
        assert listener.posts == []
        chat_deliveries.chat_digests_send(period="weekly", now=monday)

    assert len(listener.posts) == 1 and listener.posts[0]["problems"] == []
    text = listener.text()
    assert "Weekly digest for Onboarding journeys: 1 update" in text
    assert "&lt;!channel&gt; Setup in ten minutes" in text  # shown as written, no mention
    assert "Published by Stella Steward" in text
    assert ChatDigest.objects.get().period_start == dt.date(2026, 7, 6)


def test_the_channels_digests_go_out_with_the_email_digests(
    chat_listener, account_manager_a, account_a, django_capture_on_commit_callbacks
):
    listener = chat_listener("slack")
    _channel(listener, account_manager_a, account=account_a, **{ALERTS: "daily"})
    alert = Alert.objects.create(account=account_a, reason=AlertReason.SCORE_FELL)
    chat_deliveries.chat_notices_post(notices=[alerts._chat_notice(alert)])

    with django_capture_on_commit_callbacks(execute=True):
        notification_digests_weekly_task()  # not the channel's period
    assert listener.posts == []
    with django_capture_on_commit_callbacks(execute=True):
        notification_digests_daily_task()  # beat's daily email digest

    assert len(listener.posts) == 1
    assert ChatDigest.objects.get().period == "daily"


def test_lost_chat_posts_are_looked_for_with_the_webhooks_lost_deliveries(
    chat_listener, account_manager_a, account_a, django_capture_on_commit_callbacks
):
    listener = chat_listener("slack")
    delivery = _pending(listener, account_manager_a, account_a)
    ChatDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=10)
    )

    with django_capture_on_commit_callbacks(execute=True):
        webhook_deliveries_requeue_task.apply()

    assert len(listener.posts) == 1
