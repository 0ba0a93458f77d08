"""Reads of notifications: a person's own list (filtered), their unread count, and their
delivery choice per kind (for the settings page, and for every email)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.access import is_internal
from accounts.models import User
from community.models import (
    Notification,
    NotificationPreference,
)
from community.models.notifications import (
    KINDS,
    Delivery,
    kind_default,
)
from config.sql_once import KeptRows, SqlOnce

# What a notification's `shown_title` and `shown_body` read: its reader (and their membership),
# who acted, the account they acted for and the garden it happened in.
NAMING_RELATED = ("user__membership", "actor", "actor_account", "garden")


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: str
    group: str
    description: str
    delivery: str
    default: str
    deliveries: tuple[str, ...]

    @property
    def is_default(self) -> bool:
        return self.delivery == self.default

    @property
    def delivery_choices(self) -> list[tuple[str, str]]:
        return [(value, Delivery(value).label) for value in self.deliveries]


# The person's chosen deliveries (kind, delivery), its SQL kept (config.sql_once).
_CHOSEN = SqlOnce(
    NotificationPreference,
    lambda user_id: NotificationPreference.objects.filter(user_id=user_id).values_list(
        "kind", "delivery"
    ),
    user_id=int,
)


def notification_preferences_for(*, user: User) -> list[PreferenceRow]:
    """Every registered kind the person may get, with their delivery for it (one query, and
    the person's membership, cached on the user: customers do not get internal kinds)."""
    internal = is_internal(user)
    chosen = dict(_CHOSEN.all(user_id=user.pk))
    return [
        PreferenceRow(
            kind=kind.key,
            label=kind.label,
            group=kind.group,
            description=kind.description,
            delivery=chosen.get(kind.key, kind.default),
            default=kind.default,
            deliveries=kind.deliveries,
        )
        for kind in KINDS.values()
        if internal or not kind.internal_only
    ]


def notification_deliveries(*, pairs: Collection[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """How the email of each (person id, kind) goes: the person's preference for the kind, or
    the kind's default. One query, whatever the number of people and kinds."""
    chosen = {}
    if pairs:
        preferences = NotificationPreference.objects.filter(
            user_id__in={user_id for user_id, _ in pairs}, kind__in={kind for _, kind in pairs}
        )
        chosen = {(u, k): d for u, k, d in preferences.values_list("user_id", "kind", "delivery")}
    return {pair: chosen.get(pair, kind_default(pair[1])) for pair in pairs}


def notification_delivery(*, user: User, kind: str) -> str:
    """How the email of `kind` goes to this person: `notification_deliveries` for one pair,
    read from the person's choices (one kept query, planned once per connection: the email
    task asks it for every notification it sends)."""
    return dict(_CHOSEN.all(user_id=user.pk)).get(kind, kind_default(kind))


def notification_list(
    *, user: User, kind: str = "", unread: bool | None = None
) -> QuerySet[Notification]:
    """The person's own notifications, newest first; of one kind, and only unread (True) or
    only read (False) ones when asked; loaded to be named for their reader (`shown_title`,
    `shown_body`) with no query per row."""
    return user_notifications(user_id=user.pk, kind=kind, unread=unread)


def user_notifications(
    *, user_id: int, kind: str = "", unread: bool | None = None
) -> QuerySet[Notification]:
    """notification_list by the person's id (for reads that keep their SQL: config.sql_once)."""
    notifications = Notification.objects.filter(user_id=user_id).select_related(*NAMING_RELATED)
    if kind:
        notifications = notifications.filter(kind=kind)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications.order_by("-created_at", "-pk")


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return _notifications_of(user.pk)


def _notifications_of(user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id).select_related(*NAMING_RELATED)


_NOTIFICATIONS = SqlOnce(Notification, _notifications_of, user_id=int)


def notification_rows(*, user_id: int) -> KeptRows:
    """notifications_for the person, in their model's order (newest first), a page at a time
    (its SQL kept: config.sql_once)."""
    return _NOTIFICATIONS.rows(user_id=user_id)


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
