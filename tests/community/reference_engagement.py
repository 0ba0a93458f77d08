"""A plain reference computation of engagement, written from docs/product.md ("The formula",
"Levels and hysteresis", "Snapshots and runs") and nothing else: no product function is called.
It reads the raw rows (events, memberships, model versions) and walks every account's stored
days one by one, the slow obvious way, so that the engine's stored snapshots can be compared
with it at any moment.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.models import Membership
from community.models import ActivityEvent, EngagementModel, EngagementSnapshot

LEVELS = ["dormant", "observing", "participating", "contributing", "co_creating"]


@dataclass(frozen=True)
class Expected:
    score: Decimal
    level: str
    level_since: dt.date
    activity: float
    breadth: float
    co_creation: float
    model_version: int


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=_tz())


def _version_on(day: dt.date, versions: list[EngagementModel]) -> EngagementModel:
    """The version activated last on or before `day`; before any activation, version 1."""
    started = [
        v for v in versions if v.activated_at and v.activated_at.astimezone(_tz()).date() <= day
    ]
    if not started:
        return min(versions, key=lambda v: v.version)
    return max(started, key=lambda v: v.activated_at)


def _figures(events, members, model: EngagementModel, day: dt.date) -> tuple[float, float, float]:
    end = _end_of(day)
    points = 0.0
    people = set()
    enrolled, fed_back = set(), set()
    for e in events:
        if e.is_support or not e.occurred_at < end:
            continue
        age = (end - e.occurred_at).total_seconds() / 86400
        if e.occurred_at >= end - dt.timedelta(days=model.window_days):
            points += float(model.weights.get(e.kind, 0) or 0) * 0.5 ** (age / model.half_life_days)
        if e.user_id is not None and e.occurred_at >= end - dt.timedelta(
            days=model.breadth_window_days
        ):
            people.add(e.user_id)
        if e.pilot_ref is not None and e.occurred_at >= end - dt.timedelta(
            days=model.co_creation_window_days
        ):
            if e.kind == "pilot_enrolled":
                enrolled.add(e.pilot_ref)
            if e.kind == "feedback_given":
                fed_back.add(e.pilot_ref)
    member_count = sum(1 for m in members if m.created_at < end and m.user.is_active)
    activity = 1 - math.exp(-points / model.activity_scale)
    needed = max(model.breadth_min_members, model.breadth_share * member_count)
    breadth = min(1.0, len(people) / needed) if needed else 0.0
    co_creation = len(enrolled & fed_back) / len(enrolled) if enrolled else 0.0
    return round(activity, 6), round(breadth, 6), round(co_creation, 6)


def _level(score: float, model: EngagementModel) -> int:
    thresholds = [
        0,
        model.threshold_observing,
        model.threshold_participating,
        model.threshold_contributing,
        model.threshold_co_creating,
    ]
    return max(rank for rank, t in enumerate(thresholds) if score >= t)


def expected_history(account_id: int) -> dict[dt.date, Expected]:
    """What every stored day of the account should hold, walking its stored days in order."""
    versions = list(EngagementModel.objects.all())
    events = list(ActivityEvent.objects.filter(account_id=account_id))
    members = list(Membership.objects.filter(account_id=account_id).select_related("user"))
    days = sorted(
        EngagementSnapshot.objects.filter(account_id=account_id).values_list("day", flat=True)
    )
    expected: dict[dt.date, Expected] = {}
    level, since = None, None
    for day in days:
        model = _version_on(day, versions)
        activity, breadth, co_creation = _figures(events, members, model, day)
        raw = 100 * (
            model.weight_activity * activity
            + model.weight_breadth * breadth
            + model.weight_co_creation * co_creation
        )
        score = Decimal(repr(raw)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        score = min(max(score, Decimal("0.0")), Decimal("100.0"))
        reached = _level(float(score), model)
        if level is None or reached > level:
            level, since = reached, day
        elif reached < level:
            thresholds = [
                0,
                model.threshold_observing,
                model.threshold_participating,
                model.threshold_contributing,
                model.threshold_co_creating,
            ]
            low_water = model.low_water_ratio * thresholds[level]
            if float(score) < low_water and (day - since).days >= model.hold_days:
                level, since = reached, day
        expected[day] = Expected(
            score, LEVELS[level], since, activity, breadth, co_creation, model.version
        )
    return expected


def differences(account_ids) -> list[str]:
    """Every stored snapshot of these accounts that differs from the reference, in words."""
    found = []
    for account_id in account_ids:
        expected = expected_history(account_id)
        for s in EngagementSnapshot.objects.filter(account_id=account_id).order_by("day"):
            want = expected[s.day]
            got = Expected(
                s.score,
                s.level,
                s.level_since,
                s.activity,
                s.breadth,
                s.co_creation,
                s.model_version,
            )
            close = all(
                abs(a - b) <= 1e-6
                for a, b in (
                    (got.activity, want.activity),
                    (got.breadth, want.breadth),
                    (got.co_creation, want.co_creation),
                )
            )
            same = (got.score, got.level, got.level_since, got.model_version) == (
                want.score,
                want.level,
                want.level_since,
                want.model_version,
            )
            if not (close and same):
                found.append(f"account {account_id} on {s.day}: stored {got}, expected {want}")
    return found
