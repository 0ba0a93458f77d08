"""End to end: a real `celery worker` process consumes our task over Redis and writes the DB.

The test process publishes through the same service the pages use (`invitation_create`, which
enqueues after commit); a separate worker process, started here against the same PostgreSQL
test database and a real Redis, sends the email and marks the invitation as sent.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from accounts import services
from accounts.models import Invitation

pytestmark = [pytest.mark.needs_redis, pytest.mark.needs_postgres]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker(start_worker, tmp_path):
    """A real worker process that writes its emails to files; yields their folder."""
    mail_dir = tmp_path / "mail"
    start_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    return mail_dir


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
