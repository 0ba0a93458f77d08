"""Robustness after bad times (docs/product.md, "Robustness after bad times"): per bad time of
an account, the drop in its engagement score after it, the days it took to get back to the score
before, and whether it renewed; and, by the level the account held before the bad time, how many
recovered (with a 95% Wilson interval), the median days to recover and how many renewed.

Every figure is one function below (`score_before`, `lowest_after`, `score_drop`,
`days_to_recover`, `renewal_after`), called for the account page, the insights section, both
APIs and both CSVs. The windows:

- the score before: the mean score of the account's snapshots in the BEFORE_DAYS days before
  the bad time's day (none there: the bad time cannot be measured);
- the drop: the score before − the lowest score in the DROP_DAYS days from the bad time's day
  (that day included), 0 when it did not fall;
- days to recover: none (0) when the score never fell below the score before in those DROP_DAYS
  days; else the days from the bad time's day to the first later day whose score is back at or
  above the score before, "not yet" while it is not;
- renewed: the account's first renewal decision (renewed, expanded, contracted, churned) from
  the bad time's day to RENEWAL_DAYS after it; renewed or expanded counts as renewed.

By level: a bad time counts when its account's history reaches RECOVERY_DAYS past it (followed
for the whole window); recovered = recovered within RECOVERY_DAYS. Renewal: of the bad times
with a renewal decision in the window, the share renewed. A group of fewer than MIN_SAMPLE says
"too few to say" instead of a figure; one of fewer than SMALL_GROUP is flagged.

Three queries, whatever the number of bad times: the bad times, their accounts' snapshots from
the earliest window on, and their renewal decisions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Account
from community.models import BadTime, EngagementLevel, EngagementSnapshot, LoyaltyOutcome
from community.models import OutcomeKind as K
from community.selectors.insights import NOT_COMPUTED, NOT_COMPUTED_LABEL
from community.statistics import Interval, round_half_up_to, whole_percent, wilson_interval

BEFORE_DAYS = 14
DROP_DAYS = 30
RECOVERY_DAYS = 90
RENEWAL_DAYS = 365
MIN_SAMPLE = 5  # under this: "too few to say", no figure
SMALL_GROUP = 10  # under this (and at least MIN_SAMPLE): shown, flagged "small group"
TOO_FEW = "too few to say"

DECISIONS = (K.RENEWED, K.EXPANDED, K.CONTRACTED, K.CHURNED)
RENEWING = (K.RENEWED, K.EXPANDED)

DEFINITIONS = {
    "score_before": f"The mean engagement score of the {BEFORE_DAYS} days before the bad time.",
    "drop": (
        f"The score before − the lowest score in the {DROP_DAYS} days from the bad time's day; "
        "0 when it did not fall."
    ),
    "days_to_recover": (
        "Days from the bad time to the first day the score is back at the score before; "
        f"0 when it did not fall below it within {DROP_DAYS} days; 'not yet' while it is not."
    ),
    "renewed": (
        f"The account's first renewal decision within {RENEWAL_DAYS} days from the bad time: "
        "renewed or expanded, against contracted or churned."
    ),
    "level_before": (
        f"The level of the account's latest snapshot in the {BEFORE_DAYS} days before the bad time."
    ),
    "recovered_share": (
        f"Of the bad times followed for {RECOVERY_DAYS} days, the share whose score was back "
        f"within {RECOVERY_DAYS} days; 95% Wilson interval."
    ),
    "median_days": (
        f"The median days to recover of the bad times followed for {RECOVERY_DAYS} days, one "
        f"not recovered counting as longer than {RECOVERY_DAYS}."
    ),
    "minimum": f"Under {MIN_SAMPLE} bad times a figure is '{TOO_FEW}'; under {SMALL_GROUP} "
    "it is flagged as a small group.",
}

Scores = dict[dt.date, float]  # an account's snapshot scores by day


# --- The figures of one bad time ---------------------------------------------------------------


def score_before(scores: Scores, day: dt.date) -> float | None:
    """The mean score of the snapshots from BEFORE_DAYS days before `day` to the day before."""
    start = day - dt.timedelta(days=BEFORE_DAYS)
    values = [score for d, score in scores.items() if start <= d < day]
    return sum(values) / len(values) if values else None


def lowest_after(scores: Scores, day: dt.date) -> float | None:
    """The lowest score from `day` to DROP_DAYS − 1 days after it; None without a snapshot."""
    end = day + dt.timedelta(days=DROP_DAYS)
    values = [score for d, score in scores.items() if day <= d < end]
    return min(values) if values else None


def score_drop(before: float | None, lowest: float | None) -> float | None:
    """How far the score fell: before − lowest, 0 when it did not fall."""
    if before is None or lowest is None:
        return None
    return max(0.0, before - lowest)


def days_to_recover(scores: Scores, day: dt.date, before: float | None) -> int | None:
    """Days until the score was back at `before` (0: it did not fall below it within DROP_DAYS
    days); None when it has not recovered yet, or cannot be measured (no score before, or no
    snapshot in those DROP_DAYS days)."""
    if before is None:
        return None
    days = sorted(d for d in scores if d >= day)
    window = [d for d in days if d < day + dt.timedelta(days=DROP_DAYS)]
    fell = next((d for d in window if scores[d] < before), None)
    if fell is None:
        return 0 if window else None
    back = next((d for d in days if d > fell and scores[d] >= before), None)
    return None if back is None else (back - day).days


@dataclass(frozen=True)
class Renewal:
    state: str  # renewed, not_renewed, no_decision, not_yet
    kind: str = ""
    occurred_on: dt.date | None = None

    @property
    def label(self) -> str:
        if self.state in ("renewed", "not_renewed"):
            return K(self.kind).label
        return "No decision in the year after" if self.state == "no_decision" else "Not yet"


def renewal_after(decisions: list[tuple[dt.date, str]], day: dt.date, today: dt.date) -> Renewal:
    """The account's first renewal decision (day, kind; sorted) from `day` to RENEWAL_DAYS
    after; "not yet" while the window is still open."""
    end = day + dt.timedelta(days=RENEWAL_DAYS)
    for occurred_on, kind in decisions:
        if day <= occurred_on <= end:
            state = "renewed" if kind in RENEWING else "not_renewed"
            return Renewal(state=state, kind=kind, occurred_on=occurred_on)
    return Renewal(state="no_decision" if end < today else "not_yet")


def level_before(levels: dict[dt.date, str], day: dt.date) -> str:
    """The level of the latest snapshot in the BEFORE_DAYS days before `day` (the window of the
    score before), or NOT_COMPUTED."""
    start = day - dt.timedelta(days=BEFORE_DAYS)
    earlier = [d for d in levels if start <= d < day]
    return levels[max(earlier)] if earlier else NOT_COMPUTED


@dataclass(frozen=True)
class BadTimeFigures:
    bad_time: BadTime
    level_before: str
    score_before: float | None
    lowest: float | None
    drop: float | None
    recovered_in: int | None
    followed_days: int  # days from the bad time to the account's latest snapshot
    renewal: Renewal

    @property
    def level_before_label(self) -> str:
        return _level_label(self.level_before)

    @property
    def measurable(self) -> bool:
        return self.score_before is not None and self.lowest is not None

    @property
    def followed(self) -> bool:
        """Followed for the whole recovery window (counts in the by-level share)."""
        return self.measurable and self.followed_days >= RECOVERY_DAYS

    @property
    def recovered(self) -> bool:
        return self.recovered_in is not None and self.recovered_in <= RECOVERY_DAYS

    @property
    def score_before_shown(self) -> float | None:
        return None if self.score_before is None else round_half_up_to(self.score_before, 1)

    @property
    def drop_shown(self) -> float | None:
        return None if self.drop is None else round_half_up_to(self.drop, 1)

    @property
    def recovery_label(self) -> str:
        if not self.measurable:
            return "Cannot say: no score before"
        if self.recovered_in is None:
            return "Not yet"
        return "Did not fall" if self.recovered_in == 0 else f"{self.recovered_in} days"


def _level_label(level: str) -> str:
    if level == NOT_COMPUTED:
        return NOT_COMPUTED_LABEL
    return EngagementLevel(level).label


def bad_time_figures(
    *, bad_times: QuerySet[BadTime], today: dt.date | None = None
) -> list[BadTimeFigures]:
    """Each bad time (in the order given) with its figures. Three queries (see the module)."""
    today = today or timezone.localdate()
    items = list(bad_times.select_related("account", "recorded_by"))
    if not items:
        return []
    account_ids = {b.account_id for b in items}
    start = min(b.occurred_on for b in items) - dt.timedelta(days=BEFORE_DAYS)
    scores: dict[int, Scores] = defaultdict(dict)
    levels: dict[int, dict[dt.date, str]] = defaultdict(dict)
    for account_id, day, score, level in EngagementSnapshot.objects.filter(
        account_id__in=account_ids, day__gte=start
    ).values_list("account_id", "day", "score", "level"):
        scores[account_id][day] = float(score)
        levels[account_id][day] = level
    decisions: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for account_id, occurred_on, kind in (
        LoyaltyOutcome.objects.filter(
            account_id__in=account_ids, kind__in=DECISIONS, occurred_on__gte=start
        )
        .order_by("occurred_on", "pk")
        .values_list("account_id", "occurred_on", "kind")
    ):
        decisions[account_id].append((occurred_on, kind))
    return [
        _figures(b, scores[b.account_id], levels[b.account_id], decisions, today) for b in items
    ]


def _figures(bad_time, scores, levels, decisions, today) -> BadTimeFigures:
    day = bad_time.occurred_on
    before, lowest = score_before(scores, day), lowest_after(scores, day)
    last = max(scores) if scores else day
    return BadTimeFigures(
        bad_time=bad_time,
        level_before=level_before(levels, day),
        score_before=before,
        lowest=lowest,
        drop=score_drop(before, lowest),
        recovered_in=days_to_recover(scores, day, before),
        followed_days=max(0, (last - day).days),
        renewal=renewal_after(decisions.get(bad_time.account_id, []), day, today),
    )


# --- One account -------------------------------------------------------------------------------


def account_robustness(*, account: Account, today: dt.date | None = None) -> list[BadTimeFigures]:
    """The account's bad times, latest first, with their figures."""
    return bad_time_figures(bad_times=BadTime.objects.filter(account=account), today=today)


