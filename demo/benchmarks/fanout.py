"""The fan-out benchmark behind `manage.py bench_fanout`: a harvest published to a garden of
100,000 people, timed as a request (the publish page's POST, in process, through the whole
middleware stack) and as the worker's fan-out (from the fan-out's row to its finish).

The data set — accounts `fanout-1…N`, `people` customers in them, the open garden `fanout-bench`
that every one of them accepted, and its steward — is made with set-based INSERT … SELECT
generate_series and reused by the next run of the same size.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from accounts.models import Account, Membership, User
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenTheme,
    Harvest,
    Notification,
    NotificationFanout,
)
from community.services.harvests import HARVEST_READERS, harvest_create
from config.task_queues import QUEUES, queue_name
from demo.benchmarks.people_sql import bench_people_insert

_PREFIX = "fanout-"
_DOMAIN = "@fanout.example"
_GARDEN = "fanout-bench"
_STEWARD = "steward" + _DOMAIN
_PER_ACCOUNT = 10  # people per account
ROOT = Path(settings.BASE_DIR)


@dataclass(frozen=True)
class FanoutTiming:
    request_ms: float  # the publish POST, from sending to the redirect
    worker_s: float  # from the fan-out's row to its finish, in the worker
    told: int  # notifications of the fan-out
    people: int  # distinct people among them


def data_ensure(*, people: int, say: Callable[[str], object]) -> tuple[Garden, User]:
    """The garden of `people` readers and its steward: reused if the database holds them."""
    accounts = Account.objects.filter(slug__startswith=_PREFIX)
    have = Membership.objects.filter(account__in=accounts).count()
    garden = Garden.objects.filter(slug=_GARDEN).first()
    if have == people and garden is not None:
        say(f"Reusing {have} people in {accounts.count()} accounts.")
        return garden, garden.stewards.get()
    started = time.perf_counter()
    say(f"Generating {people} people…")
    with transaction.atomic():
        _clear_notifications()
        Garden.objects.filter(slug=_GARDEN).delete()
        User.objects.filter(email__endswith=_DOMAIN).delete()
        accounts.delete()
        _people_insert(people)
        steward = User.objects.create_user(email=_STEWARD, first_name="Fan", last_name="Out")
        garden = Garden.objects.create(
            name="Fan-out bench", slug=_GARDEN, theme=GardenTheme.choices[0][0]
        )
        garden.stewards.add(steward)
        _garden_accounts_insert(garden)
    with connection.cursor() as cursor:
        for model in (User, Membership, GardenAccount):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    say(f"Generated in {time.perf_counter() - started:.1f} s.")
    return garden, steward


def _people_insert(people: int) -> None:
    """`people` readers, `_PER_ACCOUNT` to an account, in accounts of their own."""
    with connection.cursor() as cursor:
        bench_people_insert(
            cursor,
            accounts=-(-people // _PER_ACCOUNT),
            people=people,
            per_account=_PER_ACCOUNT,
            slug_prefix=_PREFIX,
            account_name="Fan-out account",
            email_local="reader",
            email_domain=_DOMAIN,
        )


def _garden_accounts_insert(garden: Garden) -> None:
    table, account = GardenAccount._meta.db_table, Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (created_at, updated_at, garden_id, account_id, status)
            SELECT now(), now(), %s, id, %s FROM {account} WHERE slug LIKE '{_PREFIX}%%'
            """,  # noqa: S608 (table names from the models; values are parameters)
            [garden.pk, GardenAccountStatus.ACCEPTED],
        )


def _clear_notifications() -> None:
    """The previous runs' harvests, fan-outs and notifications (they would slow the next run)."""
    harvests = Harvest.objects.filter(garden__slug=_GARDEN)
    fanouts = NotificationFanout.objects.filter(
        audience=HARVEST_READERS,
        audience_args__harvest__in=list(harvests.values_list("pk", flat=True)),
    )
    Notification.objects.filter(fanout__in=fanouts).delete()
    fanouts.delete()
    harvests.delete()


def runs_clear() -> None:
    with transaction.atomic():
        _clear_notifications()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Notification._meta.db_table}")


def worker_start(*, prefix: str, log_path: Path) -> subprocess.Popen:
    """A real Celery worker on its own queues (all four of config/task_queues.py under
    `prefix`), with this process's settings and database."""
    env = {**os.environ, "CELERY_QUEUE_PREFIX": prefix, "CELERY_TASK_ALWAYS_EAGER": "false"}
    with open(log_path, "w") as log:
        worker = subprocess.Popen(  # noqa: S603 (our own interpreter and Celery app)
            [
                sys.executable,
                *"-m celery -A config worker --pool=solo --loglevel=INFO".split(),
                "--without-gossip",
                "--without-mingle",
                "-Q",
                ",".join(queue_name(queue, prefix) for queue in QUEUES),
                "--hostname",
                f"{prefix}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while " ready." not in log_path.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise RuntimeError(f"The worker did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.1)
    return worker


def publisher_client(steward: User) -> Client:
    """The steward's browser, signed in, its handler warmed by one request: a test client loads
    the middleware stack on its first request (WhiteNoise alone reads every static file's
    headers then, ~100 ms), which a serving process does once when it starts, not per
    request. Each timed publish goes through this one client."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(steward)
    response = client.get(reverse("healthz"))
    if response.status_code != 200:
        raise RuntimeError(f"/healthz/ answered {response.status_code}")
    return client


def timed_publish(
    *, client: Client, garden: Garden, steward: User, n: int, deadline_s: float
) -> FanoutTiming:
    """Publish a new harvest through the page's POST and wait for its fan-out to finish."""
    harvest = harvest_create(
        created_by=steward,
        title=f"Fan-out bench {n} {uuid.uuid4().hex[:6]}",
        summary="What 100,000 people should hear about.",
        kind="playbook",
        garden=garden,
    )
    url = reverse("community:harvest-publish", args=[harvest.slug])
    started = time.perf_counter()
    response = client.post(url)
    request_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        raise RuntimeError(f"Publishing answered {response.status_code}")
    fanout = NotificationFanout.objects.get(audience_args__harvest=harvest.pk)
    deadline = time.monotonic() + deadline_s
    while fanout.finished_at is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"The fan-out did not finish in {deadline_s:.0f} s")
        time.sleep(0.2)
        fanout.refresh_from_db()
    told = Notification.objects.filter(fanout=fanout).aggregate(
        told=Count("pk"), people=Count("user", distinct=True)
    )
    return FanoutTiming(
        request_ms=request_ms,
        worker_s=(fanout.finished_at - fanout.created_at).total_seconds(),
        told=told["told"],
        people=told["people"],
    )
