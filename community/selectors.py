"""Reads of the community app."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import Account, User
from community.models import EngagementSnapshot, Notification


def account_levels(*, account_ids: Iterable[int]) -> dict[int, str]:
    """Each account's latest engagement level, in one query. Accounts the engine has not
    computed yet are missing from the result (callers treat them as not yet known)."""
    latest = EngagementSnapshot.objects.filter(account=OuterRef("pk")).order_by("-day")
    rows = (
        Account.objects.filter(pk__in=list(account_ids))
        .annotate(level=Subquery(latest.values("level")[:1]))
        .values_list("pk", "level")
    )
    return {pk: level for pk, level in rows if level}


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