ACCOUNT_CSV_HEADER = (
    "account kind occurred_on reference level_before score_before drop days_to_recover "
    "recovery renewal renewal_kind renewal_on"
).split()


def account_csv_rows(figures: list[BadTimeFigures]) -> list[list[object]]:
    """One row per bad time (ACCOUNT_CSV_HEADER), the figures as the page shows them."""
    return [
        [
            f.bad_time.account.slug,
            f.bad_time.kind,
            f.bad_time.occurred_on,
            f.bad_time.reference,
            f.level_before,
            "" if f.score_before_shown is None else f.score_before_shown,
            "" if f.drop_shown is None else f.drop_shown,
            "" if f.recovered_in is None else f.recovered_in,
            f.recovery_label,
            f.renewal.state,
            f.renewal.kind,
            f.renewal.occurred_on or "",
        ]
        for f in figures
    ]


# --- By level before the bad time ---------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """k of n bad times, with its 95% Wilson interval; no figure under MIN_SAMPLE."""

    k: int
    n: int

    @property
    def too_few(self) -> bool:
        return self.n < MIN_SAMPLE

    @property
    def small(self) -> bool:
        return not self.too_few and self.n < SMALL_GROUP

    @property
    def rate(self) -> float | None:
        return None if self.too_few else self.k / self.n

    @property
    def interval(self) -> Interval | None:
        return None if self.too_few else wilson_interval(self.k, self.n)

    @property
    def percent(self) -> int | None:
        return None if self.too_few else whole_percent(self.k, self.n)

    @property
    def low_percent(self) -> int | None:
        return None if self.too_few else whole_percent(self.interval.low)

    @property
    def high_percent(self) -> int | None:
        return None if self.too_few else whole_percent(self.interval.high)


