"""Writes of the community app."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Membership, User
from accounts.outbox import enqueue
from community.models import ActivityEvent, ActivityKind, Notification
from community.notification_kinds import Delivery
from community.notifications import notification_deliveries, notification_email_send


@transaction.atomic
def activity_events_bulk_record(*, events: list[ActivityEvent], batch_size: int = 5000) -> int:
    """Store many already-built events at once (imports and demo history)."""
    ActivityEvent.objects.bulk_create(events, batch_size=batch_size)
    return len(events)


def activity_record(
    *,
    account: Account | None,
    user: User | None,
    kind: ActivityKind,
    obj=None,
    occurred_at=None,
    is_support: bool = False,
    pilot_ref: int | None = None,
) -> ActivityEvent | None:
    """Record one meaningful action for the engagement engine.

    Actions of people without an account context (an internal user proposing an idea) record
    nothing; internal users acting *for* an account pass `is_support=True`. Pilot events pass
    the pilot's id as `pilot_ref` (co-creation counts pilots from these).
    """
    if account is None:
        return None
    return ActivityEvent.objects.create(
        account=account,
        user=user,
        kind=kind,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        occurred_at=occurred_at or timezone.now(),
        is_support=is_support,
        pilot_ref=pilot_ref,
    )


@transaction.atomic
def visit_record(*, user: User, account: Account) -> ActivityEvent | None:
    """The customer's visit of today (site time zone), unless one is recorded already: at most
    one per person and day. The person's membership row is locked first, so that two requests
    of the same person at the same moment record one visit, not two. Returns None when nothing
    was recorded (a visit of today exists, or `user` is not a member of `account`)."""
    locked = (
        Membership.objects.select_for_update()
        .filter(user=user, account=account)
        .order_by()  # not the default ordering's join: lock the membership row alone
        .values_list("pk", flat=True)
        .first()
    )
    if locked is None:
        return None
    now = timezone.now()
    day_start = timezone.localtime(now, timezone.get_default_timezone()).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    visited = ActivityEvent.objects.filter(
        account=account, user=user, kind=ActivityKind.VISIT, occurred_at__gte=day_start
    ).exists()
    if visited:
        return None
    return activity_record(account=account, user=user, kind=ActivityKind.VISIT, occurred_at=now)


_emails_suppressed: ContextVar[bool] = ContextVar("notification_emails_suppressed", default=False)


@contextmanager
def notification_emails_suppressed() -> Iterator[None]:
    """Notifications made inside are kept in the app but never emailed (demo history)."""
    token = _emails_suppressed.set(True)
    try:
        yield
    finally:
        _emails_suppressed.reset(token)


def notifications_email_after_commit(*, notifications: Iterable[Notification]) -> None:
    """Queue one email task per notification, once the transaction commits."""
    from community.tasks import notification_email_task

    if _emails_suppressed.get():
        return
    for notification in notifications:
        # notify() decided the delivery already; rows made elsewhere ("") are decided by the
        # task, from the person's preference. Digest kinds wait for the digest jobs.
        if notification.email_delivery in ("", Delivery.IMMEDIATELY):
            enqueue(notification_email_task, notification.pk)


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    exclude: User | None = None,
) -> list[Notification]:
    """Tell people something in the app and by email, the way each person wants this `kind`
    (community.notification_kinds; their NotificationPreference): immediately (an email task
    after commit), in the daily or weekly digest (the digest jobs), or off (in the app only).
    Inactive users and `exclude` (usually the person who acted) are skipped; each person is
    told once."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, title=title[:200], body=body, url=url))
    if rows and email and not _emails_suppressed.get():
        deliveries = notification_deliveries(user_ids=seen, kind=kind)  # one query
        for row in rows:
            row.email_delivery = deliveries[row.user.pk]
    created = Notification.objects.bulk_create(rows)
    if email:  # PostgreSQL and SQLite return the new ids from bulk_create
        notifications_email_after_commit(notifications=created)
    return created


def notification_email(*, notification_id: int) -> bool:
    """Email one notification once (community.notifications.notification_email_send)."""
    return notification_email_send(notification_id=notification_id)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or those in `ids`) as read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
