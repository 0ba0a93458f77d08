"""Reads of an account's engagement: the model's parameters, why the account sits at its level
(components, what each kind of activity contributed), what would raise it, its snapshot
history and score trend (also the portfolio's sparklines), its activity timeline, its offline
events (the latest level of accounts: community/selectors/account_levels.py).

The numbers come from the engine's daily snapshots (EngagementSnapshot); this module only reads
and explains them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Account, Membership
from community.models import (
    DEFAULT_ACTIVITY_WEIGHTS,
    ActivityEvent,
    ActivityKind,
    EngagementLevel,
    EngagementModel,
    EngagementSnapshot,
    OfflineEvent,
)
from community.models.engagement import LEVEL_LABELS
from community.selectors.engagement_change import LevelHold, ScoreChange, level_hold, score_change


def last_customer_activity(*, account: str = "pk", before: datetime | None = None) -> Subquery:
    """When the account's customers last did something (support events do not count), as a
    subquery on the outer row's `account` field (optionally only events before `before`):
    the one definition of "last activity", for the portfolio, the alerts and their inbox."""
    events = ActivityEvent.objects.filter(account_id=OuterRef(account), is_support=False)
    if before is not None:
        events = events.filter(occurred_at__lt=before)
    return Subquery(events.order_by("-occurred_at").values("occurred_at")[:1])


def offline_events_of(*, account: Account) -> QuerySet[OfflineEvent]:
    """The account's offline events, latest first, with who recorded them and the event."""
    return (
        OfflineEvent.objects.filter(account=account)
        .select_related("account", "event", "recorded_by")
        .order_by("-occurred_on", "-pk")
    )


TREND_DAYS = 90


TIMELINE_PAGE_SIZE = 20  # a page of the timeline: short enough that the sections after it are seen


# --- The model's parameters ------------------------------------------------------------------


@dataclass(frozen=True)
class EngagementParameters:
    """What the explanation needs of the engagement model (docs/product.md's defaults)."""

    weights: dict[str, float]
    half_life_days: float = 30
    window_days: int = 180
    breadth_days: int = 30
    breadth_min_members: int = 3
    breadth_share: float = 0.3
    co_creation_days: int = 365
    # The share of the score each component carries.
    component_weights: dict[str, float] = field(
        default_factory=lambda: {"activity": 0.5, "breadth": 0.25, "co_creation": 0.25}
    )
    # The score at which each level starts, lowest first.
    thresholds: tuple[tuple[str, float], ...] = (
        (EngagementLevel.DORMANT, 0),
        (EngagementLevel.OBSERVING, 10),
        (EngagementLevel.PARTICIPATING, 30),
        (EngagementLevel.CONTRIBUTING, 50),
        (EngagementLevel.CO_CREATING, 70),
    )


def engagement_parameters(*, version: int | None = None) -> EngagementParameters:
    """The parameters of that version of the engagement model, or of the active one (one
    query); the defaults of docs/product.md while no version is active."""
    versions = EngagementModel.objects.all()
    model = (
        versions.filter(version=version) if version else versions.filter(is_active=True)
    ).first()
    return parameters_of(model)


def parameters_of(model: EngagementModel | None) -> EngagementParameters:
    """What the explanation needs of `model` (the defaults of docs/product.md for None)."""
    if model is None:
        return EngagementParameters(
            weights={str(kind): weight for kind, weight in DEFAULT_ACTIVITY_WEIGHTS.items()}
        )
    return EngagementParameters(
        weights={kind: float(weight) for kind, weight in model.weights.items()},
        half_life_days=model.half_life_days,
        window_days=model.window_days,
        breadth_days=model.breadth_window_days,
        breadth_min_members=model.breadth_min_members,
        breadth_share=model.breadth_share,
        co_creation_days=model.co_creation_window_days,
        component_weights={
            "activity": model.weight_activity,
            "breadth": model.weight_breadth,
            "co_creation": model.weight_co_creation,
        },
        thresholds=tuple(zip(EngagementLevel.values, model.thresholds, strict=True)),
    )


