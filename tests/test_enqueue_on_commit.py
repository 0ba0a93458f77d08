"""Enqueue on commit: a rolled-back transaction publishes no task, a committed one publishes
exactly the tasks it asked for, and nothing reaches the broker before the commit.

Every service that queues Celery work runs here against a real Redis broker (the test's own
queue, `redis_celery`): the test counts the messages in the Redis list the worker would read,
once inside the transaction (still empty: nothing was published early), once after a rollback
(still empty) and once after a commit (exactly the expected tasks). Each task goes through the
durable outbox (accounts.outbox): its row is written in the transaction (a rollback leaves
none) and marked published once the commit has published it. A `.delay()` inside the
transaction instead of `delay_on_commit` / `transaction.on_commit` fails the first check; a
publish lost on commit fails the last.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import OutboxTask
from community.models import (
    Alert,
    AlertReason,
    Notification,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEvent,
)
from community.models.engagement import MODEL_FIELDS
from community.selectors.engagement_model import engagement_model_active
from community.services import webhook_events, webhooks
from community.services.chat_channels import chat_channel_create
from community.services.chat_deliveries import ChatNotice, chat_notices_post
from community.services.engagement_model import engagement_model_activate
from community.services.notifications import notify
from community.services.recognition import milestones_award_after_commit
from community.tasks import engagement_recompute_accounts_task
from ideas.models import Follow
from ideas.services import enrolment as enrolment_services
from ideas.services import ideas as idea_services
from tests.accounts.factories import AccountFactory, customer
from tests.api_helpers import api_login
from tests.celery_workers import queues_of
from tests.ideas.factories import IdeaFactory, PilotFactory

pytestmark = [pytest.mark.needs_redis, pytest.mark.django_db(transaction=True)]

INVITATION = "accounts.tasks.invitation_send_task"
EMAIL = "community.tasks.notification_emails_task"
WEBHOOK = "community.tasks.webhook_deliver_task"
RECOMPUTE_ALL = "community.tasks.engagement_recompute_all_task"
RECOMPUTE_ACCOUNTS = "community.tasks.engagement_recompute_accounts_task"
RECOMPUTE_CHUNK = "community.tasks.engagement_recompute_task"
MILESTONES = "community.tasks.milestones_award_task"
CHAT_DELIVERY = "community.tasks.chat_delivery_post_task"


class Rollback(Exception):
    """Raised at the end of a transaction the test wants rolled back."""


@dataclass
class Broker:
    client: redis.Redis
    queues: list[str]

    def published(self) -> list[str]:
        """The names of the tasks waiting in the test's queues on the Redis server."""
        raw = [m for queue in self.queues for m in self.client.lrange(queue, 0, -1)]
        return sorted(json.loads(message)["headers"]["task"] for message in raw)

    def clear(self) -> None:
        self.client.delete(*self.queues)


@pytest.fixture
def broker(redis_celery, redis_url):
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    queues = queues_of(redis_celery)
    yield Broker(client=client, queues=queues)
    for queue in queues:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    client.close()


def assert_published_only_on_commit(broker: Broker, action: Callable[[], object], expected):
    """Run `action` in a transaction that rolls back, then in one that commits: nothing is
    published until the commit, and then exactly `expected` (task names)."""
    broker.clear()  # whatever the set-up queued
    OutboxTask.objects.all().delete()

    with pytest.raises(Rollback), transaction.atomic():
        action()
        assert broker.published() == [], "published before the transaction ended"
        raise Rollback
    assert broker.published() == [], "a rolled-back transaction published a task"
    assert not OutboxTask.objects.exists(), "a rolled-back transaction left an outbox row"

    with transaction.atomic():
        action()
        assert broker.published() == [], "published before the commit"
        assert _outbox() == sorted(expected), "the outbox row is not in the transaction"
    assert broker.published() == sorted(expected)
    assert _outbox(pending=True) == [], "published but still pending in the outbox"


def _outbox(*, pending: bool = False) -> list[str]:
    rows = OutboxTask.objects.filter(published_at=None) if pending else OutboxTask.objects.all()
    return sorted(rows.values_list("task", flat=True))


# --- accounts --------------------------------------------------------------------------------


def test_an_invitation_email_is_queued_only_once_the_invitation_is_committed(
    broker, account_a, admin_a
):
    def invite():
        account_services.invitation_create(
            account=account_a, email="new.colleague@acme.example", invited_by=admin_a
        )

    assert_published_only_on_commit(broker, invite, [INVITATION])


# --- community: notifications ----------------------------------------------------------------


def test_a_notification_email_is_queued_only_once_the_notification_is_committed(broker, member_a):
    def tell():
        notify(users=[member_a], kind="idea_comment", title="A new comment")

    assert_published_only_on_commit(broker, tell, [EMAIL])


