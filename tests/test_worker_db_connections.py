"""A real worker keeps its database connection from one task to the next, as gunicorn keeps one
from one request to the next (config/celery.py): Celery's Django fix-up would close it after
every task, and each task would start a new PostgreSQL backend. A connection that died between
two tasks is noticed and replaced, and the task runs."""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from accounts import services
from accounts.models import Invitation

pytestmark = [pytest.mark.needs_redis, pytest.mark.needs_postgres]


def _sent(invitation: Invitation) -> Invitation:
    """The invitation once the worker has sent it (60 s at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        invitation.refresh_from_db()
        if invitation.sent_at:
            return invitation
        time.sleep(0.1)
    raise AssertionError("the worker did not send the invitation within 60 s")


def _backends(application: str) -> list[tuple[int, object]]:
    """(pid, backend_start) of the worker's connections now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = %s",
            [application],
        )
        return cursor.fetchall()


def _invite(admin, account, n: int) -> Invitation:
    return _sent(
        services.invitation_create(
            account=account, email=f"colleague{n}@acme.example", invited_by=admin
        )
    )


@pytest.fixture
def worker_named(start_worker, tmp_path):
    """A real worker whose connections name it (libpq's PGAPPNAME), with `max_age` seconds of
    CONN_MAX_AGE; returns that name."""

    def _start(max_age: int) -> str:
        application = f"cg-test-worker-{uuid.uuid4().hex[:8]}"
        start_worker(
            PGAPPNAME=application,
            TEST_DB_CONN_MAX_AGE=str(max_age),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(tmp_path / "mail"),
        )
        return application

    return _start


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_connection_between_tasks_and_replaces_a_dead_one(
    worker_named, admin_a, account_a
):
    application = worker_named(600)
    _invite(admin_a, account_a, 1)
    between = timezone.now()  # after the first task, before the others are sent
    for n in (2, 3, 4):
        _invite(admin_a, account_a, n)
    kept = [(pid, started) for pid, started in _backends(application) if started < between]
    assert kept, "the worker's connection of the first task was closed"

    with connection.cursor() as cursor:
        for pid, _started in kept:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    _invite(admin_a, account_a, 5)  # sent: the dead connection was noticed and replaced
    assert {pid for pid, _ in _backends(application)}.isdisjoint(pid for pid, _ in kept)


@pytest.mark.django_db(transaction=True)
def test_without_conn_max_age_a_worker_closes_its_connection_after_each_task(
    worker_named, admin_a, account_a
):
    application = worker_named(0)
    _invite(admin_a, account_a, 1)
    between = timezone.now()
    for n in (2, 3):
        _invite(admin_a, account_a, n)
    assert not [pid for pid, started in _backends(application) if started < between]
