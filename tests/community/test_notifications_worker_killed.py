"""End to end over Redis with real worker processes: a worker SIGKILLed while it hands a digest
(or a single notification email) to the mail server. The next run, and Redis's redelivery of the
killed task (acks_late), finish the work at once: each person gets one email, holding all their
notifications, and every row is marked; a further run sends nothing. (A kill in the moment after
the server accepted a message and before the row is marked: test_notifications_claims.py.)

The worker's email backend (tests/community/stalling_email_backend.py) writes each accepted
message to a file and stalls before accepting one recipient's; the test kills the worker while it
stalls.
The worker that takes over finds a dead worker's task again after 2 seconds
(tests/community/takeover_worker_settings.py) instead of production's 35 minutes.
"""

from __future__ import annotations

import email
import email.policy
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from community.models import Notification, NotificationDigest
from community.services.notification_emails import _message_id
from community.services.notifications import notify
from community.tasks import notification_digests_daily_task, notification_email_task
from tests.accounts.factories import customer

pytestmark = [pytest.mark.needs_redis, pytest.mark.needs_postgres]

STALLING_MAIL = "tests.community.stalling_email_backend.EmailBackend"
TAKES_OVER = "tests.community.takeover_worker_settings"


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def stalling_worker(start_worker, mail_dir, tmp_path):
    """`stalling_worker(to)` starts a worker whose hand-off of a message to `to` stalls; returns
    it and the marker file that appears when the stall begins."""

    def _start(to: str) -> tuple[subprocess.Popen, Path]:
        marker = tmp_path / "stalled"
        worker = start_worker(
            EMAIL_BACKEND=STALLING_MAIL,
            EMAIL_FILE_PATH=str(mail_dir),
            MAIL_STALL_TO=to,
            MAIL_STALL_MARKER=str(marker),
        )
        return worker, marker

    return _start


@pytest.fixture
def next_worker(start_worker, mail_dir):
    """The worker that takes over: sends everything, picks up a dead worker's tasks fast."""
    return lambda: start_worker(
        DJANGO_SETTINGS_MODULE=TAKES_OVER,
        EMAIL_BACKEND=STALLING_MAIL,
        EMAIL_FILE_PATH=str(mail_dir),
    )


def _wait_for(predicate, seconds: float = 60) -> bool:  # workers start slowly on a busy machine
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _kill(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


def _result(worker: subprocess.Popen, task_id: str) -> str | None:
    """What the task returned in this worker, from its log (None: not finished there)."""
    found = re.search(
        rf"\[{task_id}\] succeeded in [\d.]+s: (\S+)", worker.log_path.read_text(), re.M
    )
    return found.group(1) if found else None


def _finished(worker: subprocess.Popen, *results) -> bool:
    return _wait_for(lambda: all(_result(worker, r.id) is not None for r in results))


def _sent(mail_dir: Path) -> list[email.message.EmailMessage]:
    """Every message the mail server accepted, in order."""
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(mail_dir.glob("*.eml"))
    ]


def _text(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.django_db(transaction=True)
def test_a_digest_job_killed_mid_send_is_completed_by_the_next_run_one_digest_each(
    stalling_worker, next_worker, mail_dir, account_a
):
    people = [customer(account_a) for _ in range(3)]  # "reply" goes in the daily digest
    for n in range(2):
        notify(users=people, kind="reply", title=f"Reply {n} in “Offline mode”")

    first, stalled = stalling_worker(people[1].email)
    killed_run = notification_digests_daily_task.delay()
    assert _wait_for(stalled.exists), "the worker never began sending the second digest"
    _kill(first)

    # Killed while handing the second digest over: the first went, the third was not tried.
    assert [m["To"] for m in _sent(mail_dir)] == [people[0].email]
    digests = NotificationDigest.objects.order_by("user_id")
    assert [(d.claimed_at is not None, d.sent_at is not None) for d in digests] == [
        (True, True),
        (True, False),
        (False, False),
    ]

    second = next_worker()
    next_run = notification_digests_daily_task.delay()
    assert _finished(second, next_run, killed_run), "the next run or the redelivery did not run"
    # Between them the next run and the redelivered killed run sent the two digests left.
    assert int(_result(second, next_run.id)) + int(_result(second, killed_run.id)) == 2
    once_more = notification_digests_daily_task.delay()
    assert _finished(second, once_more)
    assert _result(second, once_more.id) == "0"

    sent = _sent(mail_dir)
    assert sorted(m["To"] for m in sent) == sorted(p.email for p in people)  # one each
    assert len({m["Message-ID"] for m in sent}) == 3
    for message in sent:
        assert "Reply 0 in “Offline mode”" in _text(message)
        assert "Reply 1 in “Offline mode”" in _text(message)
    assert NotificationDigest.objects.filter(sent_at__isnull=True).count() == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
    assert Notification.objects.filter(digest__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_email_task_killed_mid_send_is_sent_once_by_its_redelivery(
    stalling_worker, next_worker, mail_dir, member_a
):
    [notification] = notify(
        users=[member_a], kind="idea_status", title="Offline mode is planned", email=False
    )

    first, stalled = stalling_worker(member_a.email)
    killed = notification_email_task.delay(notification.pk)
    assert _wait_for(stalled.exists), "the worker never began sending the email"
    _kill(first)
    notification.refresh_from_db()
    assert notification.email_claimed_at is not None  # the dead sender's claim
    assert (notification.emailed_at, _sent(mail_dir)) == (None, [])

    second = next_worker()
    assert _finished(second, killed), "the killed task was not redelivered"
    assert _result(second, killed.id) == "True"  # at once, not when the claim went stale
    again = notification_email_task.delay(notification.pk)
    assert _finished(second, again)
    assert _result(second, again.id) == "False"

    [message] = _sent(mail_dir)
    assert (message["To"], message["Subject"]) == (member_a.email, "Offline mode is planned")
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert message["Message-ID"] == _message_id(
        "notification", notification.pk, notification.created_at
    )