def level_label(level: str | None) -> str:
    return LEVEL_LABELS.get(level, "Not computed yet")


# --- One account's engagement ----------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    value: float  # 0–1
    weight: float  # its share of the score
    points: float  # what it adds to the score: 100 × weight × value
    room: float  # what it could still add: 100 × weight × (1 − value)


@dataclass(frozen=True)
class KindContribution:
    kind: str
    label: str
    events: int
    weight: float
    points: float  # Σ weight × 0.5^(age / half-life) over the window
    share: float  # of all kinds' points, 0–1


@dataclass(frozen=True)
class NextLevel:
    label: str
    threshold: float  # the score at which it starts
    points_needed: float


@dataclass
class AccountEngagement:
    account: Account
    latest: EngagementSnapshot | None
    history: list[EngagementSnapshot]
    components: list[Component]
    next_level: NextLevel | None
    suggestions: list[str]
    trend: Sparkline
    parameters: EngagementParameters
    change: ScoreChange | None = None  # why the score moved since the snapshot before
    hold: LevelHold | None = None  # the level kept by the hysteresis, if it is

    @property
    def level_label(self) -> str:
        return level_label(self.latest.level if self.latest else None)

    @property
    def strongest(self) -> Component | None:
        return max(self.components, key=lambda c: c.points) if self.components else None

    def chart_data(self) -> dict:
        """For static/js/engagement-charts.js (passed with json_script)."""
        return {
            "days": [s.day.isoformat() for s in self.history],
            "scores": [float(s.score) for s in self.history],
            "levels": [level_label(s.level) for s in self.history],
            "thresholds": [
                {"key": level, "label": level_label(level), "score": score}
                for level, score in self.parameters.thresholds
                if score > 0
            ],
        }


_COMPONENT_LABELS = {"activity": "Activity", "breadth": "Breadth", "co_creation": "Co-creation"}


def _components(snapshot: EngagementSnapshot, parameters: EngagementParameters) -> list[Component]:
    components = []
    for key, weight in parameters.component_weights.items():
        value = float(getattr(snapshot, key))
        components.append(
            Component(
                key=key,
                label=_COMPONENT_LABELS[key],
                value=value,
                weight=weight,
                points=round(100 * weight * value, 1),
                room=round(100 * weight * (1 - value), 1),
            )
        )
    return components


def _next_level(snapshot: EngagementSnapshot, parameters: EngagementParameters) -> NextLevel | None:
    """The level above the account's current one and the points its score still needs (the
    level, not the bare score, decides which level is next: a level kept by the hysteresis
    is not "to be reached" again)."""
    rank = EngagementLevel.rank(snapshot.level)
    if rank + 1 >= len(parameters.thresholds):
        return None
    level, threshold = parameters.thresholds[rank + 1]
    return NextLevel(
        label=level_label(level),
        threshold=threshold,
        points_needed=round(max(threshold - float(snapshot.score), 0.0), 1),
    )


def _suggestions(
    components: list[Component], *, members: int, parameters: EngagementParameters
) -> list[str]:
    """Plain-language ways up, the component with the most room first."""
    needed = max(parameters.breadth_min_members, math.ceil(parameters.breadth_share * members))
    advice = {
        "activity": (
            "More activity: vote and comment on ideas, propose ideas, read harvests and join "
            f"workshops. Recent actions count most (their weight halves every "
            f"{parameters.half_life_days:g} days)."
        ),
        "breadth": (
            "More colleagues taking part: breadth is full when at least "
            f"{needed} {'person' if needed == 1 else 'people'} from the account "
            f"{'is' if needed == 1 else 'are'} active within {parameters.breadth_days} days."
        ),
        "co_creation": (
            "Give feedback in a pilot: co-creation is the share of the pilots the account "
            "enrolled in (over a year) in which at least one member gave experience feedback."
        ),
    }
    ordered = sorted(components, key=lambda c: c.room, reverse=True)
    return [
        f"{advice[c.key]} It could add up to {_points(c.room)} points."
        for c in ordered
        if c.room >= 0.5
    ]


