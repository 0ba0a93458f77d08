"""`make bench-fanout` (`manage.py bench_fanout`), run small: it makes its garden, starts its own
worker on its own queues, publishes through the page's POST and finds everyone told once.
(A worker on the wrong queues once left it waiting for ever.)"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from community.models import Harvest, Notification, NotificationFanout
from tests.celery_workers import _database_url

pytestmark = [pytest.mark.needs_redis, pytest.mark.needs_postgres]


@pytest.mark.django_db(transaction=True)
def test_bench_fanout_tells_everyone_once_through_its_own_worker(
    redis_celery, redis_url, monkeypatch
):
    # The command's worker is a process of its own: it reads the test's database and Redis
    # from the environment it inherits.
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.test")
    monkeypatch.setenv("DATABASE_URL", _database_url())
    monkeypatch.setenv("REDIS_URL", redis_url)
    out = io.StringIO()
    call_command("bench_fanout", people=150, runs=2, deadline=120, stdout=out)
    lines = out.getvalue().splitlines()
    runs = [line for line in lines if line.startswith("run ")]
    assert len(runs) == 2, lines
    assert all("150 notifications to 150 people" in line for line in runs), runs
    assert lines[-1].startswith("median: request "), lines
    # It clears up after itself: the next run starts from the same garden.
    assert not Harvest.objects.filter(garden__slug="fanout-bench").exists()
    assert not NotificationFanout.objects.exists()
    assert not Notification.objects.exists()
