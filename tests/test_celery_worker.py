"""End to end: a real `celery worker` process consumes our task over Redis and writes the DB.

The test process publishes through the same service the pages use (`invitation_create`, which
enqueues after commit); a separate worker process, started here against the same PostgreSQL
test database and a real Redis, sends the email and marks the invitation as sent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from accounts import services
from accounts.models import Invitation
from config.celery import app as celery_app

pytestmark = [pytest.mark.needs_redis, pytest.mark.needs_postgres]

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_celery(redis_url, settings):
    """Point the test process's Celery app at Redis, on a queue of this test's own."""
    queue = f"cg-test-{uuid.uuid4().hex[:8]}"
    saved = {
        key: celery_app.conf[key]
        for key in (
            "broker_url",
            "task_always_eager",
            "task_default_queue",
            "broker_transport_options",
        )
    }
    celery_app.conf.update(
        broker_url=redis_url,
        task_always_eager=False,
        task_default_queue=queue,
        broker_transport_options={"socket_timeout": 5, "socket_connect_timeout": 5},
    )
    celery_app._pool = None  # drop connections made for the old broker
    celery_app.amqp._producer_pool = None
    yield queue
    celery_app.conf.update(saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(redis_celery, redis_url, tmp_path):
    """A real worker process on the test's queue; yields the folder it writes emails to."""
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    command = "-m celery -A config worker --pool=solo --loglevel=INFO --without-gossip"
    process = subprocess.Popen(
        [
            sys.executable,
            *command.split(),
            "--without-mingle",
            "-Q",
            redis_celery,
            "--hostname",
            f"{redis_celery}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield mail_dir
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output[-4000:])  # shown when the test fails


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_invitation_over_redis(worker, admin_a, account_a):
    invitation = services.invitation_create(
        account=account_a, email="new.colleague@acme.example", invited_by=admin_a
    )
    # Published to Redis after commit: nothing ran in this process.
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        invitation.refresh_from_db()
        if invitation.sent_at:
            break
        time.sleep(0.25)
    assert invitation.sent_at is not None, "the worker did not process the task within 60 s"

    messages = list(worker.glob("*.log"))
    assert len(messages) == 1
    text = messages[0].read_text()
    assert "To: new.colleague@acme.example" in text
    assert invitation.get_accept_url() in text
