"""Analytics reads on a PostgreSQL read replica (DATABASE_REPLICA_URL), everything else on the
primary.

Only code that opts in reads from the replica: the insights, portfolio and pilot perception
pages, their CSV exports and API, and the bench report, inside `analytics_reads()` (a context
manager and a decorator). Every write, every read outside it, and every read while the primary
holds an open transaction (which must see its own writes) goes to "default". The replica is
used only while it answers and its replay is at most DATABASE_REPLICA_MAX_LAG_SECONDS behind;
otherwise the same reads go to the primary. The verdict is kept for
DATABASE_REPLICA_CHECK_SECONDS, so a request pays for a check only every few seconds.

A replica that stops answering between two checks fails the reads that were already sent to it
(a 500) until the next check, at most DATABASE_REPLICA_CHECK_SECONDS later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# Apps whose rows decide who is logged in: always read fresh from the primary.
_PRIMARY_ONLY_APPS = frozenset({"sessions"})

_analytics: ContextVar[bool] = ContextVar("analytics_reads", default=False)


@contextmanager
def analytics_reads() -> Iterator[None]:
    """Reads inside go to the replica when it is configured, answering and caught up."""
    token = _analytics.set(True)
    try:
        yield
    finally:
        _analytics.reset(token)


def analytics_reads_active() -> bool:
    return _analytics.get()


@dataclass(frozen=True)
class ReplicaHealth:
    usable: bool
    reason: str  # "ok", "not configured", "unreachable: …", "lagging 42.0 s"
    checked_at: float


_health: ReplicaHealth | None = None
_health_lock = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_health(*, fresh: bool = False) -> ReplicaHealth:
    """Whether analytics reads may go to the replica now (kept for a few seconds)."""
    global _health
    now = time.monotonic()
    health = _health
    if not fresh and health and now - health.checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return health
    with _health_lock:
        health = _replica_check(now)
        if _health is None or _health.usable != health.usable:
            log = logger.info if health.usable else logger.warning
            log("Read replica %s: %s", "in use" if health.usable else "not used", health.reason)
        _health = health
    return health


def replica_health_forget() -> None:
    """Check again on the next analytics read (tests, and after a failover)."""
    global _health
    _health = None


# Caught up when everything received has been replayed: an idle primary sends no transactions,
# so the last replayed one may be old without the replica being behind.
_LAG_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_receive_lsn() IS NOT NULL
           AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


def _replica_check(now: float) -> ReplicaHealth:
    if not replica_configured():
        return ReplicaHealth(False, "not configured", now)
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_LAG_SQL)
            in_recovery, caught_up, lag = cursor.fetchone()
    except DatabaseError as error:
        connection.close()  # a broken connection is not reused by the next check
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return ReplicaHealth(False, f"unreachable: {type(error).__name__} {first_line}", now)
    if not in_recovery or caught_up:
        return ReplicaHealth(True, "ok", now)  # promoted, or nothing left to replay
    if lag is None or lag > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
        behind = "nothing replayed yet" if lag is None else f"{lag:.1f} s"
        return ReplicaHealth(False, f"lagging ({behind})", now)
    return ReplicaHealth(True, "ok", now)


class AnalyticsReplicaRouter:
    """DATABASE_ROUTERS entry: see the module's docstring."""

    def db_for_read(self, model, **hints) -> str | None:
        # "default" rather than None: Django would otherwise follow the database a related
        # instance was read from, and read from the replica outside `analytics_reads()`.
        if not _analytics.get() or model._meta.app_label in _PRIMARY_ONLY_APPS:
            return "default"
        if not replica_configured() or connections["default"].in_atomic_block:
            return "default"
        return REPLICA if replica_health().usable else "default"

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database and its copy

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"  # the replica follows the primary's schema by replication