def account_engagement(
    *, account: Account, days: int = 365, today: date | None = None
) -> AccountEngagement:
    """The account's snapshots over `days` days and their explanation with the version that
    computed the latest (four queries: snapshots, that version, member count, nothing else)."""
    today = today or timezone.localdate()
    history = list(
        EngagementSnapshot.objects.filter(account=account, day__gte=today - timedelta(days=days))
        .order_by("day")
        .only(
            "account_id",
            "day",
            "score",
            "level",
            "level_since",
            "activity",
            "breadth",
            "co_creation",
            "model_version",
            "computed_at",
        )
    )
    latest = history[-1] if history else None
    if latest is None:  # not computed in the window: maybe an older snapshot
        latest = EngagementSnapshot.objects.filter(account=account).order_by("-day").first()
    # Explained with the version that computed it (a page never mixes two versions' numbers).
    versions = EngagementModel.objects.all()
    model = (
        versions.filter(version=latest.model_version) if latest else versions.filter(is_active=True)
    ).first()
    parameters = parameters_of(model)
    components = _components(latest, parameters) if latest else []
    members = Membership.objects.filter(account=account).count()
    window = [(s.day, s.score) for s in history if s.day >= today - timedelta(days=TREND_DAYS)]
    return AccountEngagement(
        account=account,
        latest=latest,
        history=history,
        components=components,
        next_level=_next_level(latest, parameters) if latest else None,
        hold=level_hold(latest, model) if latest else None,
        suggestions=_suggestions(components, members=members, parameters=parameters)
        if latest
        else [],
        trend=sparkline(points=window, today=today),
        parameters=parameters,
        change=_score_change(latest, history, model),
    )


def _score_change(
    latest: EngagementSnapshot | None, history: list[EngagementSnapshot], model
) -> ScoreChange | None:
    """score_change, given what account_engagement read: `model` is the version that computed
    `latest`, and when `latest` closes the window's `history` with another snapshot before it,
    that one is the account's snapshot before `latest` (any between them would be in the window
    too; with `latest` alone in the window an older one may exist outside it: score_change
    reads it)."""
    if latest is None:
        return None
    if len(history) > 1 and history[-1] is latest:
        return score_change(latest=latest, before=history[-2], model=model)
    return score_change(latest=latest, model=model)


def activity_contributions(
    *,
    account: Account,
    parameters: EngagementParameters | None = None,
    today: date | None = None,
) -> list[KindContribution]:
    """Which kinds of customer activity made the activity component over the model's window:
    one GROUP BY kind and day; the decay by age is applied per day (to the day)."""
    today = today or timezone.localdate()
    parameters = parameters or engagement_parameters()
    since = timezone.now() - timedelta(days=parameters.window_days)
    rows = (
        ActivityEvent.objects.filter(account=account, is_support=False, occurred_at__gte=since)
        .annotate(on=TruncDate("occurred_at"))
        .values("kind", "on")
        .annotate(n=Count("id"))
        .order_by()
    )
    events: dict[str, int] = {}
    points: dict[str, float] = {}
    for row in rows:
        weight = parameters.weights.get(row["kind"], 0)
        age = max(0, (today - row["on"]).days)
        events[row["kind"]] = events.get(row["kind"], 0) + row["n"]
        points[row["kind"]] = points.get(row["kind"], 0.0) + weight * row["n"] * 0.5 ** (
            age / parameters.half_life_days
        )
    total = sum(points.values())
    contributions = [
        KindContribution(
            kind=kind,
            label=ActivityKind(kind).label if kind in ActivityKind.values else kind,
            events=events[kind],
            weight=parameters.weights.get(kind, 0),
            points=round(points[kind], 1),
            share=points[kind] / total if total else 0.0,
        )
        for kind in events
    ]
    return sorted(contributions, key=lambda c: (-c.points, -c.events, c.label))


