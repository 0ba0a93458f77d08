"""Writes of notifications: `notify_many` (the one way to tell people something, in the app and
by email as each person chose for the kind; `notify` for one message), each person's delivery
preference per kind (the one store of that choice), marking read, and the signed unsubscribe
links every email carries.

Emails are not sent here: `notify_many` queues the email task by name after commit, and
`community.services.notification_emails` sends single emails and digests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import User
from accounts.outbox import enqueue_each
from community.models import Garden, Notification, NotificationPreference
from community.models.notifications import (
    DIGESTS,
    KINDS,
    Delivery,
    kind_default,
    kind_deliveries,
)
from community.selectors.notifications import notification_deliveries

_emails_suppressed: ContextVar[bool] = ContextVar("notification_emails_suppressed", default=False)


@contextmanager
def notification_emails_suppressed() -> Iterator[None]:
    """Notifications made inside are kept in the app but never emailed (demo history)."""
    token = _emails_suppressed.set(True)
    try:
        yield
    finally:
        _emails_suppressed.reset(token)


def notification_emails_are_suppressed() -> bool:
    """Inside `notification_emails_suppressed` (a fan-out made there keeps it for its task)."""
    return _emails_suppressed.get()


# The emails of one transaction's notifications go in tasks of at most this many: one comment's
# followers in one task, a fan-out's chunk spread over several email workers.
EMAILS_PER_TASK = 50


def _emails_after_commit(*, notifications: Iterable[Notification]) -> None:
    """Queue the notifications to be emailed now, once the transaction commits: one task per
    EMAILS_PER_TASK of them (community.tasks.notification_emails_task), not one per person, so
    that the request publishes one message for a comment's followers. Digest deliveries wait
    for the digest jobs; "off" and "" (no email wanted, or emails suppressed) get none. One
    outbox INSERT for them all."""
    ids = [n.pk for n in notifications if n.email_delivery == Delivery.IMMEDIATELY]
    enqueue_each(
        "community.tasks.notification_emails_task",
        [[ids[start : start + EMAILS_PER_TASK]] for start in range(0, len(ids), EMAILS_PER_TASK)],
    )


@dataclass(frozen=True)
class NotificationMessage:
    """One thing to tell some people: `notify_many` makes one notification per person.
    `exclude` (usually the person who acted) is not told.

    `actor` is who acted, kept on each notification (with the account they acted for, from
    their membership, and the `garden` it happened in). A message that names them says so with
    `names_actor`: its title and body are then made by `actor_text`, with the `{actor}` slot
    that each reader's page, email and download fill with the name accounts/people.py gives
    that reader. A name is never written into the stored text."""

    users: Iterable[User | None]
    kind: str
    title: str
    body: str = ""
    url: str = ""
    exclude: User | None = None
    actor: User | None = None
    garden: Garden | None = None
    names_actor: bool = False


def notify_many(
    *, messages: Iterable[NotificationMessage], email: bool = True
) -> list[Notification]:
    """Tell people things in the app and by email, the way each person wants each message's
    `kind` (community.models.notifications' registry; their NotificationPreference):
    immediately (an email task after commit), in the daily or weekly digest (the digest jobs),
    or off (in the app only). Inactive users and each message's `exclude` are skipped; each
    person is told a message once. One query reads the preferences of every person and kind,
    one insert makes every notification; `email=False` (or suppressed emails) reads none and
    queues nothing."""
    return notifications_store(
        rows=[row for message in messages for row in _rows(message)], email=email
    )


def notifications_store(*, rows: list[Notification], email: bool = True) -> list[Notification]:
    """Insert unsaved notifications (one insert), each with the email delivery its person chose
    for its kind (one query), and queue the immediate emails after commit: `notify_many`'s
    last step, and each chunk of a fan-out's (community.services.notification_fanouts)."""
    if not rows:
        return []
    if email and not _emails_suppressed.get():
        deliveries = notification_deliveries(pairs={(row.user_id, row.kind) for row in rows})
        for row in rows:
            row.email_delivery = deliveries[row.user_id, row.kind]
    created = Notification.objects.bulk_create(rows)
    if email:  # PostgreSQL and SQLite return the new ids from bulk_create
        _emails_after_commit(notifications=created)
    return created


def _rows(message: NotificationMessage) -> Iterator[Notification]:
    """The message's unsaved notifications: one per active person, `exclude` left out."""
    if message.names_actor and message.actor is None:
        raise ValueError("A message that names who acted needs the actor.")
    seen: set[int] = set()
    excluded = message.exclude.pk if message.exclude is not None else None
    actor_membership = customer_membership(message.actor) if message.actor is not None else None
    for user in message.users:
        if user is None or not user.is_active or user.pk in seen or user.pk == excluded:
            continue
        seen.add(user.pk)
        yield Notification(
            user=user,
            kind=message.kind,
            title=message.title[:200],
            body=message.body,
            url=message.url,
            actor=message.actor,
            actor_account_id=actor_membership.account_id if actor_membership else None,
            garden=message.garden,
            names_actor=message.names_actor,
        )


def notify(
    *,
    users: Iterable[User | None],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    exclude: User | None = None,
    actor: User | None = None,
    garden: Garden | None = None,
    names_actor: bool = False,
) -> list[Notification]:
    """Tell people one thing: `notify_many` with one message."""
    message = NotificationMessage(
        users=users,
        kind=kind,
        title=title,
        body=body,
        url=url,
        exclude=exclude,
        actor=actor,
        garden=garden,
        names_actor=names_actor,
    )
    return notify_many(messages=[message], email=email)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or those in `ids`) as read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


