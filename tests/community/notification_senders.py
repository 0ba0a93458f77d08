"""A sender busy elsewhere, for the tests of who may send a notification email or a digest."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections
from django.utils import timezone

from community.models import Notification, NotificationDigest
from community.services.notification_emails import _DIGEST_LOCKS, _NOTIFICATION_LOCKS, _lock_key


@contextmanager
def another_sender_busy_with(row: Notification | NotificationDigest) -> Iterator[None]:
    """Another live sender is emailing `row`: it claimed the row just now and, on PostgreSQL,
    its own database session holds the row's sending lock (released when this block ends)."""
    if isinstance(row, Notification):
        field, lock_class = "email_claimed_at", _NOTIFICATION_LOCKS
    else:
        field, lock_class = "claimed_at", _DIGEST_LOCKS
    type(row).objects.filter(pk=row.pk).update(**{field: timezone.now()})
    if connection.vendor != "postgresql":  # SQLite: the fresh claim is all there is
        yield
        return
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            key = _lock_key(lock_class, row.pk)
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
        yield
    finally:
        holder.close()  # ends the sender's session, and its lock with it
