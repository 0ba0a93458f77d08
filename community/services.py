"""Writes of the community app."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Account, User
from community.models import ActivityEvent, ActivityKind, Garden, Notification


@transaction.atomic
def garden_create(
    *,
    name: str,
    theme: str,
    description: str = "",
    visibility: str = "open",
    custom_theme: str = "",
    slug: str | None = None,
) -> Garden:
    garden = Garden(
        name=name,
        slug=slug or slugify(name),
        theme=theme,
        description=description,
        visibility=visibility,
        custom_theme=custom_theme,
    )
    garden.full_clean()
    garden.save()
    return garden


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
        notification_email_task.delay_on_commit(notification.pk)


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
    """Tell people something in the app and, after commit, by email. Inactive users and
    `exclude` (usually the person who acted) are skipped; each person is told once."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, title=title[:200], body=body, url=url))
    created = Notification.objects.bulk_create(rows)
    if email:  # PostgreSQL and SQLite return the new ids from bulk_create
        notifications_email_after_commit(notifications=created)
    return created


@transaction.atomic
def notification_email(*, notification_id: int) -> bool:
    """Email one notification once (the row is locked and marked in the same transaction)."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.emailed_at or not notification.user.is_active:
        return False
    context = {"notification": notification, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=render_to_string("community/email/notification.txt", context),
        to=[notification.user.email],
    )
    message.attach_alternative(
        render_to_string("community/email/notification.html", context), "text/html"
    )
    message.send()
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or those in `ids`) as read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
