"""The durable outbox (accounts.outbox): what `enqueue` writes and when it publishes, and how
the relay claims, publishes, gives up and prunes. The broker is faked here except where a
refused connection is the point; tests/test_broker_down.py runs it against a real Redis that
is stopped and paused, with a real worker."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import socket
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts import outbox, services
from accounts.models import OutboxTask
from accounts.tasks import invitation_send_task, invitations_purge_task, outbox_relay_task
from config.celery import app as celery_app

TASK = invitation_send_task.name  # rows carry one argument, an id


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _broker_trusted(monkeypatch):
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)


@pytest.fixture
def not_eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)


@pytest.fixture
def broker_refuses(not_eager, monkeypatch):
    """Celery points at a loopback port nobody listens on: every connection is refused."""
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")


@pytest.fixture
def published(not_eager, monkeypatch):
    """A fake broker: records (task, args, kwargs) of every publish, from any thread."""
    sent: list[tuple] = []
    lock = threading.Lock()

    def apply_async(args, kwargs, **options):
        time.sleep(0.001)  # let concurrent relays interleave
        with lock:
            sent.append((TASK, tuple(args), kwargs))

    monkeypatch.setattr(outbox, "_connection", lambda: contextlib.nullcontext())
    monkeypatch.setattr(invitation_send_task, "apply_async", apply_async)
    return sent


def _pending(**fields) -> OutboxTask:
    return OutboxTask.objects.create(task=TASK, args=[fields.pop("n", 0)], **fields)


# --- enqueue --------------------------------------------------------------------------------


def test_in_eager_mode_the_task_runs_on_commit_and_no_row_is_written(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(services, "invitations_purge", lambda: calls.append(1) or 0)

    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(invitations_purge_task)
        assert calls == []  # not before the commit

    assert calls == [1]
    assert not OutboxTask.objects.exists()


def test_a_publish_the_broker_refuses_leaves_the_row_pending_and_answers_at_once(
    db, broker_refuses, caplog, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(invitations_purge_task)
    took = time.monotonic() - started

    row = OutboxTask.objects.get()
    assert (row.task, row.args, row.kwargs) == (invitations_purge_task.name, [], {})
    assert row.published_at is None
    assert row.claimed_at is None  # released: the next relay takes it without waiting
    assert row.attempts == 1
    assert "Connection refused" in row.last_error
    assert "stay in the outbox" in caplog.text
    assert took < 2 * outbox.PUBLISH_TIMEOUT


def test_after_a_failure_the_process_does_not_try_again_for_a_while(
    db, broker_refuses, monkeypatch, django_capture_on_commit_callbacks
):
    tries = []
    real_connection = outbox._connection
    monkeypatch.setattr(outbox, "_connection", lambda: tries.append(1) or real_connection())

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            outbox.enqueue(invitations_purge_task)
    assert tries == [1]  # one connection for the transaction's five tasks, one timeout
    assert OutboxTask.objects.filter(last_error__contains="Connection refused").count() == 5

    with django_capture_on_commit_callbacks(execute=True):  # the next request, at once
        outbox.enqueue(invitations_purge_task)

    assert tries == [1]  # not tried again so soon
    assert OutboxTask.objects.filter(published_at=None, claimed_at=None).count() == 6
    assert OutboxTask.objects.filter(last_error__startswith="not tried").count() == 1


def test_the_tasks_of_one_transaction_go_out_over_one_connection(
    db, published, monkeypatch, django_capture_on_commit_callbacks
):
    connections = []
    monkeypatch.setattr(
        outbox, "_connection", lambda: connections.append(1) or contextlib.nullcontext()
    )

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            outbox.enqueue(invitation_send_task, n)

    assert connections == [1]
    assert published == [(TASK, (n,), {}) for n in range(20)]
    assert not OutboxTask.objects.filter(published_at=None).exists()


def test_enqueue_each_writes_its_rows_in_one_insert_and_publishes_them_in_order(
    db, published, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with django_assert_num_queries(1):  # one INSERT for the twelve rows
            outbox.enqueue_each(invitation_send_task, [[n] for n in range(12)])
        assert published == []  # not before the commit

    for callback in callbacks:
        callback()
    assert published == [(TASK, (n,), {}) for n in range(12)]
    assert list(OutboxTask.objects.order_by("pk").values_list("args", flat=True)) == [
        [n] for n in range(12)
    ]
    assert not OutboxTask.objects.filter(published_at=None).exists()


def test_enqueue_each_of_nothing_writes_and_registers_nothing(
    db, published, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(0):
        outbox.enqueue_each(invitation_send_task, [])

    assert callbacks == []


def test_enqueue_each_refuses_every_call_if_one_does_not_fit_the_task(db, published):
    with pytest.raises(TypeError):
        outbox.enqueue_each(invitation_send_task, [[1], [2, 3], [4]])

    assert not OutboxTask.objects.exists()


def test_enqueue_each_in_a_savepoint_rolled_back_publishes_none_of_its_rows(
    db, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_each(invitation_send_task, [[1], [2]])
        with contextlib.suppress(RuntimeError), transaction.atomic():
            outbox.enqueue_each(invitation_send_task, [[3], [4]])
            raise RuntimeError
        outbox.enqueue(invitation_send_task, 5)

    assert published == [(TASK, (n,), {}) for n in (1, 2, 5)]


def test_enqueue_each_in_eager_mode_runs_each_call_on_commit(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        invitation_send_task, "apply_async", lambda args, kwargs: sent.append(tuple(args))
    )

    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_each(invitation_send_task, [[1], [2]])
        assert sent == []

    assert sent == [(1,), (2,)]
    assert not OutboxTask.objects.exists()


def test_a_task_enqueued_in_a_savepoint_rolled_back_is_not_published(
    db, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(invitation_send_task, 1)
        with contextlib.suppress(RuntimeError), transaction.atomic():
            outbox.enqueue(invitation_send_task, 2)
            raise RuntimeError
        outbox.enqueue(invitation_send_task, 3)

    assert published == [(TASK, (1,), {}), (TASK, (3,), {})]
    assert list(OutboxTask.objects.values_list("args", flat=True)) == [[1], [3]]


def test_a_publish_that_succeeds_marks_the_row_published(
    db, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(invitation_send_task, invitation_id=7)
        assert published == []

    assert published == [(TASK, (), {"invitation_id": 7})]
    row = OutboxTask.objects.get()
    assert row.published_at is not None and row.attempts == 1


def test_a_rolled_back_transaction_leaves_no_row_and_publishes_nothing(db, published):
    with contextlib.suppress(RuntimeError), transaction.atomic():
        outbox.enqueue(invitation_send_task, 7)
        raise RuntimeError

    assert not OutboxTask.objects.exists()
    assert published == []


def test_arguments_the_task_does_not_take_fail_at_the_call_not_later(db, published):
    with pytest.raises(TypeError):
        outbox.enqueue(invitation_send_task, 7, 8)

    assert not OutboxTask.objects.exists()


# --- The relay ------------------------------------------------------------------------------


def test_the_relay_publishes_pending_rows_in_order_once(db, published):
    rows = [_pending(n=n) for n in range(3)]

    assert outbox.outbox_relay() == 3
    assert outbox.outbox_relay() == 0

    assert published == [(TASK, (0,), {}), (TASK, (1,), {}), (TASK, (2,), {})]
    assert all(r.published_at for r in OutboxTask.objects.filter(pk__in=[r.pk for r in rows]))


def test_a_row_that_cannot_be_published_is_set_aside_and_the_rest_go_out(db, published, caplog):
    gone = OutboxTask.objects.create(task="accounts.tasks.renamed_task", args=[1])
    changed = _pending(n=1)
    changed.args = [1, 2]  # the task no longer takes these (a deploy changed it)
    changed.save()
    fine = _pending(n=3)

    assert outbox.outbox_relay() == 1
    assert outbox.outbox_relay() == 0  # the failed rows are not tried again

    assert published == [(TASK, (3,), {})]
    gone.refresh_from_db()
    changed.refresh_from_db()
    assert gone.failed_at and "renamed_task" in gone.last_error
    assert changed.failed_at and "TypeError" in changed.last_error
    assert OutboxTask.objects.get(pk=fine.pk).published_at
    assert "cannot be published" in caplog.text


def test_the_relay_leaves_a_row_another_process_holds_until_its_lease_ends(db, published):
    held = _pending(claimed_at=timezone.now())  # the committing process is publishing it
    abandoned = _pending(n=1, claimed_at=timezone.now() - outbox.CLAIM_LEASE - dt.timedelta(1))

    assert outbox.outbox_relay() == 1

    assert published == [(TASK, (1,), {})]
    held.refresh_from_db()
    abandoned.refresh_from_db()
    assert held.published_at is None and abandoned.published_at is not None


def test_a_relay_that_finds_the_broker_down_releases_its_rows_for_the_next_run(db, broker_refuses):
    for n in range(3):
        _pending(n=n)

    assert outbox.outbox_relay(batch=2) == 0

    rows = list(OutboxTask.objects.order_by("pk"))
    assert [r.attempts for r in rows] == [1, 1, 0]  # stopped after the first batch failed
    assert all(r.published_at is None and r.claimed_at is None for r in rows)
    assert "Connection refused" in rows[0].last_error


def test_the_relay_prunes_rows_published_long_ago_and_never_pending_ones(db, published):
    long_ago = timezone.now() - outbox.KEEP_PUBLISHED - dt.timedelta(minutes=1)
    old = _pending(published_at=long_ago)
    recent = _pending(published_at=timezone.now())
    waiting = _pending(created_at=long_ago, claimed_at=timezone.now())

    outbox.outbox_relay()

    assert set(OutboxTask.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not OutboxTask.objects.filter(pk=old.pk).exists()


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_never_publish_one_row_twice(published):
    OutboxTask.objects.bulk_create(OutboxTask(task=TASK, args=[n]) for n in range(300))
    barrier = threading.Barrier(2)
    counts = []

    def relay():
        try:
            barrier.wait()
            counts.append(outbox.outbox_relay(batch=20))
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    numbers = sorted(args[0] for _, args, _ in published)
    assert numbers == list(range(300))  # every row once: none twice, none lost
    assert sum(counts) == 300
    assert not OutboxTask.objects.filter(published_at=None).exists()


def test_beat_runs_the_relay_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-relay"]

    assert entry["task"] == "accounts.tasks.outbox_relay_task"
    assert entry["schedule"].minute == set(range(60))


def test_the_relay_task_logs_nothing_when_there_is_nothing_to_do(db, published, caplog):
    with caplog.at_level(logging.WARNING):
        assert outbox_relay_task() == 0
    assert caplog.text == ""


# --- Tasks named by the services ---------------------------------------------------------------

_FRESH_PROCESS = """
import django
django.setup()
from celery import current_app
from accounts.outbox import task_named
before = "accounts.tasks.invitation_send_task" in current_app.tasks
print(before, task_named("accounts.tasks.invitation_send_task").name)
"""


def test_a_web_process_finds_a_task_by_name_though_it_never_imported_its_module():
    """Services enqueue by name and the web process imports no tasks module: the first name it
    looks up runs Celery's autodiscovery (a fresh process, as a web worker starts)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "accounts.tasks.invitation_send_task"]


def test_every_task_name_a_service_enqueues_is_a_registered_task():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    named = set()
    for app in ("accounts", "community", "ideas"):
        for path in (root / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", "") in ("enqueue", "enqueue_each")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    named.add(node.args[0].value)
    assert len(named) >= 5
    assert {name for name in named if name not in celery_app.tasks} == set()
    assert all(outbox.task_named(name).name == name for name in named)
