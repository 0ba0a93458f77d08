"""The engagement computation of docs/product.md, set-based: one aggregate SQL query per chunk of
accounts gathers every figure the formula needs, and the formula itself is a few lines of
arithmetic per row.

For an account, as of the end of day D:

- activity points A = Σ weight(kind) × 0.5^(age in days / half-life) over its customer events
  (not support events) of the last `window_days`; activity = 1 − e^(−A / scale);
- breadth = distinct people active in the last `breadth_window_days`
  ÷ max(`breadth_min_members`, `breadth_share` × its active members), capped at 1;
- co-creation = share of the pilots it enrolled in during the last `co_creation_window_days`
  for which one of its people gave experience feedback (events `pilot_enrolled` and
  `feedback_given` carry the pilot in `pilot_ref`); 0 when it enrolled in none;
- score = 100 × (w_a·activity + w_b·breadth + w_c·co-creation), rounded to one decimal.

The level follows the score with hysteresis (`level_next`, the `LevelRule` of the model's
thresholds): promotion at once, demotion only below 90% of the current level's threshold once
the level has held for the hold days. `snapshots_for` turns a chunk's figures into unsaved
snapshots; `chunks_of` cuts the accounts into the chunks the workers run in parallel.

Who runs it: community.services.engagement (`engagement_recompute`, per chunk), queued by the
tasks in community/tasks.py, which beat schedules (config/settings/base.py: incremental every
15 minutes, a full run nightly).

The same SQL runs on PostgreSQL and SQLite; the few vendor differences (age of an event in
days, the list of account ids as one parameter) live in `_vendor_sql`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Account, Membership, User
from community.models import (
    ActivityEvent,
    ActivityKind,
    EngagementLevel,
    EngagementModel,
    EngagementSnapshot,
)


@dataclass(frozen=True)
class AccountFigures:
    """What the aggregate query returns for one account."""

    account_id: int
    activity_points: float
    active_members: int
    members: int
    pilots_enrolled: int
    pilots_with_feedback: int
    previous_level: str | None
    previous_since: dt.date | None


@dataclass(frozen=True)
class Components:
    activity: float
    breadth: float
    co_creation: float
    score: Decimal


def day_end(day: dt.date) -> dt.datetime:
    """The first moment after `day` (in the site's time zone): events before it count."""
    return dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_default_timezone()
    )


def _vendor_sql() -> dict[str, str]:
    """The SQL fragments that differ between PostgreSQL and SQLite."""
    if connection.vendor == "postgresql":
        return {
            "age_days": "CAST(EXTRACT(EPOCH FROM (%(until)s - e.occurred_at)) AS DOUBLE PRECISION)"
            " / 86400.0",
            "in_ids": "= ANY(%(ids)s)",
        }
    return {  # SQLite: julianday() gives fractional days; the ids come as one JSON array
        "age_days": "(julianday(%(until)s) - julianday(e.occurred_at))",
        "in_ids": "IN (SELECT value FROM json_each(%(ids)s))",
    }


def _ids_param(account_ids: Sequence[int]) -> object:
    ids = [int(pk) for pk in account_ids]
    return ids if connection.vendor == "postgresql" else json.dumps(ids)


def _weight_sql(weights: dict[str, float], params: dict[str, object]) -> str:
    """CASE e.kind WHEN … THEN weight … END, with kinds and weights as parameters."""
    branches = []
    for position, kind in enumerate(ActivityKind.values):
        weight = float(weights.get(kind, 0) or 0)
        if weight > 0:
            params[f"kind_{position}"] = kind
            params[f"weight_{position}"] = weight
            branches.append(f"WHEN %(kind_{position})s THEN %(weight_{position})s")
    if not branches:
        return "0"
    return f"CASE e.kind {' '.join(branches)} ELSE 0 END"


