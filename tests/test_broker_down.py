"""Redis down: with the broker stopped or paused, customers' writes still succeed quickly and
the work they ask for waits in the outbox, not in a lost publish.

Each test starts its own `redis-server` on a free port and points the test's Celery app and a
real worker process at it (`redis_url` is overridden here; tests/celery_workers.py does the
rest). With Redis stopped (the process ended: connections refused) or paused (SIGSTOP: it
accepts connections and never answers), a member submits a feedback check-in, votes for an
idea and mentions a colleague in a discussion, through the real API: each request answers in
under three seconds and the outbox holds the mention's email. Once Redis is back on the same
port the relay publishes the outbox (beat's task on a running worker; a worker's own start
after the pause), the worker sends the email exactly once, the outbox drains, and an
incremental engagement run through the worker counts the three new events.

A `.delay()` instead of `accounts.outbox.enqueue` at the mention's site makes the post answer
500 (stopped) or take kombu's retries (paused); an outbox that never relays leaves the email
unsent and the outbox full.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone

from accounts import outbox
from accounts.models import OutboxTask
from accounts.tasks import outbox_relay_task
from community.models import ActivityEvent, EngagementSnapshot
from community.services.engagement import engagement_snapshots_compute
from community.tasks import engagement_recompute_incremental_task
from ideas.models import Phase
from ideas.selectors.instrument import instrument_current
from tests.api_helpers import api_login
from tests.community.factories import garden_with, start
from tests.ideas.factories import IdeaFactory, enrolled, running_pilot

pytestmark = [
    pytest.mark.needs_redis,
    pytest.mark.needs_postgres,
    pytest.mark.django_db(transaction=True),
]

REQUEST_BUDGET = 3.0  # seconds a customer's write may take with the broker down
EMAIL = "community.tasks.notification_emails_task"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RedisProcess:
    """A redis-server of the test's own, which it may stop, start again and pause."""

    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--logfile", str(self.log)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        self.resume()
        self.process.terminate()
        self.process.wait(timeout=10)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def own_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed", pytrace=False)
    server = RedisProcess(port=_free_port(), log=tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(own_redis):
    """The test's Celery app and its workers use the test's own Redis (tests/celery_workers)."""
    return own_redis.url


@pytest.fixture(autouse=True)
def _broker_trusted_again(monkeypatch):
    """Each test starts with this process trusting the broker (no pause left by another)."""
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)


@pytest.fixture
def mail_dir(tmp_path):
    return tmp_path / "mail"


@pytest.fixture
def worker_env(mail_dir):
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }


# --- What the customers do -------------------------------------------------------------------


@pytest.fixture
def scene(account_a, member_a, admin_a):
    """A running pilot member_a is enrolled in, an idea she may vote for, and a thread in a
    garden she shares with Anna (admin_a), whom she will mention."""
    pilot = running_pilot(accounts=[account_a])
    enrolled(pilot, member_a)
    garden = garden_with(member_a, admin_a)
    return {
        "pilot": pilot,
        "check_in": pilot.check_ins.filter(phase=Phase.EXPERIENCE).order_by("position").first(),
        "idea": IdeaFactory(garden=garden),
        "thread": start(garden, admin_a, "How do you onboard?"),
    }


def _answers(pilot) -> dict:
    q = {q.role: str(q.pk) for q in instrument_current(pilot=pilot).questions.all()}
    dims = ["useful", "usable", "delightful", "speed", "trust"]
    return {
        q["experienced"]: dict.fromkeys(dims, 6),
        q["sacrifice"]: dict.fromkeys(dims, 0),
        q["job_done"]: "Yes",
        q["adopt"]: 9,
        q["recommend"]: 10,
        q["better"]: "More offline maps.",
    }