def test_a_comment_on_an_idea_queues_its_followers_emails_after_commit(broker, member_a, admin_a):
    idea = IdeaFactory(author=member_a)
    Follow.objects.get_or_create(idea=idea, user=member_a)

    def comment():
        idea_services.idea_comment(idea=idea, author=admin_a, body="We need this offline too.")

    assert_published_only_on_commit(broker, comment, [EMAIL])


def test_inviting_an_account_to_a_pilot_queues_its_members_emails_in_one_task_after_commit(
    broker, product_manager
):
    account = AccountFactory()
    customer(account)
    customer(account)
    pilot = PilotFactory()

    def invite():
        enrolment_services.pilot_invite(pilot=pilot, accounts=[account], invited_by=product_manager)

    assert_published_only_on_commit(broker, invite, [EMAIL])
    [row] = OutboxTask.objects.filter(task=EMAIL)
    [ids] = row.args  # both members' notifications
    assert sorted(
        Notification.objects.filter(pk__in=ids).values_list("user__email", flat=True)
    ) == (sorted(account.memberships.values_list("user__email", flat=True)))


# --- community: webhooks ---------------------------------------------------------------------


@pytest.fixture
def alert(account_a, programme_admin, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    webhooks.webhook_endpoint_create(url="http://127.0.0.1:9/hooks", created_by=programme_admin)
    return Alert.objects.create(account=account_a, reason=AlertReason.LEVEL_DROPPED)


def test_a_webhook_delivery_is_queued_only_once_it_is_committed(broker, alert):
    def deliver():
        webhook_events.alerts_raised_emit(alerts=[alert])

    assert_published_only_on_commit(broker, deliver, [WEBHOOK])


def _delivery(alert: Alert, **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=WebhookEndpoint.objects.get(),
        alert=alert,
        subject=str(alert.pk),
        event=WebhookEvent.ALERT_RAISED,
        payload={"event": "alert.raised"},
        **fields,
    )


def test_retrying_a_failed_webhook_delivery_queues_it_after_commit(broker, alert):
    delivery = _delivery(alert, status=WebhookDeliveryStatus.FAILED, attempts=6)

    def retry():
        webhooks.webhook_delivery_retry(delivery=delivery)

    assert_published_only_on_commit(broker, retry, [WEBHOOK])


def test_a_lost_webhook_delivery_is_queued_again_after_the_requeue_commits(broker, alert):
    _delivery(alert, next_attempt_at=timezone.now() - dt.timedelta(hours=1))

    def requeue():
        assert len(webhooks.webhook_deliveries_requeue()) == 1

    assert_published_only_on_commit(broker, requeue, [WEBHOOK])


def test_a_chat_delivery_is_queued_only_once_it_is_committed(broker, alert):
    chat_channel_create(
        account=alert.account,
        provider="slack",
        name="#team",
        url="https://hooks.slack.com/services/T/B/x",
        deliveries={"engagement_alert": "immediately"},
        created_by=None,
    )
    notice = ChatNotice(
        kind="engagement_alert",
        subject=f"alert:{alert.pk}",
        title="t",
        account_ids=[alert.account_id],
    )

    def tell():
        assert len(chat_notices_post(notices=[notice])) == 1

    assert_published_only_on_commit(broker, tell, [CHAT_DELIVERY])


# --- community: engagement -------------------------------------------------------------------


def test_activating_an_engagement_model_queues_a_full_recompute_after_commit(
    broker, programme_admin
):
    active = engagement_model_active()
    values = {name: getattr(active, name) for name in MODEL_FIELDS}

    def activate():
        engagement_model_activate(created_by=programme_admin, note="tuned", **values)

    assert_published_only_on_commit(broker, activate, [RECOMPUTE_ALL])


def test_the_recompute_endpoint_queues_its_task_after_commit(
    broker, api, account_manager_a, account_a
):
    api_login(api, account_manager_a)

    def recompute():
        response = api.post("/api/v1/engagement/recompute/", {"account": "acme"}, format="json")
        assert response.status_code == 202

    assert_published_only_on_commit(broker, recompute, [RECOMPUTE_ACCOUNTS])


def test_a_recompute_run_queues_its_chunks_once_the_run_is_committed(broker, account_a):
    def run():  # what a worker does with the task (called in this process)
        engagement_recompute_accounts_task([account_a.pk])

    assert_published_only_on_commit(broker, run, [RECOMPUTE_CHUNK])


# --- community: recognition ------------------------------------------------------------------


def test_milestones_are_awarded_by_a_task_queued_after_commit(broker, member_a):
    def award():
        milestones_award_after_commit(user_ids=[member_a.pk, member_a.pk, None])

    assert_published_only_on_commit(broker, award, [MILESTONES])
