"""Every kind of notification, with the label a person chooses by and how it is delivered by
default. `community.services.notify(kind=...)` takes one of these keys; a person's
NotificationPreference for a kind overrides its default delivery.

Adding a kind: one `_kind(...)` line below (keep the key stable: stored rows and preferences
name it). A kind not listed here still works (it is delivered immediately), but people cannot
choose how it reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Delivery(models.TextChoices):
    """How the email of a kind reaches a person (the in-app notification comes in every case)."""

    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Off (in the app only)"


DIGESTS = frozenset({Delivery.DAILY, Delivery.WEEKLY})


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    group: str
    default: str = Delivery.IMMEDIATELY
    description: str = ""
    # The deliveries a person may choose (a kind with a digest of its own offers only that one).
    deliveries: tuple[str, ...] = tuple(Delivery.values)
    # True: its digest is not the general one (engagement alerts: community.alerts).
    own_digest: bool = False
    # True: only internal users get it (customers do not see it on their settings page).
    internal_only: bool = False


KINDS: dict[str, NotificationKind] = {}


def _kind(key: str, label: str, group: str, default: str = Delivery.IMMEDIATELY, **kw) -> None:
    KINDS[key] = NotificationKind(key=key, label=label, group=group, default=default, **kw)


# --- Ideas (ideas/services/ideas.py NotifyKind) ---------------------------------------------
_kind("idea_status", "An idea you follow changes status", "Ideas")
_kind("idea_comment", "A comment on an idea you follow", "Ideas")
_kind("idea_merged", "An idea you follow is merged into another", "Ideas")
# --- Pilots (ideas/services/pilots.py NotifyKind, ideas/services/reminders.py) -------------
_kind("pilot_invitation", "Your account is invited to a pilot", "Pilots")
_kind("pilot_agreement", "A pilot agreement awaits your acceptance", "Pilots")
_kind("pilot_closed", "A pilot you take part in closes", "Pilots")
_kind("pilot_decision", "The decision on a pilot", "Pilots")
_kind("feedback_reminder", "Reminders to answer a pilot check-in", "Pilots")
# --- Account teams (community/alerts.py) ------------------------------------------------------
_kind(
    "engagement_alert",
    "Engagement alerts on your accounts",
    "Account teams",
    description="The daily digest lists every alert raised on your accounts that day.",
    deliveries=(Delivery.IMMEDIATELY, Delivery.DAILY, Delivery.OFF),
    own_digest=True,
    internal_only=True,
)
# --- Gardens (issue 5) ------------------------------------------------------------------------
_kind("garden_invitation", "Your account is invited to a garden", "Gardens")
_kind("mention", "Someone mentions you in a discussion", "Gardens")
_kind("reply", "A reply in a discussion you take part in", "Gardens", Delivery.DAILY)
_kind("post_flagged", "A post in a garden you steward is flagged", "Gardens", internal_only=True)
_kind("harvest_published", "A new harvest for you", "Gardens", Delivery.WEEKLY)
_kind("badge_awarded", "You earn a badge", "Gardens")


def kind_label(key: str) -> str:
    known = KINDS.get(key)
    return known.label if known else key.replace("_", " ").capitalize()


def kind_default(key: str) -> str:
    known = KINDS.get(key)
    return known.default if known else Delivery.IMMEDIATELY


def kind_deliveries(key: str) -> tuple[str, ...]:
    known = KINDS.get(key)
    return known.deliveries if known else tuple(Delivery.values)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in KINDS.values()]


def kinds_with_own_digest() -> list[str]:
    return [k.key for k in KINDS.values() if k.own_digest]