def _timed(call) -> tuple[object, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def customers_read_first(api, scene, member_a) -> None:
    """The pages before the writes, and one publish while the broker is up: the views' code
    and kombu's Redis transport are loaded, so the writes time themselves, not a process's
    first imports (seconds on a busy machine, broker or not)."""
    outbox.enqueue(outbox_relay_task)
    api_login(api, member_a)
    for url in (
        f"/api/v1/check-ins/{scene['check_in'].pk}/",
        f"/api/v1/ideas/{scene['idea'].pk}/",
        f"/api/v1/threads/{scene['thread'].pk}/",
    ):
        assert api.get(url).status_code == 200, url


def customers_write_while_the_broker_is_down(api, scene, member_a) -> list[float]:
    """The three writes, each through the API; returns how long each took."""
    check_in, idea, thread = scene["check_in"], scene["idea"], scene["thread"]
    feedback, feedback_took = _timed(
        lambda: api.post(
            f"/api/v1/check-ins/{check_in.pk}/response/submit/",
            {"answers": _answers(scene["pilot"])},
        )
    )
    vote, vote_took = _timed(lambda: api.post(f"/api/v1/ideas/{idea.pk}/vote/"))
    post, post_took = _timed(
        lambda: api.post(f"/api/v1/threads/{thread.pk}/posts/", {"body": "Ask @anna, she knows."})
    )
    assert (feedback.status_code, vote.status_code, post.status_code) == (200, 200, 201)
    assert feedback.json()["status"] == "submitted"
    assert vote.json()["voted"] is True
    return [feedback_took, vote_took, post_took]


# --- Helpers to watch the worker ---------------------------------------------------------------


def _wait_for(predicate, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _emails_to(mail_dir: Path, address: str) -> int:
    if not mail_dir.exists():
        return 0
    return sum(f"To: {address}" in path.read_text() for path in mail_dir.glob("*.log"))


def _pending() -> list[str]:
    return sorted(OutboxTask.objects.filter(published_at=None).values_list("task", flat=True))


def _errors_contain(text: str) -> bool:
    return OutboxTask.objects.filter(published_at=None, last_error__contains=text).exists()


def _today(account) -> EngagementSnapshot | None:
    return EngagementSnapshot.objects.filter(account=account, day=timezone.localdate()).first()


def _baseline_snapshot(account) -> EngagementSnapshot:
    """Today's snapshot before the outage (computed here, as a run before it would have)."""
    engagement_snapshots_compute(account_ids=[account.pk])
    return _today(account)


def _assert_recovered(mail_dir: Path, account, baseline: EngagementSnapshot) -> None:
    """The relay has been asked to run: the outbox drains, Anna gets one email, and an
    incremental run through the worker counts the outage's events."""
    assert _wait_for(lambda: not _pending()), f"the outbox did not drain: {_pending()}"
    assert _wait_for(lambda: _emails_to(mail_dir, "anna@acme.example") == 1), "no mention email"

    new_events = ActivityEvent.objects.filter(account=account, created_at__gt=baseline.created_at)
    assert sorted(new_events.values_list("kind", flat=True)) == [
        "discussion_post",
        "feedback_given",
        "vote",
    ]
    engagement_recompute_incremental_task.delay()
    assert _wait_for(lambda: _today(account).activity > baseline.activity), (
        "the engagement engine did not catch up"
    )
    after = _today(account)
    assert after.pk == baseline.pk  # the same row, recomputed: one snapshot per account and day

    time.sleep(1)  # a second publish of the mention's task would show up as a second email
    assert _emails_to(mail_dir, "anna@acme.example") == 1


# --- The tests ---------------------------------------------------------------------------------


def test_with_redis_stopped_writes_succeed_fast_and_the_relay_catches_up_once_it_is_back(
    own_redis, start_worker, worker_env, mail_dir, api, scene, member_a, account_a
):
    worker = start_worker(**worker_env)
    baseline = _baseline_snapshot(account_a)
    customers_read_first(api, scene, member_a)
    assert not _pending()
    assert _wait_for(lambda: "ready." in worker.log_path.read_text()), "the worker did not start"

    own_redis.stop()
    took = customers_write_while_the_broker_is_down(api, scene, member_a)

    print(f"writes with Redis stopped took {took}")
    assert max(took) < REQUEST_BUDGET, took
    assert _pending() == [EMAIL]  # the mention's email waits in the outbox
    assert _errors_contain("Connection refused")

    own_redis.start()  # on the same port: the running worker reconnects
    outbox_relay_task.delay()  # what beat does every minute
    _assert_recovered(mail_dir, account_a, baseline)
    assert worker.poll() is None


def test_with_redis_paused_writes_succeed_fast_and_a_starting_worker_relays_the_outbox(
    own_redis, start_worker, worker_env, mail_dir, api, scene, member_a, account_a
):
    baseline = _baseline_snapshot(account_a)
    customers_read_first(api, scene, member_a)
    assert not _pending()

    own_redis.pause()
    try:
        took = customers_write_while_the_broker_is_down(api, scene, member_a)
    finally:
        own_redis.resume()

    print(f"writes with Redis paused took {took}")
    assert max(took) < REQUEST_BUDGET, took
    assert _pending() == [EMAIL]
    assert _errors_contain("Timeout")  # the first publish waited for the paused server

    start_worker(**worker_env)  # its worker_ready relay publishes the outbox at once
    _assert_recovered(mail_dir, account_a, baseline)
