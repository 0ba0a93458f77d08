"""Reads behind the webhook events that are found rather than done (a level change is what a
recompute found, not what someone did)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import F, OuterRef, QuerySet, Subquery

from community.models import EngagementSnapshot


def level_changes_on(*, account_ids: Sequence[int], day: dt.date) -> QuerySet[EngagementSnapshot]:
    """The snapshots of `day` whose level differs from the account's snapshot before it (the
    latest earlier one), each with `previous_level` and its account loaded. An account's first
    snapshot is no change. One query."""
    previous = (
        EngagementSnapshot.objects.filter(account_id=OuterRef("account_id"), day__lt=day)
        .order_by("-day")
        .values("level")[:1]
    )
    return (
        EngagementSnapshot.objects.filter(account_id__in=list(account_ids), day=day)
        .annotate(previous_level=Subquery(previous))
        .filter(previous_level__isnull=False)
        .exclude(previous_level=F("level"))
        .select_related("account")
        .order_by("account_id")
    )