UNSUBSCRIBE_SALT = "community.notifications.unsubscribe"


# --- Preferences ---------------------------------------------------------------------------------


def _validate(kind: str, delivery: str) -> None:
    if kind not in KINDS:
        raise ValidationError({"kind": f"There is no kind of notification called “{kind}”."})
    if delivery not in kind_deliveries(kind):
        choices = ", ".join(kind_deliveries(kind))
        raise ValidationError({"delivery": f"Choose one of: {choices}."})


@transaction.atomic
def notification_preferences_set(*, user: User, preferences: Mapping[str, str]) -> int:
    """Set the person's delivery for each kind given (kind -> delivery); all or nothing.
    Returns the number of kinds whose delivery changed. A row is written only when it is new
    or its delivery changes, so its `updated_at` says when the person chose it."""
    for kind, delivery in preferences.items():
        _validate(kind, delivery)
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    changed = 0
    for kind, delivery in preferences.items():
        if stored.get(kind) != delivery:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"delivery": delivery}
            )
        changed += stored.get(kind, kind_default(kind)) != delivery
    return changed


def notification_preference_set(*, user: User, kind: str, delivery: str) -> NotificationPreference:
    notification_preferences_set(user=user, preferences={kind: delivery})
    return NotificationPreference.objects.get(user=user, kind=kind)


# --- Unsubscribe links -----------------------------------------------------------------------


def unsubscribe_token(*, user: User, kinds: Iterable[str]) -> str:
    """A signed token naming the person and the kinds a link turns off (no expiry: an old
    email's link keeps working; it can only ever turn emails off)."""
    return signing.dumps({"u": user.pk, "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user: User, kinds: Iterable[str]) -> str:
    token = unsubscribe_token(user=user, kinds=kinds)
    return settings.SITE_URL + reverse("community:notification-unsubscribe", args=[token])


def unsubscribe_read(token: str) -> tuple[User, list[str]] | None:
    """The active person and known kinds a token names, or None when the token is not one we
    signed (tampered), names nobody active, or no kind we know."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kinds = int(data["u"]), [str(k) for k in data["k"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    kinds = [kind for kind in kinds if kind in KINDS]
    if user is None or not kinds:
        return None
    return user, kinds


def notifications_unsubscribe(*, user: User, kinds: Iterable[str]) -> int:
    """Turn the emails of these kinds off (the in-app notifications still come)."""
    return notification_preferences_set(user=user, preferences=dict.fromkeys(kinds, Delivery.OFF))


def delivery_is_digest(delivery: str) -> bool:
    return delivery in DIGESTS
