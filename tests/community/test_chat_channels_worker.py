"""End to end over Redis with a real worker process: a new alert, raised by the service the
engine calls, is queued through the outbox after commit, and a separate `celery worker` posts it
to the account's Slack channel (a listener on 127.0.0.1 that checks the Block Kit payload) and
marks the delivery posted. The same task published again is taken by the worker and posts
nothing: the delivery is claimed before each attempt."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from community.models import ChatDelivery, ChatPostStatus
from community.models.notifications import NotifyKind
from community.services import alerts, chat_channels
from community.tasks import chat_delivery_post_task
from tests.accounts.factories import AccountFactory
from tests.community.factories import EngagementSnapshotFactory

pytestmark = [pytest.mark.needs_redis, pytest.mark.needs_postgres]

D = dt.date(2026, 6, 30)


def _until(condition, *, seconds: float = 60) -> bool:
    """Wait for `condition()` to hold (a real worker in another process does the work)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _account_with_a_level_drop():
    account = AccountFactory()
    EngagementSnapshotFactory(account=account, day=D - dt.timedelta(days=3), level="participating")
    EngagementSnapshotFactory(account=account, day=D, score=25, level="observing")
    return account


def _channel(listener, account, by):
    return chat_channels.chat_channel_create(
        account=account,
        provider="slack",
        name="#team",
        url=listener.url,
        deliveries={NotifyKind.ENGAGEMENT_ALERT: "immediately"},
        created_by=by,
    )


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_posts_a_new_alert_to_the_channel_once(
    start_worker, chat_listener, programme_admin
):
    start_worker(WEBHOOK_ALLOW_LOOPBACK="true")
    listener, sentinel = chat_listener("slack"), chat_listener("slack")
    account, other = _account_with_a_level_drop(), _account_with_a_level_drop()
    _channel(listener, account, programme_admin)
    _channel(sentinel, other, programme_admin)

    raised = alerts.alerts_raise(account_ids=[account.pk], day=D)

    assert raised and listener.posts == []  # published to Redis: nothing ran here
    assert _until(lambda: len(listener.posts) == 1), "the worker posted nothing within 60 s"
    delivery = ChatDelivery.objects.get(channel__account=account)
    assert _until(lambda: ChatDelivery.objects.filter(pk=delivery.pk, status="succeeded").exists())
    assert listener.posts[0]["problems"] == []
    assert f"{account.name}: level dropped" in listener.text()

    # The same task again (a redelivery), then another account's alert behind it on the queue.
    chat_delivery_post_task.delay(delivery.pk)
    alerts.alerts_raise(account_ids=[other.pk], day=D)
    assert _until(lambda: len(sentinel.posts) == 1), "the worker did not reach the next task"

    assert len(listener.posts) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (ChatPostStatus.SUCCEEDED, 1)
