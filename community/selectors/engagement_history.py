"""The engagement of a range of days for a few accounts, in one pass: what a history repair
writes when events arrive late (an offline event dated weeks back, an import, a person who
counted in the past leaving).

The figures are those of `community.selectors.engagement_figures` (docs/product.md, "The
formula"), gathered differently: instead of one aggregate query per day, the accounts' events
are read once and the days are walked oldest first, carrying each window's sums from one day
to the next, so repairing 90 days costs about as much as reading the events once. The formula
(`components_for`) and the level's hysteresis (`level_next`) are the same functions the daily
run uses; the hysteresis chain starts from the stored snapshot before the first repaired day.

Each day is computed with the model version that was active that day (`models_by_day`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Membership
from community.models import ActivityEvent, ActivityKind, EngagementModel, EngagementSnapshot
from community.selectors.engagement_figures import (
    AccountFigures,
    LevelRule,
    day_end,
    snapshot_for,
)


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def model_on(day: dt.date) -> EngagementModel:
    """The version that computes `day` (see `models_by_day`)."""
    return models_by_day(day, day)[day]


def models_by_day(first: dt.date, last: dt.date) -> dict[dt.date, EngagementModel]:
    """The version that computes each day: the last one activated on or before it (version 1,
    or the lowest activated, for days before any activation)."""
    EngagementModel.objects.active()  # there is one
    versions = list(
        EngagementModel.objects.filter(activated_at__isnull=False).order_by("activated_at", "pk")
    )
    starts = [timezone.localdate(v.activated_at) for v in versions]
    first_version = min(versions, key=lambda v: v.version)
    chosen = {}
    for day in days_between(first, last):
        position = bisect.bisect_right(starts, day) - 1
        chosen[day] = versions[position] if position >= 0 else first_version
    return chosen


@dataclass(frozen=True)
class _Event:
    day: dt.date
    at: dt.datetime
    user_id: int | None
    kind: str
    pilot_ref: int | None


@dataclass
class _Account:
    """What the walk needs of one account: its events by day, its members' start dates."""

    events_by_day: dict[dt.date, list[_Event]]
    member_since: list[dt.datetime]  # sorted creation moments of its active members


def _load(account_ids: Sequence[int], *, start: dt.date, last: dt.date) -> dict[int, _Account]:
    """The accounts' customer events from `start` to the end of `last` and their members."""
    tz = timezone.get_default_timezone()
    loaded = {pk: _Account(events_by_day=defaultdict(list), member_since=[]) for pk in account_ids}
    events = (
        ActivityEvent.objects.filter(
            account_id__in=list(account_ids),
            is_support=False,
            occurred_at__gte=day_end(start - dt.timedelta(days=1)),
            occurred_at__lt=day_end(last),
        )
        .order_by("occurred_at", "pk")
        .values_list("account_id", "user_id", "kind", "occurred_at", "pilot_ref")
    )
    for account_id, user_id, kind, at, pilot_ref in events.iterator(chunk_size=5000):
        day = timezone.localtime(at, tz).date()
        loaded[account_id].events_by_day[day].append(_Event(day, at, user_id, kind, pilot_ref))
    members = Membership.objects.filter(
        account_id__in=list(account_ids), user__is_active=True
    ).values_list("account_id", "created_at")
    for account_id, created_at in members:
        loaded[account_id].member_since.append(created_at)
    for account in loaded.values():
        account.member_since.sort()
    return loaded


