"""Builders for the engagement engine's tests (tests/community/test_engagement_*.py)."""

from __future__ import annotations

import datetime as dt

from community.models import ActivityEvent
from community.selectors.engagement_figures import day_end

D = dt.date(2026, 6, 30)  # the day engagement tests compute "as of"


def engagement_event(account, user, kind, *, days_ago: float, day: dt.date = D, **fields):
    """A customer event `days_ago` days before the end of `day` (recorded at that moment)."""
    moment = day_end(day) - dt.timedelta(days=days_ago)
    return ActivityEvent.objects.create(
        account=account, user=user, kind=kind, occurred_at=moment, created_at=moment, **fields
    )
