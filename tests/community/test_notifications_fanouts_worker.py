"""End to end over Redis with real worker processes: a harvest published to a few thousand
people is told by the fan-out's task in a worker, each person once; a worker killed in the
middle of the fan-out leaves the rest to the redelivered task, and still nobody is told twice.
(The services, chunk by chunk: test_notifications_fanouts.py.)"""

from __future__ import annotations

import signal
import time

import pytest
from django.db.models import Count

from accounts.models import InternalRole
from community.models import Notification, NotificationFanout
from community.services import harvests
from tests.accounts.factories import AccountFactory, crowd, internal
from tests.community.factories import GardenFactory, accept

pytestmark = [pytest.mark.needs_redis, pytest.mark.needs_postgres]

TAKES_OVER = "tests.community.takeover_worker_settings"


def _wait_for(predicate, seconds: float = 120) -> bool:  # workers start slowly on a busy machine
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _published_to_a_crowd(people_per_account: int, accounts: int = 2):
    """A steward's harvest of an open garden that `accounts` accounts of a crowd take part in;
    the ids of its audience."""
    steward = internal(InternalRole.CUSTOMER_SUCCESS_MANAGER)
    garden = GardenFactory()
    garden.stewards.add(steward)
    audience = set()
    for _ in range(accounts):
        account = AccountFactory()
        accept(garden, account)
        audience |= {person.pk for person in crowd(account, people_per_account)}
    harvest = harvests.harvest_create(
        created_by=steward,
        title="Offline first",
        summary="What we learnt.",
        kind="playbook",
        garden=garden,
    )
    return harvest, steward, audience


def _told() -> dict[int, int]:
    rows = Notification.objects.values("user").annotate(n=Count("pk"))
    return {row["user"]: row["n"] for row in rows}


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_tells_a_few_thousand_readers_each_once(start_worker):
    harvest, steward, audience = _published_to_a_crowd(1500)
    start_worker()

    harvests.harvest_publish(harvest=harvest, by=steward)  # commits: the task goes to Redis

    assert _wait_for(lambda: Notification.objects.count() >= len(audience)), (
        f"only {Notification.objects.count()} of {len(audience)} told within the deadline"
    )
    fanout = NotificationFanout.objects.get()
    assert _wait_for(lambda: NotificationFanout.objects.filter(finished_at__isnull=False).exists())
    assert _told() == dict.fromkeys(audience, 1)
    fanout.refresh_from_db()
    assert fanout.told_count == len(audience) and fanout.told_up_to == max(audience)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_fanout_leaves_the_rest_to_the_redelivered_task_once_each(
    start_worker,
):
    harvest, steward, audience = _published_to_a_crowd(6000)  # six chunks of 2,000
    first = start_worker()

    harvests.harvest_publish(harvest=harvest, by=steward)
    assert _wait_for(lambda: Notification.objects.count() >= 4000), "the fan-out never began"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    told_when_killed = Notification.objects.count()
    assert told_when_killed < len(audience), "the worker finished before it was killed"

    start_worker(DJANGO_SETTINGS_MODULE=TAKES_OVER)
    assert _wait_for(lambda: NotificationFanout.objects.filter(finished_at__isnull=False).exists())

    assert _told() == dict.fromkeys(audience, 1)
