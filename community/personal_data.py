"""community's section of a person's personal data (accounts.personal_data's registry):
gardens joined, discussions, harvest reads, notifications and their preferences, milestones and
activity events — for the download; and what the erasure forgets.

Registered from CommunityConfig.ready. The erasure removes what only serves the person
(garden memberships, notifications, preferences, visits, mentions, the alert digest's mark,
stewardships) and keeps what is part of shared things or of the account's engagement: their
threads, posts, reactions and flags, harvest reads, milestones and activity events, now shown
as a former member's.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.personal_data import json_value, personal_data_section_register, rows
from community.models import (
    ActivityEvent,
    AlertDigestMark,
    GardenMembership,
    HarvestRead,
    Milestone,
    Notification,
    NotificationDigest,
    NotificationPreference,
    Post,
    PostFlag,
    PostMention,
    Reaction,
    Thread,
    ThreadVisit,
)
from community.selectors.notifications import notifications_for


def _discussions_export(user: User) -> dict[str, Any]:
    """The person's threads, posts, reactions and flags."""
    return {
        "discussion_threads": rows(
            Thread.objects.filter(author=user).order_by("created_at", "pk"),
            "id",
            "garden__slug",
            "title",
            "created_at",
        ),
        "discussion_posts": rows(
            Post.objects.filter(author=user).order_by("created_at", "pk"),
            "id",
            "thread_id",
            "thread__title",
            "body",
            "created_at",
            "edited_at",
            "hidden_at",
        ),
        "discussion_reactions": rows(
            Reaction.objects.filter(user=user).order_by("created_at", "pk"),
            "post_id",
            "kind",
            "created_at",
        ),
        "discussion_flags": rows(
            PostFlag.objects.filter(user=user).order_by("created_at", "pk"),
            "post_id",
            "reason",
            "created_at",
            "handled_at",
        ),
    }


def _notifications_export(user: User) -> list[dict[str, Any]]:
    """The person's notifications as they read them: who acted is named for them."""
    return [
        {
            "kind": n.kind,
            "title": n.shown_title,
            "body": n.shown_body,
            "url": n.url,
            "created_at": json_value(n.created_at),
            "read_at": json_value(n.read_at),
            "emailed_at": json_value(n.emailed_at),
        }
        for n in notifications_for(user=user).order_by("created_at", "pk")
    ]


def _export(user: User) -> dict[str, Any]:
    return {
        "garden_memberships": rows(
            GardenMembership.objects.filter(user=user).order_by("joined_at", "pk"),
            "garden__name",
            "garden__slug",
            "joined_at",
        ),
        **_discussions_export(user),
        "harvest_reads": rows(
            HarvestRead.objects.filter(user=user).order_by("read_at", "pk"),
            "harvest__slug",
            "harvest__title",
            "read_at",
        ),
        "notifications": _notifications_export(user),
        "notification_preferences": rows(
            NotificationPreference.objects.filter(user=user).order_by("kind"),
            "kind",
            "delivery",
        ),
        # Whether the person gets alerts in a daily digest is their notification preference
        # for "engagement_alert" above; this is only how far their digest has got.
        "alert_digest": rows(AlertDigestMark.objects.filter(user=user), "last_digest_at"),
        "milestones": rows(
            Milestone.objects.filter(user=user).order_by("awarded_at", "pk"),
            "kind",
            "awarded_at",
        ),
        "activity_events": rows(
            ActivityEvent.objects.filter(user=user).order_by("occurred_at", "pk"),
            "kind",
            "object_type",
            "object_id",
            "occurred_at",
            "is_support",
        ),
    }


def _erase(user: User) -> dict[str, int]:
    counts = {}
    for label, queryset in [
        ("garden_memberships", GardenMembership.objects.filter(user=user)),
        ("notifications", Notification.objects.filter(user=user)),
        ("notification_digests", NotificationDigest.objects.filter(user=user)),
        ("notification_preferences", NotificationPreference.objects.filter(user=user)),
        ("alert_digest_marks", AlertDigestMark.objects.filter(user=user)),
        ("thread_visits", ThreadVisit.objects.filter(user=user)),
        ("post_mentions", PostMention.objects.filter(user=user)),
    ]:
        counts[label], _ = queryset.delete()
    # An internal person no longer looks after gardens (a garden page lists its stewards), one
    # garden at a time, so that the audit trail records each garden's change of stewards.
    gardens = list(user.stewarded_gardens.all())
    for garden in gardens:
        garden.stewards.remove(user)
    counts["gardens_stewarded"] = len(gardens)
    return counts


def register() -> None:
    personal_data_section_register(name="community", exporter=_export, eraser=_erase)
