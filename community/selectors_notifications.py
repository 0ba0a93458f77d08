"""Reads of notifications: a person's own list, filtered."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from community.models import Notification


def notification_list(
    *, user: User, kind: str = "", unread: bool | None = None
) -> QuerySet[Notification]:
    """The person's own notifications, newest first; of one kind, and only unread (True) or
    only read (False) ones when asked."""
    notifications = Notification.objects.filter(user=user)
    if kind:
        notifications = notifications.filter(kind=kind)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications.order_by("-created_at", "-pk")