def _walk(
    account: _Account, *, model: EngagementModel, days: list[dt.date]
) -> dict[dt.date, tuple[float, int, int, int, int]]:
    """(activity points, active people, members, pilots enrolled, pilots with feedback) for
    each of `days` (consecutive), walking from far enough back to fill every window."""
    weights = defaultdict(float, {k: float(w or 0) for k, w in model.weights.items()})
    reach = max(model.window_days, model.breadth_window_days, model.co_creation_window_days)
    points, previous_end = 0.0, None
    buckets: dict[dt.date, float] = {}  # a day's points, decayed to the end of that day
    last_seen: dict[int, dt.date] = {}  # person -> the last day they did something
    enrolled: dict[int, dt.date] = {}  # pilot -> the last day of an enrolment event
    fed_back: dict[int, dt.date] = {}  # pilot -> the last day of a feedback event
    result = {}
    for day in days_between(days[0] - dt.timedelta(days=reach), days[-1]):
        end = day_end(day)
        if previous_end is not None:
            points *= 0.5 ** ((end - previous_end).total_seconds() / 86400 / model.half_life_days)
        previous_end = end
        bucket = 0.0
        for event in account.events_by_day.get(day, ()):
            age = (end - event.at).total_seconds() / 86400
            bucket += weights[event.kind] * 0.5 ** (age / model.half_life_days)
            if event.user_id is not None:
                last_seen[event.user_id] = day
            if event.pilot_ref is not None and event.kind == ActivityKind.PILOT_ENROLLED:
                enrolled[event.pilot_ref] = day
            if event.pilot_ref is not None and event.kind == ActivityKind.FEEDBACK_GIVEN:
                fed_back[event.pilot_ref] = day
        buckets[day] = bucket
        points += bucket
        leaving = day - dt.timedelta(days=model.window_days)
        if leaving in buckets:  # the day that just left the activity window
            gone = buckets.pop(leaving)
            age = (end - day_end(leaving)).total_seconds() / 86400
            points = max(points - gone * 0.5 ** (age / model.half_life_days), 0.0)
        if day < days[0]:
            continue
        breadth_from = day - dt.timedelta(days=model.breadth_window_days)
        pilots_from = day - dt.timedelta(days=model.co_creation_window_days)
        open_pilots = [pk for pk, seen in enrolled.items() if seen > pilots_from]
        result[day] = (
            points,
            sum(1 for seen in last_seen.values() if seen > breadth_from),
            bisect.bisect_left(account.member_since, end),
            len(open_pilots),
            sum(1 for pk in open_pilots if fed_back.get(pk, pilots_from) > pilots_from),
        )
    return result


def _segments(models: dict[dt.date, EngagementModel]) -> list[tuple[EngagementModel, list]]:
    """Runs of consecutive days computed by the same version."""
    runs: list[tuple[EngagementModel, list]] = []
    for day in sorted(models):
        if runs and runs[-1][0].pk == models[day].pk:
            runs[-1][1].append(day)
        else:
            runs.append((models[day], [day]))
    return runs


def _chain_starts(first_by_account: dict[int, dt.date]) -> dict[int, tuple[str, dt.date]]:
    """Each account's level and its start on the stored snapshot before its first day."""
    starts = {}
    for account_id, first in first_by_account.items():
        before = (
            EngagementSnapshot.objects.filter(account_id=account_id, day__lt=first)
            .order_by("-day")
            .values_list("level", "level_since", "day")
            .first()
        )
        if before is not None:
            starts[account_id] = (before[0], before[1] or before[2])
    return starts


def snapshots_history(
    *, first_by_account: dict[int, dt.date], last: dt.date
) -> list[EngagementSnapshot]:
    """Unsaved snapshots of each account for every day from its first day to `last`, oldest
    first, with the level chain carried from day to day."""
    if not first_by_account:
        return []
    first = min(first_by_account.values())
    models = models_by_day(first, last)
    reach = max(
        max(m.window_days, m.breadth_window_days, m.co_creation_window_days)
        for m in models.values()
    )
    loaded = _load(list(first_by_account), start=first - dt.timedelta(days=reach), last=last)
    starts = _chain_starts(first_by_account)
    snapshots = []
    for account_id, account_first in sorted(first_by_account.items()):
        level, since = starts.get(account_id, (None, None))
        for model, days in _segments({d: m for d, m in models.items() if d >= account_first}):
            rule = LevelRule.of(model)
            figures = _walk(loaded[account_id], model=model, days=days)
            for day in days:
                points, active, members, pilots, with_feedback = figures[day]
                row = AccountFigures(
                    account_id, points, active, members, pilots, with_feedback, level, since
                )
                snapshot = snapshot_for(row, day=day, model=model, rule=rule)
                level, since = snapshot.level, snapshot.level_since
                snapshots.append(snapshot)
    return snapshots