_FIGURES_SQL = """
WITH people AS (
    SELECT e.account_id AS account_id, e.user_id AS user_id,
        SUM(CASE WHEN e.occurred_at >= %(activity_from)s
            THEN ({weight}) * POWER(CAST(0.5 AS DOUBLE PRECISION), ({age_days}) / %(half_life)s)
            ELSE 0 END) AS points,
        MAX(e.occurred_at) AS last_at
    FROM {event} e
    WHERE e.account_id {in_ids} AND NOT e.is_support
        AND e.occurred_at >= %(events_from)s AND e.occurred_at < %(events_until)s
    GROUP BY e.account_id, e.user_id
),
activity AS (
    -- Grouping by person first, then by account, counts active people without a DISTINCT.
    SELECT account_id, SUM(points) AS points,
        SUM(CASE WHEN user_id IS NOT NULL AND last_at >= %(breadth_from)s THEN 1 ELSE 0 END)
            AS active_members
    FROM people
    GROUP BY account_id
),
members AS (
    SELECT m.account_id AS account_id, COUNT(*) AS members
    FROM {membership} m JOIN {user} u ON u.id = m.user_id
    WHERE m.account_id {in_ids} AND u.is_active AND m.created_at < %(until)s
    GROUP BY m.account_id
),
pilots AS (
    SELECT e.account_id AS account_id, e.pilot_ref AS pilot_ref,
        MAX(CASE WHEN e.kind = %(enrolled)s THEN 1 ELSE 0 END) AS enrolled,
        MAX(CASE WHEN e.kind = %(feedback)s THEN 1 ELSE 0 END) AS fed_back
    FROM {event} e
    WHERE e.account_id {in_ids} AND NOT e.is_support AND e.pilot_ref IS NOT NULL
        AND e.kind IN (%(enrolled)s, %(feedback)s)
        AND e.occurred_at >= %(co_creation_from)s AND e.occurred_at < %(events_until)s
    GROUP BY e.account_id, e.pilot_ref
),
co_creation AS (
    SELECT account_id, SUM(enrolled) AS enrolled, SUM(enrolled * fed_back) AS fed_back
    FROM pilots
    GROUP BY account_id
),
previous AS (
    SELECT s.account_id AS account_id, s.level AS level, s.level_since AS level_since,
        s.day AS day
    FROM {snapshot} s
    WHERE s.account_id {in_ids} AND s.day = (
        SELECT MAX(p.day) FROM {snapshot} p WHERE p.account_id = s.account_id AND p.day < %(day)s
    )
)
SELECT a.id,
    COALESCE(activity.points, 0),
    COALESCE(activity.active_members, 0),
    COALESCE(members.members, 0),
    COALESCE(co_creation.enrolled, 0),
    COALESCE(co_creation.fed_back, 0),
    previous.level,
    previous.level_since,
    previous.day
FROM {account} a
LEFT JOIN activity ON activity.account_id = a.id
LEFT JOIN members ON members.account_id = a.id
LEFT JOIN co_creation ON co_creation.account_id = a.id
LEFT JOIN previous ON previous.account_id = a.id
WHERE a.id {in_ids}
ORDER BY a.id
"""


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _params(
    account_ids: Sequence[int],
    *,
    day: dt.date,
    model: EngagementModel,
    events_before: dt.datetime | None,
) -> dict[str, object]:
    """The query's parameters: the windows' starts as of the end of `day`, the model's
    numbers."""
    until = day_end(day)
    ops = connection.ops
    params: dict[str, object] = {
        "ids": _ids_param(account_ids),
        "until": ops.adapt_datetimefield_value(until),
        "events_until": ops.adapt_datetimefield_value(min(until, events_before or until)),
        "activity_from": ops.adapt_datetimefield_value(
            until - dt.timedelta(days=model.window_days)
        ),
        "breadth_from": ops.adapt_datetimefield_value(
            until - dt.timedelta(days=model.breadth_window_days)
        ),
        "events_from": ops.adapt_datetimefield_value(
            until - dt.timedelta(days=max(model.window_days, model.breadth_window_days))
        ),
        "co_creation_from": ops.adapt_datetimefield_value(
            until - dt.timedelta(days=model.co_creation_window_days)
        ),
        "half_life": float(model.half_life_days),
        "enrolled": ActivityKind.PILOT_ENROLLED.value,
        "feedback": ActivityKind.FEEDBACK_GIVEN.value,
        "day": ops.adapt_datefield_value(day),
    }
    return params


def figures_for_accounts(
    *,
    account_ids: Sequence[int],
    day: dt.date,
    model: EngagementModel,
    events_before: dt.datetime | None = None,
) -> list[AccountFigures]:
    """Every figure of the formula for these accounts as of the end of `day`: one query.
    `events_before` leaves out the events from that moment on (the account page's "what
    ageing alone did": today's figures from yesterday's events)."""
    if not account_ids:
        return []
    params = _params(account_ids, day=day, model=model, events_before=events_before)
    sql = _FIGURES_SQL.format(
        weight=_weight_sql(model.weights, params),
        event=ActivityEvent._meta.db_table,
        membership=Membership._meta.db_table,
        user=User._meta.db_table,
        snapshot=EngagementSnapshot._meta.db_table,
        account=Account._meta.db_table,
        **_vendor_sql(),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(account_ids) > 1:
            if not connection.get_autocommit():
                # JIT compiling this one query costs more than running it; for this chunk's
                # transaction only (one account's query is too cheap to be JIT-compiled).
                cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        AccountFigures(
            account_id=row[0],
            activity_points=float(row[1]),
            active_members=int(row[2]),
            members=int(row[3]),
            pilots_enrolled=int(row[4]),
            pilots_with_feedback=int(row[5]),
            previous_level=row[6],
            previous_since=as_date(row[7]) or as_date(row[8]),
        )
        for row in rows
    ]


