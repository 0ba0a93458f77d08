"""Celery's queues (config/task_queues.py): every task of ours is given a queue on purpose, and
a published task lands in that queue's list on a real Redis.

That a worker consuming all the queues still runs the flows end to end is shown by the real
worker tests (tests/test_celery_worker.py: email; tests/community/test_engagement_worker_killed.py:
engagement; tests/community/test_chat_channels_worker.py: webhooks), whose worker consumes the
test's four queues.
"""

from __future__ import annotations

import json

import pytest
import redis

from config.celery import app as celery_app
from config.task_queues import QUEUES, TASK_QUEUES, queue_name
from tests.celery_workers import queues_of

OUR_APPS = ("accounts.", "community.", "ideas.", "demo.", "config.")


def _our_tasks() -> set[str]:
    celery_app.loader.import_default_modules()  # every app's tasks module
    return {name for name in celery_app.tasks if name.startswith(OUR_APPS)}


def test_every_task_of_ours_is_given_a_queue_on_purpose():
    tasks = _our_tasks()
    assert tasks, "no task found: the apps' tasks modules were not imported"
    assert sorted(tasks - TASK_QUEUES.keys()) == [], "tasks with no queue in TASK_QUEUES"
    assert sorted(TASK_QUEUES.keys() - tasks) == [], "TASK_QUEUES names tasks that do not exist"
    assert set(TASK_QUEUES.values()) == set(QUEUES)  # every queue has work, no other queue


def test_the_router_sends_each_task_to_its_queue_with_the_prefix(settings):
    router = celery_app.amqp.router
    for name, queue in TASK_QUEUES.items():
        assert router.route({}, name, (), {})["queue"].name == queue_name(queue, "")
    celery_app.conf.queue_prefix = "cg-elsewhere-"
    try:
        routed = router.route({}, "community.tasks.webhook_deliver_task", (), {})
        assert routed["queue"].name == "cg-elsewhere-webhooks"
        # Celery's own tasks (a chord's callback) go to the default queue, prefix and all.
        assert router.route({}, "celery.chord_unlock", (), {})["queue"].name == (
            "cg-elsewhere-default"
        )
    finally:
        celery_app.conf.queue_prefix = settings.CELERY_QUEUE_PREFIX


def test_a_worker_without_q_consumes_all_four_queues(settings):
    assert [queue.name for queue in settings.CELERY_TASK_QUEUES] == queues_of(
        settings.CELERY_QUEUE_PREFIX
    )
    assert settings.CELERY_TASK_DEFAULT_QUEUE == queue_name("default", settings.CELERY_QUEUE_PREFIX)


@pytest.mark.needs_redis
def test_each_published_task_waits_in_its_own_queue_on_redis(redis_celery, redis_url):
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    queues = dict(zip(QUEUES, queues_of(redis_celery), strict=True))
    try:
        for name in TASK_QUEUES:
            celery_app.send_task(name, args=(), kwargs={})
        waiting = {
            queue: sorted(
                json.loads(message)["headers"]["task"]
                for message in client.lrange(broker_name, 0, -1)
            )
            for queue, broker_name in queues.items()
        }
        expected = {
            queue: sorted(name for name, q in TASK_QUEUES.items() if q == queue) for queue in QUEUES
        }
        assert waiting == expected
    finally:
        for broker_name in queues.values():
            client.delete(
                broker_name,
                f"_kombu.binding.{broker_name}",
                f"_kombu.binding_permanent.{broker_name}",
            )
        client.close()
