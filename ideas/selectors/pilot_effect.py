"""A closed pilot's effect against matched accounts (docs/product.md, "Pilot effect against
matched accounts"): each participating account next to the account of its segment nearest to it
before the pilot that did not take part, the balance of the two groups, and the
difference-in-differences of the engagement score (the 90 days after the pilot against the 90
days before) and of renewal and expansion (the 12 months after against the 12 months before),
with 95% intervals, sample sizes and a plain-language reading.

`pilot_effect` reads a fixed number of queries whatever the number of accounts: (1) the
participating accounts with their scores before (correlated subqueries), (2) the candidates of
their segments as plain rows with their scores on the first and last day of the 90 days before
(`_candidates`), (3) only when some lack one of those days, their latest and first scores in
the window, (4) the matched accounts, (5) the matched accounts'
mean scores in both windows, (6) their renewals and expansions in both years. The statistics
are `ideas.selectors.pilot_effect_figures`'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Avg,
    Count,
    FilteredRelation,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.formats import format_date
from accounts.models import Account, segment_label
from community.models import EngagementSnapshot, LoyaltyOutcome, OutcomeKind
from community.statistics import round_half_up, round_half_up_to
from ideas.models import Enrolment, Pilot, PilotState
from ideas.selectors.pilot_effect_figures import (
    EffectFigure,
    MatchPoint,
    PanelRow,
    did_estimate,
    effect_reading,
    figure_shown,
    nearest_matches,
)

WINDOW_DAYS = 90  # the score's windows before and after the pilot
OUTCOME_DAYS = 365  # the renewal and expansion years before and after the pilot
MIN_ACCOUNTS = 5  # matched pairs below which an estimate is "too few to say"
MIN_OUTCOME_ACCOUNTS = 5  # account-years with the outcome below which it is "too few to say"

RENEWAL_KINDS = (OutcomeKind.RENEWED, OutcomeKind.EXPANDED)  # kept the contract (or grew it)
EXPANSION_KINDS = (OutcomeKind.EXPANDED,)


@dataclass(frozen=True)
class Windows:
    """The days each figure compares, both ends included."""

    before_from: dt.date
    before_to: dt.date
    after_from: dt.date
    after_to: dt.date
    after_days_so_far: int  # days of the after window up to today (0 to 90)
    outcomes_before_from: dt.date
    outcomes_after_to: dt.date
    outcomes_complete: bool  # the 12 months after have passed


@dataclass
class EffectAccount:
    """An account of a pair, with what the match and the estimates read of it."""

    account: Account
    score: Decimal | None  # on the day before the pilot (latest snapshot in the window)
    trend: Decimal | None  # that score − the first score in the window
    before_mean: float | None = None  # mean daily score in the 90 days before
    before_days: int = 0
    after_mean: float | None = None  # … in the 90 days after the pilot's last day
    after_days: int = 0
    renewed_before: bool = False
    renewed_after: bool = False
    expanded_before: bool = False
    expanded_after: bool = False

    @property
    def segment_label(self) -> str:
        return segment_label(self.account.segment)

    @property
    def change(self) -> float | None:
        if self.before_mean is None or self.after_mean is None:
            return None
        return self.after_mean - self.before_mean

    @property
    def change_shown(self) -> float | None:
        return None if self.change is None else round_half_up_to(self.change, 1)


@dataclass
class EffectPair:
    participant: EffectAccount
    matched: EffectAccount | None
    note: str = ""  # why it has no match, or why it does not count

    @property
    def scores_count(self) -> bool:
        """Both accounts have scores in both windows: the pair counts for the score."""
        return self.matched is not None and all(
            a.before_days and a.after_days for a in (self.participant, self.matched)
        )


@dataclass(frozen=True)
class BalanceRow:
    """A matching variable's mean over the participants and over their matches."""

    key: str
    label: str
    participants: float | None
    matched: float | None
    places: int

    @property
    def difference(self) -> float | None:
        if self.participants is None or self.matched is None:
            return None
        return _rounded(self.participants - self.matched, self.places)

    @property
    def shown(self) -> tuple[str, str, str]:
        """Participants, matched, difference as the page writes them: grouped thousands (a
        contract value of 125,000), "—" for none."""
        return tuple(
            "—" if value is None else f"{value:,.{self.places}f}"
            for value in (self.participants, self.matched, self.difference)
        )


def _rounded(value: float, places: int) -> float | int:
    """To `places` decimals, halves away from zero; a whole number when `places` is 0."""
    return round_half_up(value) if places == 0 else round_half_up_to(value, places)