def activity_timeline(*, account: Account, support: bool) -> QuerySet[ActivityEvent]:
    """The account's events, newest first: the customer's own, or the account team's support.
    An offline event comes with its record (who on the team recorded it, their note), in the
    same query."""
    return (
        ActivityEvent.objects.filter(account=account, is_support=support)
        .select_related("user", "offline_record__recorded_by__membership")
        .order_by("-occurred_at", "-pk")
    )


# --- Score trends (the account page and the portfolio) ---------------------------------------


def score_trends(
    *, account_ids: Iterable[int], days: int = TREND_DAYS, today: date | None = None
) -> dict[int, list[tuple[date, Decimal]]]:
    """Each account's (day, score) points over the last `days` days, oldest first: one query."""
    today = today or timezone.localdate()
    trends: dict[int, list[tuple[date, Decimal]]] = {}
    rows = (
        EngagementSnapshot.objects.filter(
            account_id__in=list(account_ids), day__gte=today - timedelta(days=days)
        )
        .order_by("account_id", "day")
        .values_list("account_id", "day", "score")
    )
    for account_id, day, score in rows:
        trends.setdefault(account_id, []).append((day, score))
    return trends


def _points(value: Decimal | float) -> str:
    """12 → "12", 12.5 → "12.5" (scores have one decimal)."""
    return f"{abs(float(value)):.1f}".removesuffix(".0")


def trend_summary(*, start: Decimal | None, end: Decimal | None, days: int) -> str:
    """Plain words for a score's move over `days` days: "up 12 points in 90 days"."""
    if start is None or end is None:
        return "no history yet"
    if days <= 0:
        return "one day of history, no trend yet"
    change = Decimal(end) - Decimal(start)
    if change == 0:
        return f"unchanged in {days} days"
    direction = "up" if change > 0 else "down"
    unit = "point" if abs(change) == 1 else "points"
    return f"{direction} {_points(change)} {unit} in {days} days"


@dataclass(frozen=True)
class Sparkline:
    """A small inline SVG line of the score over the trend window, and its words."""

    points: str  # the polyline's points, "x,y x,y …" in the viewBox below
    summary: str
    width: int = 120
    height: int = 28
    change: Decimal | None = None  # last score − first score in the window
    span_days: int = 0  # days from the first to the last snapshot in the window

    @property
    def change_label(self) -> str:
        """ "+12", "−8.5", "0" — or "—" without two snapshots."""
        if self.change is None or self.span_days <= 0:
            return "—"
        sign = "+" if self.change > 0 else "−" if self.change < 0 else ""
        return f"{sign}{_points(self.change)}"

    @property
    def drawable(self) -> bool:
        return " " in self.points  # at least two points make a line


def sparkline(
    *,
    points: list[tuple[date, Decimal]],
    days: int = TREND_DAYS,
    today: date | None = None,
    width: int = 120,
    height: int = 28,
) -> Sparkline:
    """x is the day within the window (gaps stay gaps); y spans the series' own range, at
    least 10 points tall so that a flat line does not look like a cliff."""
    today = today or timezone.localdate()
    start_day = today - timedelta(days=days)
    summary = trend_summary(
        start=points[0][1] if points else None,
        end=points[-1][1] if points else None,
        days=(points[-1][0] - points[0][0]).days if points else 0,
    )
    if not points:
        return Sparkline(points="", summary=summary, width=width, height=height)
    scores = [float(score) for _, score in points]
    low, high = min(scores), max(scores)
    if high - low < 10:
        middle = (high + low) / 2
        low, high = max(0.0, middle - 5), min(100.0, middle + 5)
        if high - low < 10:
            low, high = (0.0, 10.0) if low == 0 else (90.0, 100.0)
    pad = 2
    xy = []
    for day, score in points:
        x = (day - start_day).days / days * width
        y = pad + (high - float(score)) / (high - low) * (height - 2 * pad)
        xy.append(f"{x:.1f},{y:.1f}")
    return Sparkline(
        points=" ".join(xy),
        summary=summary,
        width=width,
        height=height,
        change=Decimal(points[-1][1]) - Decimal(points[0][1]),
        span_days=(points[-1][0] - points[0][0]).days,
    )
