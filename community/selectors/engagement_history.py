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

from django.db import connection
from django.db.models import Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Membership
from community.models import ActivityEvent, ActivityKind, EngagementModel, EngagementSnapshot
from community.selectors.engagement_figures import (
    AccountFigures,
    LevelRule,
    as_date,
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


def _load(
    account_ids: Sequence[int], *, start: dt.date, pilots_start: dt.date, last: dt.date
) -> dict[int, _Account]:
    """The accounts' customer events from `start` to the end of `last` (pilot events from the
    earlier `pilots_start`: co-creation looks back further) and their members."""
    loaded = {pk: _Account(events_by_day=defaultdict(list), member_since=[]) for pk in account_ids}
    customer = ActivityEvent.objects.filter(account_id__in=list(account_ids), is_support=False)
    recent = customer.filter(occurred_at__gte=day_end(start - dt.timedelta(days=1)))
    older_pilots = customer.filter(
        kind__in=[ActivityKind.PILOT_ENROLLED, ActivityKind.FEEDBACK_GIVEN],
        pilot_ref__isnull=False,
        occurred_at__gte=day_end(pilots_start - dt.timedelta(days=1)),
        occurred_at__lt=day_end(start - dt.timedelta(days=1)),
    )
    for events in (recent, older_pilots):
        rows = (
            events.filter(occurred_at__lt=day_end(last))
            .annotate(day=TruncDate("occurred_at"))  # the site's day, computed by the database
            .order_by()  # no order: a day's events are summed (a sort would steer the plan)
            .values_list("account_id", "day", "occurred_at", "user_id", "kind", "pilot_ref")
        )
        # Fetched at once on a plain cursor: not through a server-side cursor, whose plan
        # favours a fast start (a scan by time over every account's events) over the
        # accounts' index, and without the ORM's per-row work.
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for account_id, day, at, user_id, kind, pilot_ref in cursor.fetchall():
                if at.tzinfo is None:  # SQLite hands back its UTC values without a zone
                    at = at.replace(tzinfo=dt.UTC)
                day = as_date(day)
                event = _Event(day, at, user_id, kind, pilot_ref)
                loaded[account_id].events_by_day[day].append(event)
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
    each of `days` (consecutive). Events older than the activity window of the first day only
    set when a person or a pilot was last seen; from there on the days are walked one by one,
    the window's points carried from each day to the next."""
    weights = defaultdict(float, {k: float(w or 0) for k, w in model.weights.items()})
    decay = 0.5 ** (1 / model.half_life_days)  # per day (the site's days are 24 hours)
    walk_from = days[0] - dt.timedelta(days=model.window_days)
    last_seen: dict[int, dt.date] = {}  # person -> the last day they did something
    enrolled: dict[int, dt.date] = {}  # pilot -> the last day of an enrolment event
    fed_back: dict[int, dt.date] = {}  # pilot -> the last day of a feedback event

    def seen(event: _Event) -> None:
        if event.user_id is not None:
            last_seen[event.user_id] = max(event.day, last_seen.get(event.user_id, event.day))
        if event.pilot_ref is not None and event.kind == ActivityKind.PILOT_ENROLLED:
            enrolled[event.pilot_ref] = max(event.day, enrolled.get(event.pilot_ref, event.day))
        if event.pilot_ref is not None and event.kind == ActivityKind.FEEDBACK_GIVEN:
            fed_back[event.pilot_ref] = max(event.day, fed_back.get(event.pilot_ref, event.day))

    for day, events in account.events_by_day.items():
        if day < walk_from:
            for event in events:
                seen(event)
    points = 0.0
    buckets: dict[dt.date, float] = {}  # a day's points, decayed to the end of that day
    result = {}
    for day in days_between(walk_from, days[-1]):
        end = day_end(day)
        points *= decay
        bucket = 0.0
        for event in account.events_by_day.get(day, ()):
            age = (end - event.at).total_seconds() / 86400
            bucket += weights[event.kind] * 0.5 ** (age / model.half_life_days)
            seen(event)
        buckets[day] = bucket
        points += bucket
        leaving = buckets.pop(day - dt.timedelta(days=model.window_days), 0.0)
        points = max(points - leaving * decay**model.window_days, 0.0)
        if day < days[0]:
            continue
        breadth_from = day - dt.timedelta(days=model.breadth_window_days)
        pilots_from = day - dt.timedelta(days=model.co_creation_window_days)
        open_pilots = [pk for pk, on in enrolled.items() if on > pilots_from]
        result[day] = (
            points,
            sum(1 for on in last_seen.values() if on > breadth_from),
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
    """Each account's level and its start on the stored snapshot before its first day (one
    query: the latest day before the first, per account, then those rows)."""
    before = Q()
    for account_id, first in first_by_account.items():
        before |= Q(account_id=account_id, day__lt=first)
    latest = (
        EngagementSnapshot.objects.filter(before)
        .values("account_id")
        .annotate(day=Max("day"))
        .values_list("account_id", "day")
    )
    wanted = Q(pk__in=[])
    for account_id, day in latest:
        wanted |= Q(account_id=account_id, day=day)
    rows = EngagementSnapshot.objects.filter(wanted).values_list(
        "account_id", "level", "level_since", "day"
    )
    return {pk: (level, since or day) for pk, level, since, day in rows}


def snapshots_history(
    *, first_by_account: dict[int, dt.date], last: dt.date
) -> list[EngagementSnapshot]:
    """Unsaved snapshots of each account for every day from its first day to `last`, oldest
    first, with the level chain carried from day to day."""
    if not first_by_account:
        return []
    first = min(first_by_account.values())
    models = models_by_day(first, last)
    back = max(max(m.window_days, m.breadth_window_days) for m in models.values())
    pilots_back = max(m.co_creation_window_days for m in models.values())
    loaded = _load(
        list(first_by_account),
        start=first - dt.timedelta(days=back),
        pilots_start=first - dt.timedelta(days=max(back, pilots_back)),
        last=last,
    )
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
