"""A durable outbox for Celery tasks: work asked for by a transaction survives a broker outage.

`enqueue(task, *args, **kwargs)` replaces `task.delay_on_commit(...)`. It writes an
`OutboxTask` row in the caller's transaction (so a rollback leaves neither row nor task) and,
once the transaction commits, publishes the transaction's tasks over one connection with a
short, bounded timeout and no kombu retry. A publish that succeeds marks the rows published;
one that fails (Redis stopped, paused or unreachable) logs a warning and leaves them pending,
and the request goes on: its data is committed and the work is not lost.

`outbox_relay()` publishes the pending rows once the broker is back. Beat runs it every
minute (`accounts.tasks.outbox_relay_task`) and every worker runs it as it starts
(`worker_ready`, see config/celery.py), so a restarted worker catches up at once. A relay
claims its rows with one UPDATE that re-checks the claim condition, so two relays (or a
relay and the committing process) never publish one row twice; a claim older than
`CLAIM_LEASE` is treated as abandoned (its process died) and taken over.

At least once, not exactly once: a process that publishes a row and dies before marking it
published leaves it to the relay, which publishes it again after the lease. Every task
enqueued here is idempotent for that reason (each claims its work by an UPDATE or an upsert,
see the tasks' docstrings), as a task redelivered by the broker must be anyway.

In eager mode (CELERY_TASK_ALWAYS_EAGER, the tests' default) nothing is written: the task
runs on commit, as `delay_on_commit` did.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from celery import Task, current_app
from celery.exceptions import NotRegistered
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import OutboxTask

logger = logging.getLogger(__name__)

# A publish gives up after about a second: a stopped Redis refuses the connection at once, a
# paused one (SIGSTOP, a full network buffer) accepts it and never answers.
PUBLISH_TIMEOUT = 1.0
# After a failed publish this process stops trying for a while, so a request that queued ten
# tasks waits for one timeout, not ten; the relay publishes what it skipped.
BROKER_DOWN_PAUSE = 10.0
CLAIM_LEASE = dt.timedelta(minutes=2)  # longer than any relay batch takes to publish
RELAY_BATCH = 500
KEEP_PUBLISHED = dt.timedelta(days=1)  # published rows are pruned after this

_broker_down_until = 0.0  # time.monotonic() before which this process does not try
_local = threading.local()  # per thread: the rows enqueued since its last publish


def enqueue(task: Task | str, *args: Any, **kwargs: Any) -> None:
    """Queue `task(*args, **kwargs)` once the current transaction commits (at once outside a
    transaction), durably: a broker outage delays the task, it never loses it. Arguments
    must be JSON (ids, ISO dates, lists of ids), as for any task.

    Services name the task ("community.tasks.notification_email_task") instead of importing
    it: tasks are the outer layer and import the services, never the other way round."""
    _enqueue_calls(task, [(list(args), kwargs)])


def enqueue_each(task: Task | str, arg_lists: Iterable[Sequence[Any]]) -> None:
    """`enqueue(task, *args)` for each of `arg_lists` (positional arguments, one list per
    call), with one INSERT for all their rows: a comment that emails fifty followers writes
    one statement, not fifty. The same durability and order as fifty `enqueue` calls."""
    _enqueue_calls(task, [(list(args), {}) for args in arg_lists])


def _enqueue_calls(task: Task | str, calls: list[tuple[list[Any], dict[str, Any]]]) -> None:
    if not calls:
        return
    if isinstance(task, str):
        task = task_named(task)
    if task.typing:  # a call the task cannot take fails here, in the caller, as .delay() does
        for args, kwargs in calls:
            task.__header__(*args, **kwargs)
    if task.app.conf.task_always_eager:
        for args, kwargs in calls:
            transaction.on_commit(partial(task.apply_async, args, kwargs))
        return
    claimed_at = timezone.now()
    rows = OutboxTask.objects.bulk_create(
        OutboxTask(task=task.name, args=args, kwargs=kwargs, claimed_at=claimed_at)
        for args, kwargs in calls
    )
    _enqueued().extend(row.pk for row in rows)
    transaction.on_commit(_publish_committed)


def task_named(name: str) -> Task:
    """The registered task of that name. A web process has not imported the apps' `tasks`
    modules (only a worker does, at start): the first miss imports them (Celery's autodiscovery
    of the installed apps, forced). An unknown name then fails here, in the caller
    (NotRegistered)."""
    app = current_app
    if name not in app.tasks:
        app.autodiscover_tasks(force=True)
    return app.tasks[name]


def _enqueued() -> list[int]:
    """This thread's rows written since its last publish (see _publish_committed)."""
    if not hasattr(_local, "enqueued"):
        _local.enqueued = []
    return _local.enqueued


