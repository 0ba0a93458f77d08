"""The API's lists of an account's engagement (community.api.engagement): its snapshot history
and its offline events, read with their SQL kept per process (config.sql_once)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from accounts.models import Account
from community.models import EngagementSnapshot, OfflineEvent
from community.selectors.engagement import offline_events_of
from config.sql_once import KeptRows, SqlOnce

# What the API shows of an offline event (community.api.engagement.OfflineEventSerializer).
_OFFLINE_SHOWN = (
    *("id", "kind", "occurred_on", "note", "created_at", "account__slug"),
    *("event__occurred_at", "event__is_support", "recorded_by__email"),
)
_OFFLINE_EVENTS = SqlOnce(
    OfflineEvent,
    lambda account_id: offline_events_of(account=Account(pk=account_id)).only(*_OFFLINE_SHOWN),
    account_id=int,
)


def offline_event_rows(*, account_id: int) -> KeptRows:
    """offline_events_of the account, a page at a time (its SQL kept: config.sql_once)."""
    return _OFFLINE_EVENTS.rows(account_id=account_id)


class SnapshotNumbers(NamedTuple):
    """What a day's snapshot says, as the history lists it."""

    day: date
    score: Decimal
    level: str
    activity: float
    breadth: float
    co_creation: float
    model_version: int


_SNAPSHOTS_SINCE = SqlOnce(
    EngagementSnapshot,
    lambda account_id, since: (
        EngagementSnapshot.objects.filter(account_id=account_id, day__gte=since)
        .order_by("day")
        .values_list(*SnapshotNumbers._fields)
    ),
    account_id=int,
    since=date,
)


def snapshot_history(
    *, account: Account, days: int, today: date | None = None
) -> list[SnapshotNumbers]:
    """The numbers of the account's daily snapshots over the last `days` days, oldest first
    (one query, its SQL kept)."""
    today = today or timezone.localdate()
    since = today - timedelta(days=days)
    return [
        SnapshotNumbers(*row) for row in _SNAPSHOTS_SINCE.all(account_id=account.pk, since=since)
    ]