def median_days_to_recover(days: list[int | None]) -> tuple[float | None, bool]:
    """The median of the days to recover of followed bad times (None: not recovered within
    RECOVERY_DAYS, longer than any), and whether it is "longer than RECOVERY_DAYS". For an even
    count, the mean of the two middle ones. (None, False) under MIN_SAMPLE."""
    if len(days) < MIN_SAMPLE:
        return None, False
    longer = RECOVERY_DAYS + 1
    ordered = sorted(longer if d is None or d > RECOVERY_DAYS else d for d in days)
    middle = len(ordered) // 2
    pair = ordered[middle - 1 : middle + 1] if len(ordered) % 2 == 0 else [ordered[middle]]
    if any(d == longer for d in pair):
        return None, True
    return sum(pair) / len(pair), False


@dataclass(frozen=True)
class LevelRobustness:
    level: str
    label: str
    bad_times: int  # every bad time at this level before it
    accounts: int
    recovered: Share  # of the followed ones
    median_days: float | None
    median_longer: bool  # the median is longer than RECOVERY_DAYS
    renewed: Share  # of those with a renewal decision in the window

    @property
    def median_label(self) -> str:
        if self.recovered.too_few:
            return TOO_FEW
        if self.median_longer:
            return f"over {RECOVERY_DAYS} days"
        return f"{self.median_days:g} days"