@dataclass
class PilotEffect:
    pilot: Pilot
    closed: bool
    today: dt.date
    windows: Windows
    pairs: list[EffectPair] = field(default_factory=list)
    balance: list[BalanceRow] = field(default_factory=list)
    figures: list[EffectFigure] = field(default_factory=list)
    reading: str = ""
    min_accounts: int = MIN_ACCOUNTS
    min_outcome_accounts: int = MIN_OUTCOME_ACCOUNTS

    @property
    def matched_pairs(self) -> int:
        return sum(p.matched is not None for p in self.pairs)

    def figure(self, key: str) -> EffectFigure:
        return next(f for f in self.figures if f.key == key)


def effect_windows(pilot: Pilot, *, today: dt.date) -> Windows:
    before_to = pilot.runs_from - dt.timedelta(days=1)
    after_from = pilot.runs_until + dt.timedelta(days=1)
    after_to = pilot.runs_until + dt.timedelta(days=WINDOW_DAYS)
    outcomes_after_to = pilot.runs_until + dt.timedelta(days=OUTCOME_DAYS)
    return Windows(
        before_from=pilot.runs_from - dt.timedelta(days=WINDOW_DAYS),
        before_to=before_to,
        after_from=after_from,
        after_to=after_to,
        after_days_so_far=max(0, min(WINDOW_DAYS, (today - pilot.runs_until).days)),
        outcomes_before_from=pilot.runs_from - dt.timedelta(days=OUTCOME_DAYS),
        outcomes_after_to=outcomes_after_to,
        outcomes_complete=today >= outcomes_after_to,
    )


def pilot_effect(
    *, pilot: Pilot, accounts: QuerySet[Account], today: dt.date | None = None
) -> PilotEffect:
    """The pilot's effect over `accounts` (the reader's visible ones: both the participants and
    the accounts they may be matched with)."""
    today = today or timezone.localdate()
    windows = effect_windows(pilot, today=today)
    effect = PilotEffect(
        pilot=pilot, closed=pilot.state == PilotState.CLOSED, today=today, windows=windows
    )
    if not effect.closed:
        effect.reading = "The effect is estimated once the pilot is closed."
        return effect
    effect.pairs = _pairs(pilot, accounts, windows)
    chosen = [a for p in effect.pairs for a in (p.participant, p.matched) if a is not None]
    _scores_read(chosen, windows)
    _outcomes_read(chosen, windows)
    effect.balance = _balance(effect.pairs)
    effect.figures = [
        _score_figure(effect.pairs, windows),
        _outcome_figure(effect.pairs, windows, key="renewal"),
        _outcome_figure(effect.pairs, windows, key="expansion"),
    ]
    effect.reading = effect_reading(effect.figures)
    return effect


# --- Reading the rows -------------------------------------------------------------------------


def _with_match_variables(accounts: QuerySet[Account], windows: Windows) -> QuerySet[Account]:
    in_window = EngagementSnapshot.objects.filter(
        account_id=OuterRef("pk"), day__gte=windows.before_from, day__lte=windows.before_to
    )
    return accounts.annotate(
        score_then=Subquery(in_window.order_by("-day").values("score")[:1]),
        score_first=Subquery(in_window.order_by("day").values("score")[:1]),
    )


_TENTH = Decimal("0.1")


def _score_and_trend(score, first) -> tuple[Decimal | None, Decimal | None]:
    """Scores as stored (one decimal; SQLite's subquery drops a trailing zero: put back)."""
    if score is None:
        return None, None
    score, first = Decimal(score).quantize(_TENTH), Decimal(first).quantize(_TENTH)
    return score, score - first


def _effect_account(account: Account) -> EffectAccount:
    score, trend = _score_and_trend(account.score_then, account.score_first)
    return EffectAccount(account=account, score=score, trend=trend)


def _point(row: EffectAccount) -> MatchPoint:
    return MatchPoint(
        account_id=row.account.pk,
        segment=row.account.segment,
        score=float(row.score),
        trend=float(row.trend),
        contract_value=float(row.account.annual_contract_value),
    )


def _candidates(
    pilot: Pilot, accounts: QuerySet[Account], windows: Windows, segments: set[str]
) -> dict[int, MatchPoint]:
    """The accounts of the segments that may be matched, with a score in the 90 days before,
    as the match's points by id. At full size a segment has thousands: they are read as plain
    floats in one query (no model instance, no Decimal for an account that is not chosen),
    each with its scores on the last and the first day of the window, where nearly every
    account has a snapshot (a join each, on the snapshots' (day, account) index). Only the
    accounts without one of those two days are looked up one by one (the correlated
    subqueries of `_with_match_variables`), in one more query when there are any."""
    # Not in this pilot, nor in any other that ran within the windows (it moves scores too).
    in_a_pilot = Enrolment.objects.filter(
        pilot__runs_from__lte=windows.after_to, pilot__runs_until__gte=windows.before_from
    ).values("account_id")
    pool = accounts.filter(segment__in=segments).exclude(pk__in=in_a_pilot)
    rows = (
        pool.annotate(
            on_last=FilteredRelation(
                "engagement_snapshots", condition=Q(engagement_snapshots__day=windows.before_to)
            ),
            on_first=FilteredRelation(
                "engagement_snapshots", condition=Q(engagement_snapshots__day=windows.before_from)
            ),
        )
        .annotate(
            value=Cast("annual_contract_value", FloatField()),
            then=Cast("on_last__score", FloatField()),
            start=Cast("on_first__score", FloatField()),
        )
        .order_by("pk")
        .values_list("pk", "segment", "value", "then", "start")
    )
    candidates, gaps = {}, {}
    for pk, segment, value, then, start in _plain_rows(rows):
        if then is None or start is None:
            gaps[pk] = (segment, value)
        else:  # scores have one decimal: so has their difference
            candidates[pk] = MatchPoint(pk, segment, then, round(then - start, 1), value)
    if gaps:
        looked_up = _with_match_variables(pool.filter(pk__in=list(gaps)), windows)
        for pk, then, start in looked_up.values_list("pk", "score_then", "score_first"):
            if then is not None:
                segment, value = gaps[pk]
                then, start = float(then), float(start)
                candidates[pk] = MatchPoint(pk, segment, then, round(then - start, 1), value)
    return candidates


def _plain_rows(rows: QuerySet) -> list[tuple]:
    """The rows as the database driver gives them: the casts already made them floats, and
    Django's converters (a call per value, thousands of rows) would only repeat it."""
    try:
        sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:  # no segment to match in (a pilot nobody took part in)
        return []
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _stored(point: MatchPoint) -> tuple[Decimal, Decimal]:
    """A chosen candidate's score and trend as stored, with one decimal."""
    return tuple(Decimal(f"{value:.1f}") + 0 for value in (point.score, point.trend))


def _pairs(pilot: Pilot, accounts: QuerySet[Account], windows: Windows) -> list[EffectPair]:
    took_part = Enrolment.objects.filter(pilot=pilot).values("account_id")
    participants = [
        _effect_account(a)
        for a in _with_match_variables(accounts.filter(pk__in=took_part), windows).order_by(
            "name", "pk"
        )
    ]
    candidates = _candidates(pilot, accounts, windows, {p.account.segment for p in participants})
    with_history = [p for p in participants if p.score is not None]
    matches = nearest_matches([_point(p) for p in with_history], list(candidates.values()))
    chosen = {a.pk: a for a in accounts.filter(pk__in=[m for m in matches.values() if m])}
    pairs = []
    for participant in participants:
        if participant.score is None:
            pairs.append(EffectPair(participant, None, "no score in the 90 days before"))
            continue
        matched = matches[participant.account.pk]
        if matched is None:
            pairs.append(EffectPair(participant, None, "no account of its segment left to match"))
        else:
            score, trend = _stored(candidates[matched])
            pairs.append(EffectPair(participant, EffectAccount(chosen[matched], score, trend)))
    return pairs


def _scores_read(rows: list[EffectAccount], windows: Windows) -> None:
    before = Q(day__gte=windows.before_from, day__lte=windows.before_to)
    after = Q(day__gte=windows.after_from, day__lte=windows.after_to)
    means = {
        r["account_id"]: r
        for r in EngagementSnapshot.objects.filter(
            before | after, account_id__in=[row.account.pk for row in rows]
        )
        .values("account_id")
        .annotate(
            before_mean=Avg("score", filter=before),
            before_days=Count("pk", filter=before),
            after_mean=Avg("score", filter=after),
            after_days=Count("pk", filter=after),
        )
        .order_by()
    }
    for row in rows:
        found = means.get(row.account.pk)
        if found:
            row.before_days, row.after_days = found["before_days"], found["after_days"]
            row.before_mean = _float(found["before_mean"])
            row.after_mean = _float(found["after_mean"])


def _float(value) -> float | None:
    return None if value is None else float(value)


def _outcomes_read(rows: list[EffectAccount], windows: Windows) -> None:
    by_id = {row.account.pk: row for row in rows}
    outcomes = LoyaltyOutcome.objects.filter(
        account_id__in=list(by_id),
        kind__in=RENEWAL_KINDS,
        occurred_on__gte=windows.outcomes_before_from,
        occurred_on__lte=windows.outcomes_after_to,
    ).values_list("account_id", "kind", "occurred_on")
    pilot_from = windows.before_to + dt.timedelta(days=1)
    for account_id, kind, day in outcomes:
        row = by_id[account_id]
        if day < pilot_from:
            row.renewed_before = True
            row.expanded_before = row.expanded_before or kind in EXPANSION_KINDS
        elif day >= windows.after_from:
            row.renewed_after = True
            row.expanded_after = row.expanded_after or kind in EXPANSION_KINDS


# --- The figures ------------------------------------------------------------------------------


def _balance(pairs: list[EffectPair]) -> list[BalanceRow]:
    matched = [p for p in pairs if p.matched is not None]

    def mean_of(accounts: list[EffectAccount], value) -> float | None:
        values = [float(value(a)) for a in accounts]
        return sum(values) / len(values) if values else None

    rows = []
    for key, label, value, places in (
        ("score", "Score on the day before the pilot", lambda a: a.score, 1),
        ("trend", "Trend over the 90 days before", lambda a: a.trend, 1),
        (
            "contract_value",
            "Annual contract value (each account's own currency)",
            lambda a: a.account.annual_contract_value,
            0,
        ),
    ):
        participants = mean_of([p.participant for p in matched], value)
        matches = mean_of([p.matched for p in matched], value)
        rows.append(
            BalanceRow(
                key=key,
                label=label,
                participants=None if participants is None else _rounded(participants, places),
                matched=None if matches is None else _rounded(matches, places),
                places=places,
            )
        )
    return rows


def _panel(pairs: list[EffectPair], value) -> list[PanelRow]:
    rows = []
    for pair in pairs:
        for account, participant in ((pair.participant, True), (pair.matched, False)):
            before, after = value(account)
            rows.append(PanelRow(account.account.pk, participant, False, before))
            rows.append(PanelRow(account.account.pk, participant, True, after))
    return rows


def _pairs_text(n: int) -> str:
    return f"{n} matched pair{'' if n == 1 else 's'}"


def _score_figure(pairs: list[EffectPair], windows: Windows) -> EffectFigure:
    counted = [p for p in pairs if p.scores_count]
    figure = {"key": "score", "label": "Engagement score", "unit": "points"}
    n = len(counted)
    if windows.after_days_so_far == 0:
        return EffectFigure(
            **figure, participants_n=n, matched_n=n, too_few=True, why="no day after it yet"
        )
    if n < MIN_ACCOUNTS:
        why = f"{_pairs_text(n)} with scores before and after, under {MIN_ACCOUNTS}"
        return EffectFigure(**figure, participants_n=n, matched_n=n, too_few=True, why=why)
    did = did_estimate(_panel(counted, lambda a: (a.before_mean, a.after_mean)))
    return figure_shown(figure, did, places=1, scale=1)


def _outcome_figure(pairs: list[EffectPair], windows: Windows, *, key: str) -> EffectFigure:
    label, attribute = {
        "renewal": ("Renewed or expanded", "renewed"),
        "expansion": ("Expanded", "expanded"),
    }[key]
    figure = {"key": key, "label": label, "unit": "percentage points"}
    counted = [p for p in pairs if p.matched is not None]
    n = len(counted)

    def value(a: EffectAccount) -> tuple[float, float]:
        return float(getattr(a, f"{attribute}_before")), float(getattr(a, f"{attribute}_after"))

    rows = _panel(counted, value) if counted else []
    events = sum(r.value for r in rows)
    why = ""
    if not windows.outcomes_complete:
        why = f"the 12 months after the pilot end on {format_date(windows.outcomes_after_to)}"
    elif n < MIN_ACCOUNTS:
        why = f"{_pairs_text(n)}, under {MIN_ACCOUNTS}"
    elif events < MIN_OUTCOME_ACCOUNTS:
        why = f"{int(events)} account-years with one, under {MIN_OUTCOME_ACCOUNTS}"
    if why:
        return EffectFigure(**figure, participants_n=n, matched_n=n, too_few=True, why=why)
    return figure_shown(figure, did_estimate(rows), places=0, scale=100)
