"""Real Celery worker processes over a real Redis, for the end-to-end tests (a pytest plugin
loaded by tests/conftest.py). The worker shares the test's PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app
from config.task_queues import DEFAULT, QUEUES, queue_name

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def queues_of(prefix: str) -> list[str]:
    """The broker's names of the test's queues (config/task_queues.py), its prefix added."""
    return [queue_name(queue, prefix) for queue in QUEUES]


@pytest.fixture
def redis_celery(redis_url):
    """Point the test process's Celery app at Redis, on queues of this test's own; yields
    their prefix (`queues_of(prefix)` names them)."""
    prefix = f"cg-test-{uuid.uuid4().hex[:8]}-"
    keys = (
        "broker_url",
        "task_always_eager",
        "task_default_queue",
        "queue_prefix",
        "broker_transport_options",
    )
    saved = {key: celery_app.conf.get(key) for key in keys}
    celery_app.conf.update(
        broker_url=redis_url,
        task_always_eager=False,
        task_default_queue=queue_name(DEFAULT, prefix),
        queue_prefix=prefix,
        broker_transport_options={"socket_timeout": 5, "socket_connect_timeout": 5},
    )
    celery_app._pool = None  # drop connections made for the old broker
    celery_app.amqp._producer_pool = None
    yield prefix
    celery_app.conf.update(saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def start_worker(redis_celery, redis_url, tmp_path):
    """`start_worker(**env)` starts a real worker process on the test's queues (all four) and
    returns it;
    every worker still running is stopped when the test ends. Its log is `process.log_path`."""
    processes: list[subprocess.Popen] = []

    def _start(**extra_env: str) -> subprocess.Popen:
        log_path = tmp_path / f"worker-{len(processes)}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # Tasks the worker itself enqueues (a run's chunks) stay on the test's queues.
            "CELERY_QUEUE_PREFIX": redis_celery,
            **extra_env,
        }
        command = "-m celery -A config worker --pool=solo --loglevel=INFO --without-gossip"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    *command.split(),
                    "--without-mingle",
                    "-Q",
                    ",".join(queues_of(redis_celery)),
                    "--hostname",
                    f"{redis_celery}{len(processes)}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process.log_path = log_path
        processes.append(process)
        return process

    yield _start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        print(process.log_path.read_text()[-3000:])  # shown when the test fails