@dataclass(frozen=True)
class RobustnessByLevel:
    period_from: dt.date
    period_to: dt.date
    levels: list[LevelRobustness] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=lambda: DEFINITIONS)
    min_sample: int = MIN_SAMPLE
    small_group: int = SMALL_GROUP
    recovery_days: int = RECOVERY_DAYS

    @property
    def any_bad_times(self) -> bool:
        return any(row.bad_times for row in self.levels)


LEVELS_CSV_HEADER = (
    "level level_label bad_times accounts followed recovered recovered_percent "
    "recovered_low_percent recovered_high_percent median_days_to_recover decided renewed "
    "renewed_percent renewed_low_percent renewed_high_percent too_few_to_say small_group"
).split()


def levels_csv_rows(result: RobustnessByLevel) -> list[list[object]]:
    def cell(value):
        return "" if value is None else value

    return [
        [
            row.level,
            row.label,
            row.bad_times,
            row.accounts,
            row.recovered.n,
            row.recovered.k,
            cell(row.recovered.percent),
            cell(row.recovered.low_percent),
            cell(row.recovered.high_percent),
            row.median_label,
            row.renewed.n,
            row.renewed.k,
            cell(row.renewed.percent),
            cell(row.renewed.low_percent),
            cell(row.renewed.high_percent),
            "yes" if row.recovered.too_few else "no",
            "yes" if row.recovered.small else "no",
        ]
        for row in result.levels
    ]


def robustness_by_level(
    *,
    accounts: QuerySet[Account],
    period_from: dt.date,
    period_to: dt.date,
    segment: str = "",
    today: dt.date | None = None,
) -> RobustnessByLevel:
    """The bad times of `accounts` (the caller's visible ones, optionally of one segment) dated
    in the period, grouped by the level before each: counts, recovered share, median days to
    recover, renewed share."""
    if period_from > period_to:
        raise ValueError("The period must not end before it starts.")
    if segment:
        accounts = accounts.filter(segment=segment)
    figures = bad_time_figures(
        bad_times=BadTime.objects.filter(
            account__in=accounts.order_by().values("pk"),
            occurred_on__gte=period_from,
            occurred_on__lte=period_to,
        ),
        today=today,
    )
    groups: dict[str, list[BadTimeFigures]] = defaultdict(list)
    for f in figures:
        groups[f.level_before].append(f)
    order = [level for level, _ in EngagementLevel.choices]
    if groups.get(NOT_COMPUTED):
        order.append(NOT_COMPUTED)
    return RobustnessByLevel(
        period_from=period_from,
        period_to=period_to,
        levels=[_level_row(level, groups.get(level, [])) for level in order],
    )


def _level_row(level: str, figures: list[BadTimeFigures]) -> LevelRobustness:
    followed = [f for f in figures if f.followed]
    decided = [f for f in figures if f.renewal.state in ("renewed", "not_renewed")]
    median, longer = median_days_to_recover([f.recovered_in for f in followed])
    return LevelRobustness(
        level=level,
        label=_level_label(level),
        bad_times=len(figures),
        accounts=len({f.bad_time.account_id for f in figures}),
        recovered=Share(k=sum(f.recovered for f in followed), n=len(followed)),
        median_days=median,
        median_longer=longer,
        renewed=Share(k=sum(f.renewal.state == "renewed" for f in decided), n=len(decided)),
    )
