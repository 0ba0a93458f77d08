"""Loyalty over time by engagement (docs/product.md, "Loyalty over time by engagement"): how
long accounts at each engagement level went before they churned (or expanded), as
Kaplan–Meier curves by level, and a Cox model with the level as a time-varying covariate,
with hazard ratios against a reference level. The estimates are lifelines'
(community/survival.py); this module decides who is at risk when, at which level.

- **Observation** of an account starts on its entry day: the period's first day, or its first
  engagement snapshot when that is later (before it, its level is not known). It ends on the
  period's last day (censored), on the day of its first outcome of the kind on or after entry
  (the event), or — for expansion — on the day it churned (censored: it can no longer expand).
  An account that churned before its entry day had left already: it is not observed.
- **Time** is counted in days of observation: an event on day d is at time d − entry + 1, so
  an account that churned on its entry day did so at day 1.
- **The level over time** is the level of the account's latest snapshot on or before each day
  (as for outcome rates, the level on an outcome's date), read from the days the level changed
  only. Each stretch at one level is a row (start, stop] at that level.
- **Curves** (Simon–Makuch): a level's curve is the product-limit estimate over the stretches
  at that level, each entering the risk set when it starts.
- **Cox**: one indicator per level against the reference level (Dormant, or the lowest level
  that reaches the minimum sample), over the stretches at levels that reach it.
- **Minimum sample**: a level's curve needs MIN_ACCOUNTS accounts that held it; it starts on
  the day before the first day with MIN_AT_RISK of them at risk and runs while MIN_AT_RISK
  are (so that no early handful decides the whole curve: lifelines refuses an empty early
  risk set); a hazard ratio needs the level
  and the reference to reach MIN_ACCOUNTS accounts and MIN_EVENTS events each. Below: "too
  few to say".

Two queries whatever the number of accounts: the days the accounts' levels changed, and their
churn and expansion outcomes. The whole result is remembered under a fingerprint of exactly
those rows (`community.selectors.row_fingerprint`: two aggregate queries, about 15 ms at 20,000
accounts), so a page read again on the same data neither reads the rows, nor builds the
stretches, nor fits again; any changed, added or removed row is a new fingerprint, so nothing
stale is shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import QuerySet

from accounts.models import Account
from community.models import EngagementLevel, EngagementSnapshot, LoyaltyOutcome, OutcomeKind
from community.models.engagement import LEVEL_CHANGE
from community.selectors.insights import default_period
from community.selectors.loyalty_stretches import (
    OUTCOMES,
    Stretch,
    account_stretches,
    level_changes,
    outcome_days,
)
from community.selectors.row_fingerprint import rows_fingerprint
from community.statistics import round_half_up_to, whole_percent
from community.survival import (
    CoxFit,
    CoxTerm,
    KaplanMeier,
    RiskSet,
    SurvivalPoint,
    cox_time_varying,
    kaplan_meier,
)
from config.results_cache import remembered

MIN_ACCOUNTS = 10  # accounts that held a level, for its curve and its hazard ratio
MIN_EVENTS = 3  # events at a level (and at the reference), for its hazard ratio
MIN_AT_RISK = 5  # accounts still at risk, for a point of a curve
LANDMARK_DAYS = (90, 180, 365)  # the days the table reads each curve at
CACHE_VERSION = 1  # raise it when the estimates change: fits remembered before are not read
CACHE_SECONDS = 24 * 60 * 60

TITLES = {OutcomeKind.CHURNED: "Time to churn", OutcomeKind.EXPANDED: "Time to expansion"}

DEFINITIONS = {
    "entry": (
        "An account is observed from the period's first day, or from its first engagement "
        "snapshot when that is later."
    ),
    "event": (
        "Its first outcome of the kind on or after that day. Observation ends there, on the "
        "period's last day (censored) or, for expansion, on the day it churned (censored)."
    ),
    "level_over_time": (
        "The level of the account's latest snapshot on or before each day; each stretch of "
        "days at one level counts at that level."
    ),
    "curve": (
        "Kaplan–Meier: the share of accounts at the level not yet with the outcome after so "
        "many days, each stretch at the level joining when it starts (95% interval: "
        "exponential Greenwood)."
    ),
    "hazard_ratio": (
        "Cox model with the level as a time-varying covariate: how many times the reference "
        "level's daily chance of the outcome an account has while at the level (95% Wald "
        "interval). Under 1: less likely."
    ),
    "minimum": (
        f"A curve needs {MIN_ACCOUNTS} accounts that held the level; it starts where "
        f"{MIN_AT_RISK} are at risk at the level and runs while they are (a later start: among "
        f"those at the level then). A hazard ratio needs {MIN_ACCOUNTS} "
        f"accounts and {MIN_EVENTS} outcomes at the level and at the reference. Below: too few "
        "to say."
    ),
}


@dataclass(frozen=True)
class Landmark:
    """A curve read on a day: the share without the outcome yet, as every page, chart, CSV
    and API shows it (whole percentages rounded once, community.statistics.whole_percent)."""

    day: int
    point: SurvivalPoint | None  # None: too few still at risk on that day to say

    @property
    def too_few(self) -> bool:
        return self.point is None

    @property
    def percent(self) -> int | None:
        return None if self.point is None else whole_percent(self.point.survival)

    @property
    def low_percent(self) -> int | None:
        return None if self.point is None else whole_percent(self.point.low)

    @property
    def high_percent(self) -> int | None:
        return None if self.point is None else whole_percent(self.point.high)


@dataclass(frozen=True)
class HazardRatio:
    """exp(coef) of a level against the reference, with its 95% interval; shown to two
    decimals, rounded once, halves away from zero (community.statistics.round_half_up_to)."""

    ratio: float
    low: float
    high: float

    @property
    def shown(self) -> tuple[float, float, float]:
        return tuple(round_half_up_to(value, 2) for value in (self.ratio, self.low, self.high))


@dataclass(frozen=True)
class LevelSurvival:
    level: str
    label: str
    accounts: int  # accounts that held the level while observed
    events: int  # outcomes while at the level
    curve: list[SurvivalPoint]  # empty when too few; else up to the last day MIN_AT_RISK held
    landmarks: list[Landmark]
    is_reference: bool = False
    hazard: HazardRatio | None = None  # None: the reference, or too few to say

    @property
    def too_few(self) -> bool:
        return self.accounts < MIN_ACCOUNTS

    @property
    def enough_for_hazard(self) -> bool:
        return self.accounts >= MIN_ACCOUNTS and self.events >= MIN_EVENTS


@dataclass(frozen=True)
class OutcomeSurvival:
    outcome: str
    label: str
    accounts: int  # accounts observed
    events: int
    days: int  # the longest observation, in days
    levels: list[LevelSurvival]
    reference: str | None  # None: no hazard ratios (too few to say)
    model_accounts: int = 0  # accounts and events in the Cox model
    model_events: int = 0

    @property
    def title(self) -> str:
        return TITLES[self.outcome]

    @property
    def reference_label(self) -> str:
        return EngagementLevel(self.reference).label if self.reference else ""


@dataclass(frozen=True)
class LoyaltyOverTime:
    period_from: dt.date
    period_to: dt.date
    segment: str
    outcomes: list[OutcomeSurvival] = field(default_factory=list)
    min_accounts = MIN_ACCOUNTS  # class constants, not fields: the API reads them here
    min_events = MIN_EVENTS
    min_at_risk = MIN_AT_RISK

    @property
    def definitions(self) -> dict[str, str]:
        return DEFINITIONS

    @property
    def landmark_days(self) -> list[int]:
        return [landmark.day for landmark in self.outcomes[0].levels[0].landmarks]

    def outcome(self, kind: str) -> OutcomeSurvival:
        return next(o for o in self.outcomes if o.outcome == kind)


def loyalty_over_time(
    *, accounts: QuerySet[Account], period_from: dt.date, period_to: dt.date, segment: str = ""
) -> LoyaltyOverTime:
    """Curves and hazard ratios of churn and of expansion by engagement level over time, for
    the given accounts (the caller's visible ones), optionally of one segment, observed within
    the period (both days included)."""
    if period_from > period_to:
        raise ValueError("The period must not end before it starts.")
    if segment:
        accounts = accounts.filter(segment=segment)
    account_ids = accounts.order_by().values("pk")
    landmark_days = [day for day in LANDMARK_DAYS if day <= (period_to - period_from).days + 1]
    key = _cache_key(
        account_ids=account_ids,
        period_from=period_from,
        period_to=period_to,
        segment=segment,
        landmark_days=landmark_days,
    )
    return remembered(
        key,
        lambda: _computed(
            account_ids=account_ids,
            period_from=period_from,
            period_to=period_to,
            segment=segment,
            landmark_days=landmark_days,
        ),
        seconds=CACHE_SECONDS,
    )


def _computed(
    *,
    account_ids: QuerySet,
    period_from: dt.date,
    period_to: dt.date,
    segment: str,
    landmark_days: list[int],
) -> LoyaltyOverTime:
    changes = level_changes(account_ids=account_ids, period_to=period_to)
    days = outcome_days(account_ids=account_ids, period_to=period_to)
    outcomes = []
    for kind in OUTCOMES:
        stretches = [
            stretch
            for account_id, account_changes in changes.items()
            for stretch in account_stretches(
                account_id=account_id,
                changes=account_changes,
                event_days=days[account_id][kind],
                churn_days=days[account_id][OutcomeKind.CHURNED],
                period_from=period_from,
                period_to=period_to,
            )
        ]
        outcomes.append(
            outcome_survival(kind=kind, stretches=stretches, landmark_days=landmark_days)
        )
    return LoyaltyOverTime(
        period_from=period_from, period_to=period_to, segment=segment, outcomes=outcomes
    )


def loyalty_over_time_ahead(*, today: dt.date | None = None) -> LoyaltyOverTime:
    """The insights page's first view for readers who see every account (product managers,
    programme admins: the default period, all segments), fitted before anyone asks: a task
    runs this after each incremental engagement run, so that the seconds a fit takes over
    thousands of accounts are spent off the request path. The fits land in the cache under the
    digest of their stretches, where the page finds them while nothing has changed since."""
    period_from, period_to = default_period(today=today)
    return loyalty_over_time(
        accounts=Account.objects.all(), period_from=period_from, period_to=period_to
    )


def _cache_key(
    *,
    account_ids: QuerySet,
    period_from: dt.date,
    period_to: dt.date,
    segment: str,
    landmark_days: list[int],
) -> str:
    """The key the result is remembered under: the period, the rules, and the fingerprints of
    the very rows it is computed from (which also tell which accounts they are: the level
    changes and the outcomes carry the account)."""
    changes = EngagementSnapshot.objects.filter(
        LEVEL_CHANGE, account__in=account_ids, day__lte=period_to
    )
    outcomes = LoyaltyOutcome.objects.filter(
        account__in=account_ids, kind__in=OUTCOMES, occurred_on__lte=period_to
    )
    parts = (
        CACHE_VERSION,
        period_from,
        period_to,
        segment,
        landmark_days,
        (MIN_ACCOUNTS, MIN_EVENTS, MIN_AT_RISK),
        rows_fingerprint(changes, day="day", kind="level"),
        rows_fingerprint(outcomes, day="occurred_on", kind="kind"),
    )
    return "loyalty-over-time:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def outcome_survival(
    *, kind: str, stretches: list[Stretch], landmark_days: list[int]
) -> OutcomeSurvival:
    """The curves by level (read on `landmark_days` too) and the Cox model of one outcome
    over its stretches."""
    by_level: dict[str, list[Stretch]] = defaultdict(list)
    for stretch in stretches:
        by_level[stretch.level].append(stretch)
    levels = [
        _level_survival(level, label, by_level[level], landmark_days)
        for level, label in EngagementLevel.choices
    ]
    reference = next((row.level for row in levels if row.enough_for_hazard), None)
    compared = [row.level for row in levels if row.enough_for_hazard and row.level != reference]
    fit, model_accounts, model_events = None, 0, 0
    if reference and compared:
        in_model = [s for s in stretches if s.level in (reference, *compared)]
        fit = _cox_by_level(in_model, reference=reference, compared=compared)
        model_accounts = len({s.account_id for s in in_model})
        model_events = sum(s.event for s in in_model)
    if fit is None or not fit.converged:
        reference, model_accounts, model_events = None, 0, 0
    else:
        levels = [
            _with_hazard(row, reference=reference, term=fit.terms.get(row.level)) for row in levels
        ]
    return OutcomeSurvival(
        outcome=str(kind),
        label=OutcomeKind(kind).label,
        accounts=len({s.account_id for s in stretches}),
        events=sum(s.event for s in stretches),
        days=max((s.stop for s in stretches), default=0),
        levels=levels,
        reference=reference,
        model_accounts=model_accounts,
        model_events=model_events,
    )


def _level_survival(
    level: str, label: str, stretches: list[Stretch], landmark_days: list[int]
) -> LevelSurvival:
    accounts = len({s.account_id for s in stretches})
    events = sum(s.event for s in stretches)
    curve: list[SurvivalPoint] = []
    landmarks = [Landmark(day=day, point=None) for day in landmark_days]
    risk = RiskSet(starts=[s.start for s in stretches], stops=[s.stop for s in stretches])
    window = _window(risk, stretches) if accounts >= MIN_ACCOUNTS else None
    km = _kaplan_meier_within(stretches, window) if window else None
    if km is not None:
        first, last = window
        curve = km.points
        if last > curve[-1].day:  # the line runs on, flat, to the window's last day
            end = km.at(last)
            curve = [*curve, SurvivalPoint(last, end.survival, end.low, end.high, risk.on(last))]
        landmarks = [
            Landmark(day=day, point=_point_on(km, risk, day) if first < day <= last else None)
            for day in landmark_days
        ]
    return LevelSurvival(
        level=level, label=label, accounts=accounts, events=events, curve=curve, landmarks=landmarks
    )


def _window(risk: RiskSet, stretches: list[Stretch]) -> tuple[int, int] | None:
    """(first, last): the curve starts on day `first` — the day before the first day with
    MIN_AT_RISK accounts at risk at the level (day 0 when enough hold it when observed from) —
    and runs while MIN_AT_RISK are, up to day `last`; None when they never are. (At-risk only
    changes the day after a stretch starts or stops.)"""
    days = sorted({1} | {s.start + 1 for s in stretches} | {s.stop + 1 for s in stretches})
    opens = next((day for day in days if risk.on(day) >= MIN_AT_RISK), None)
    if opens is None:
        return None
    closes = next(day for day in days if day > opens and risk.on(day) < MIN_AT_RISK)
    return opens - 1, closes - 1


def _kaplan_meier_within(stretches: list[Stretch], window: tuple[int, int]) -> KaplanMeier | None:
    """The product-limit curve over the window's days only: the share not yet with the outcome
    among the accounts at the level on its first day (and those who join later)."""
    first, last = window
    inside = [s for s in stretches if s.stop > first and s.start < last]
    return kaplan_meier(
        starts=[max(s.start, first) for s in inside],
        stops=[min(s.stop, last) for s in inside],
        events=[s.event and s.stop <= last for s in inside],
    )


def _point_on(km: KaplanMeier, risk: RiskSet, day: int) -> SurvivalPoint:
    point = km.at(day)
    return SurvivalPoint(day, point.survival, point.low, point.high, risk.on(day))


def _cox_by_level(stretches: list[Stretch], *, reference: str, compared: list[str]) -> CoxFit:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "account": [s.account_id for s in stretches],
            "start": [s.start for s in stretches],
            "stop": [s.stop for s in stretches],
            "event": [int(s.event) for s in stretches],
            **{level: [int(s.level == level) for s in stretches] for level in compared},
        }
    )
    return cox_time_varying(
        frame, id_col="account", start_col="start", stop_col="stop", event_col="event"
    )


def _with_hazard(row: LevelSurvival, *, reference: str, term: CoxTerm | None) -> LevelSurvival:
    if row.level == reference:
        return replace(row, is_reference=True)
    if term is None:  # a level left out of the model: too few to say
        return row
    return replace(row, hazard=HazardRatio(ratio=term.hazard_ratio, low=term.low, high=term.high))
