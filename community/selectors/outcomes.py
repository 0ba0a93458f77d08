"""Reads of loyalty outcomes and import batches, ready for their screens."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.models import Account
from community.models import ImportBatch, LoyaltyOutcome


def outcome_list(
    *,
    accounts: QuerySet[Account],
    account: Account | None = None,
    kind: str = "",
    occurred_from: dt.date | None = None,
    occurred_to: dt.date | None = None,
) -> QuerySet[LoyaltyOutcome]:
    """Outcomes of the given accounts, newest first, with account and recorder joined."""
    outcomes = LoyaltyOutcome.objects.filter(account__in=accounts).select_related(
        "account", "recorded_by__membership"
    )
    if account is not None:
        outcomes = outcomes.filter(account=account)
    if kind:
        outcomes = outcomes.filter(kind=kind)
    if occurred_from:
        outcomes = outcomes.filter(occurred_on__gte=occurred_from)
    if occurred_to:
        outcomes = outcomes.filter(occurred_on__lte=occurred_to)
    return outcomes.order_by("-occurred_on", "-pk")


def import_batches_recent(*, limit: int = 10) -> QuerySet[ImportBatch]:
    """The latest uploads for the imports page, without their problems (not shown there)."""
    return (
        ImportBatch.objects.select_related("uploaded_by")
        .defer("errors")
        .order_by("-created_at", "-pk")[:limit]
    )