def _publish_committed() -> None:
    """Publish, over one connection, every row this thread enqueued in the transaction that
    just committed: a comment that notifies fifty followers opens one broker connection, not
    fifty. Each enqueue registers this callback; the first to run publishes them all and the
    others find nothing left. A row written in a savepoint that was rolled back is not in the
    table any more and is skipped (so is one of a transaction rolled back as a whole)."""
    pks, _local.enqueued = _enqueued(), []
    if not pks:
        return
    rows = list(
        OutboxTask.objects.filter(pk__in=pks, published_at=None, failed_at=None).order_by("pk")
    )
    if not rows:
        return
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        _release(rows, error="not tried: the broker was down a moment ago")
        return
    try:
        _publish(rows)
    except Exception as error:  # any broker failure leaves the rows pending
        _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE
        logger.warning(
            "Broker unavailable; %d task(s) (%s …) stay in the outbox for the relay: %r",
            len(rows),
            rows[0].task,
            error,
        )
        _release(rows, error=repr(error))


def _release(rows: list[OutboxTask], *, error: str) -> None:
    """Give up the claim at once, so the next relay takes the rows without waiting the lease."""
    OutboxTask.objects.filter(pk__in=[row.pk for row in rows], published_at=None).update(
        claimed_at=None, attempts=F("attempts") + 1, last_error=error[:2000]
    )


def _connection():
    """A connection to the broker that fails fast and never retries (kombu's default for
    the web's producer pool retries for several seconds)."""
    app = current_app
    return app.connection_for_write(
        connect_timeout=PUBLISH_TIMEOUT,
        transport_options={
            "socket_timeout": PUBLISH_TIMEOUT,
            "socket_connect_timeout": PUBLISH_TIMEOUT,
            "max_retries": 0,  # kombu: no reconnection attempts
            "retry_on_timeout": False,
        },
    )


def _publish(rows: list[OutboxTask]) -> int:
    """Publish `rows` over one connection and mark the published ones (one UPDATE, also when
    the broker fails half-way). A row that cannot be published (its task is gone or no longer
    takes its arguments) is marked failed and skipped; a broker failure raises (the rest stay
    claimed until released)."""
    done: list[int] = []
    try:
        with _connection() as connection:
            for row in rows:
                try:
                    task = task_named(row.task)
                    if task.typing:
                        task.__header__(*row.args, **row.kwargs)
                except (NotRegistered, TypeError) as error:
                    logger.error("Outbox row %s cannot be published: %r", row.pk, error)
                    OutboxTask.objects.filter(pk=row.pk).update(
                        failed_at=timezone.now(), last_error=repr(error)[:2000]
                    )
                    continue
                task.apply_async(row.args, row.kwargs, connection=connection, retry=False)
                done.append(row.pk)
    finally:
        if done:
            OutboxTask.objects.filter(pk__in=done).update(
                published_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
    return len(done)


def _claim(*, limit: int) -> list[OutboxTask]:
    """Claim up to `limit` pending rows nobody holds (or whose holder's lease ran out) with
    one UPDATE that re-checks that condition row by row, and return them in order."""
    now = timezone.now()
    claimable = Q(published_at=None, failed_at=None) & (
        Q(claimed_at=None) | Q(claimed_at__lt=now - CLAIM_LEASE)
    )
    candidates = OutboxTask.objects.filter(claimable).order_by("pk").values("pk")[:limit]
    claim = uuid.uuid4().hex
    OutboxTask.objects.filter(claimable, pk__in=candidates).update(claimed_at=now, claim=claim)
    return list(OutboxTask.objects.filter(claim=claim, published_at=None, failed_at=None))


def outbox_relay(*, batch: int = RELAY_BATCH) -> int:
    """Publish the pending rows, batch by batch, until none is left or the broker fails (the
    rest then wait for the next run). Prunes rows published long ago. Returns how many it
    published."""
    global _broker_down_until
    published = 0
    while rows := _claim(limit=batch):
        try:
            published += _publish(rows)
        except Exception as error:  # the broker is still down: next run
            OutboxTask.objects.filter(pk__in=[r.pk for r in rows], published_at=None).update(
                claimed_at=None, attempts=F("attempts") + 1, last_error=repr(error)[:2000]
            )
            logger.warning("Outbox relay: broker unavailable, %d rows wait: %r", len(rows), error)
            break
        _broker_down_until = 0.0  # the broker answers again
    OutboxTask.objects.filter(published_at__lt=timezone.now() - KEEP_PUBLISHED).delete()
    return published
