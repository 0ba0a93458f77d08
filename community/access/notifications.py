"""A person sees only their own notifications."""

from __future__ import annotations

from django.http import Http404

from accounts.models import User
from community.models import (
    Notification,
)


def access_notification(user: User, notification_id: int) -> Notification:
    """A person's own notification; anyone else's does not exist for them."""
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification
