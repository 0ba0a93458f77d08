"""Who was at risk when, at which level, for loyalty over time (community.selectors.loyalty,
whose docstring states the rules): each account's level changes and outcomes, read in two
queries whatever the number of accounts, turned into its stretches of days at one level."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from community.models import EngagementSnapshot, LoyaltyOutcome, OutcomeKind
from community.models.engagement import LEVEL_CHANGE

OUTCOMES = (OutcomeKind.CHURNED, OutcomeKind.EXPANDED)


@dataclass(frozen=True)
class Stretch:
    """An account's days at one level: at risk on (start, stop], days of observation."""

    account_id: int
    level: str
    start: int
    stop: int
    event: bool


def level_changes(
    *, account_ids: QuerySet, period_to: dt.date
) -> dict[int, list[tuple[dt.date, str]]]:
    """Each account's (day, level) of the days its level changed up to `period_to` (its first
    snapshot is one), in order; accounts without a snapshot are left out."""
    changes: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    rows = (
        EngagementSnapshot.objects.filter(LEVEL_CHANGE, account__in=account_ids, day__lte=period_to)
        .order_by("account_id", "day")
        .values_list("account_id", "day", "level")
    )
    for account_id, day, level in rows:
        changes[account_id].append((day, level))
    return changes


def outcome_days(
    *, account_ids: QuerySet, period_to: dt.date
) -> defaultdict[int, defaultdict[str, list[dt.date]]]:
    """Each account's churn and expansion days up to `period_to`, in order, by kind."""
    days: defaultdict[int, defaultdict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        LoyaltyOutcome.objects.filter(
            account__in=account_ids, kind__in=OUTCOMES, occurred_on__lte=period_to
        )
        .order_by("occurred_on")
        .values_list("account_id", "kind", "occurred_on")
        .distinct()
    )
    for account_id, kind, day in rows:
        days[account_id][kind].append(day)
    return days


def account_stretches(
    *,
    account_id: int,
    changes: list[tuple[dt.date, str]],
    event_days: list[dt.date],
    churn_days: list[dt.date],
    period_from: dt.date,
    period_to: dt.date,
) -> list[Stretch]:
    """One account's stretches at each level while observed (module docstring), for the
    outcome whose days are `event_days` (the churn days censor; for churn they are the same).
    `changes` are its (day, level) changes in order; nothing when it is not observed."""
    if not changes:
        return []
    entry = max(period_from, changes[0][0])
    if entry > period_to or any(day < entry for day in churn_days):
        return []  # not computed yet in the period, or had left before it
    event = next((day for day in event_days if day >= entry), None)
    churn = next((day for day in churn_days if day >= entry), None)
    last = min(day for day in (event, churn, period_to) if day is not None)
    happened = event is not None and event == last
    starts = [(entry, level) for day, level in changes if day <= entry][-1:]
    starts += [(day, level) for day, level in changes if entry < day <= last]
    stretches: list[Stretch] = []
    for i, (day, level) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else last + dt.timedelta(days=1)
        if stretches and stretches[-1].level == level:  # an unchanged level (old snapshots)
            stretches[-1] = Stretch(
                account_id, level, stretches[-1].start, (end - entry).days, False
            )
            continue
        stretches.append(Stretch(account_id, level, (day - entry).days, (end - entry).days, False))
    final = stretches[-1]
    stretches[-1] = Stretch(account_id, final.level, final.start, final.stop, happened)
    return stretches