def components_for(figures: AccountFigures, *, model: EngagementModel) -> Components:
    """The formula of docs/product.md applied to one account's figures."""
    activity = 1 - math.exp(-figures.activity_points / model.activity_scale)
    needed = max(model.breadth_min_members, model.breadth_share * figures.members)
    breadth = min(1.0, figures.active_members / needed) if needed > 0 else 0.0
    co_creation = (
        figures.pilots_with_feedback / figures.pilots_enrolled if figures.pilots_enrolled else 0.0
    )
    # Rounded so that re-runs (whose float sums may differ in the last bits) store equal rows.
    activity, breadth, co_creation = (round(x, 6) for x in (activity, breadth, co_creation))
    raw = 100 * (
        model.weight_activity * activity
        + model.weight_breadth * breadth
        + model.weight_co_creation * co_creation
    )
    score = Decimal(repr(raw)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Components(
        activity=activity,
        breadth=breadth,
        co_creation=co_creation,
        score=min(max(score, Decimal("0.0")), Decimal("100.0")),
    )


def snapshot_for(
    row: AccountFigures, *, day: dt.date, model: EngagementModel, rule: LevelRule
) -> EngagementSnapshot:
    """The unsaved snapshot of one account's figures for `day`, its level decided with the
    hysteresis of `rule` from the level before (`row.previous_level`)."""
    parts = components_for(row, model=model)
    level, since = level_next(
        score=float(parts.score),
        day=day,
        previous_level=row.previous_level,
        previous_since=row.previous_since,
        rule=rule,
    )
    return EngagementSnapshot(
        account_id=row.account_id,
        day=day,
        score=parts.score,
        level=level,
        level_since=since,
        activity=parts.activity,
        breadth=parts.breadth,
        co_creation=parts.co_creation,
        model_version=model.version,
    )


def snapshots_for(
    figures: Sequence[AccountFigures], *, day: dt.date, model: EngagementModel
) -> list[EngagementSnapshot]:
    """Unsaved snapshots for `day`, levels decided with the hysteresis of the model."""
    rule = LevelRule.of(model)
    return [snapshot_for(row, day=day, model=model, rule=rule) for row in figures]


LEVELS: list[str] = list(EngagementLevel.values)  # lowest first, as thresholds are


@dataclass(frozen=True)
class LevelRule:
    """The numbers of an engagement model that decide levels."""

    thresholds: tuple[float, ...]  # Dormant's (0) first
    low_water_ratio: float
    hold_days: int

    @classmethod
    def of(cls, model: EngagementModel) -> LevelRule:
        return cls(
            thresholds=tuple(model.thresholds),
            low_water_ratio=model.low_water_ratio,
            hold_days=model.hold_days,
        )


def level_for_score(score: float, *, rule: LevelRule) -> str:
    """The highest level whose threshold the score reaches (no hysteresis)."""
    reached = 0
    for rank, threshold in enumerate(rule.thresholds):
        if score >= threshold:
            reached = rank
    return LEVELS[reached]


def level_next(
    *,
    score: float,
    day: dt.date,
    previous_level: str | None,
    previous_since: dt.date | None,
    rule: LevelRule,
) -> tuple[str, dt.date]:
    """The level on `day` and the day it has held since, given the level before `day` and the
    day that level started (None: unknown, counted from `day`)."""
    indicated = level_for_score(score, rule=rule)
    if previous_level not in LEVELS:  # first computation for this account
        return indicated, day
    current = LEVELS.index(previous_level)
    since = previous_since or day
    if LEVELS.index(indicated) > current:
        return indicated, day
    if LEVELS.index(indicated) == current:
        return previous_level, since
    low_water = rule.low_water_ratio * rule.thresholds[current]
    held_days = (day - since).days
    if score < low_water and held_days >= rule.hold_days:
        return indicated, day
    return previous_level, since


# --- Chunks: the engine computes accounts in chunks that workers run in parallel -------------


def chunk_size() -> int:
    return int(getattr(settings, "ENGAGEMENT_CHUNK_SIZE", 1000))


def chunks_of(account_ids: Iterable[int], *, size: int | None = None) -> list[list[int]]:
    ids = sorted(set(account_ids))
    size = size or chunk_size()
    return [ids[start : start + size] for start in range(0, len(ids), size)]
