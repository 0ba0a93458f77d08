"""Insights across accounts (B in A → C → B): how often accounts at each engagement level went
on to each loyalty outcome, with 95% Wilson score intervals.

The level that counts is the account's level *at the time*: the level of its engagement
snapshot on the outcome's date, or of the latest snapshot before it (an account that was
Contributing when it renewed and is Dormant today counts as Contributing). Outcomes dated before
an account's first snapshot fall in a group of their own ("level not known yet"), shown only
when there is such an outcome.

Two kinds of rate, because two kinds of outcome:

- **Renewal decisions** (renewed, expanded, contracted, churned). For level L, the rate of a
  kind is: accounts with that outcome in the period while at L ÷ accounts with any renewal
  decision in the period while at L. The four rates of a level need not add up to 100%: an
  account can renew and expand, and decide twice in a long period.
- **Advocacy** (referred, advocated) happens without a decision to count against. For level L,
  the rate is: accounts that referred (advocated) in the period while at L ÷ accounts that held
  L at some time in the period (the level on the period's first day, or any snapshot in it).

Either way an account counts once per level and kind, and at every level it decided (or held)
at. Groups of fewer than SMALL_GROUP accounts are flagged, never hidden.

`outcome_rates_by_level` reads three set-based queries whatever the number of accounts (see its
docstring); `wilson_interval` (community.statistics) is the interval of every rate. Its result is
remembered (config/results_cache.py) under the fingerprints of the rows it is computed from (the
accounts, their days of level change up to the period's end, their outcomes in the period), so
a remembered result is never stale; the levels held in the period take most of the time at full
size (~200 ms over 20,000 accounts), the fingerprints ~50 ms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import connections
from django.db.models import CharField, Count, F, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone

from accounts.models import Account
from community.models import EngagementLevel, EngagementSnapshot, LoyaltyOutcome, OutcomeKind
from community.models.engagement import LEVEL_CHANGE
from community.selectors.row_fingerprint import ids_fingerprint, rows_fingerprint
from community.statistics import Interval, whole_percent, wilson_interval
from config.results_cache import remembered

CACHE_VERSION = 1  # raise it when the rates' definitions change: older results are not read
CACHE_SECONDS = 24 * 60 * 60

# Under this many accounts a rate is flagged "few accounts: read with care" (still shown).
SMALL_GROUP = 5

# The default period: the last year.
DEFAULT_PERIOD_DAYS = 365

# The group of outcomes dated before the account's first engagement snapshot.
NOT_COMPUTED = "not_computed"
NOT_COMPUTED_LABEL = "Level not known yet"

DECISION_KINDS = (
    OutcomeKind.RENEWED,
    OutcomeKind.EXPANDED,
    OutcomeKind.CONTRACTED,
    OutcomeKind.CHURNED,
)
ADVOCACY_KINDS = (OutcomeKind.REFERRED, OutcomeKind.ADVOCATED)

DEFINITIONS = {
    "level_at_the_time": (
        "The level of the account's engagement snapshot on the outcome's date, or of the "
        "latest snapshot before it."
    ),
    "decision_rate": (
        "Accounts with this outcome in the period while at the level ÷ accounts with any "
        "renewal decision (renewed, expanded, contracted, churned) in the period while at it."
    ),
    "advocacy_rate": (
        "Accounts that referred (or advocated) in the period while at the level ÷ accounts "
        "that held the level at some time in the period."
    ),
    "interval": "95% Wilson score interval of the rate.",
    "rounding": (
        "Rates and interval ends are shown as whole percentages, rounded once from the "
        "unrounded share, halves up."
    ),
    "few": f"Fewer than {SMALL_GROUP} accounts in the group: read with care.",
}


# --- Rates by level at the time --------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRate:
    """k of n accounts: those with `kind` at a level, of those the kind is counted against."""

    kind: str
    label: str
    level: str
    accounts: int  # k
    of: int  # n

    @property
    def rate(self) -> float | None:
        return self.accounts / self.of if self.of else None

    @property
    def interval(self) -> Interval | None:
        return wilson_interval(self.accounts, self.of)

    @property
    def few(self) -> bool:
        return self.of < SMALL_GROUP

    # What every page, API field, chart and CSV shows: whole percentages, each rounded once
    # (community.statistics.whole_percent), never rounded again on the way out.
    @property
    def percent(self) -> int | None:
        return whole_percent(self.accounts, self.of) if self.of else None

    @property
    def low_percent(self) -> int | None:
        return whole_percent(self.interval.low) if self.of else None

    @property
    def high_percent(self) -> int | None:
        return whole_percent(self.interval.high) if self.of else None

    @property
    def is_decision(self) -> bool:
        return self.kind in DECISION_KINDS


@dataclass(frozen=True)
class LevelRates:
    level: str
    label: str
    decided: int  # accounts with a renewal decision in the period while at this level
    held: int  # accounts that held this level at some time in the period
    rates: list[OutcomeRate]

    @property
    def decision_rates(self) -> list[OutcomeRate]:
        return [r for r in self.rates if r.is_decision]

    @property
    def advocacy_rates(self) -> list[OutcomeRate]:
        return [r for r in self.rates if not r.is_decision]

    @property
    def decided_few(self) -> bool:
        return self.decided < SMALL_GROUP

    @property
    def held_few(self) -> bool:
        return self.held < SMALL_GROUP


CSV_HEADER = [
    "level",
    "level_label",
    "outcome",
    "outcome_label",
    "accounts",
    "of_accounts",
    "denominator",
    "rate_percent",
    "interval_low_percent",
    "interval_high_percent",
    "few_accounts",
]


@dataclass(frozen=True)
class OutcomeRates:
    period_from: dt.date
    period_to: dt.date
    segment: str
    levels: list[LevelRates]

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return [(str(kind), kind.label) for kind in (*DECISION_KINDS, *ADVOCACY_KINDS)]

    @property
    def small_group(self) -> int:
        return SMALL_GROUP

    @property
    def definitions(self) -> dict[str, str]:
        return DEFINITIONS

    @property
    def outcomes_counted(self) -> bool:
        return any(rate.accounts for level in self.levels for rate in level.rates)

    @property
    def by_outcome(self) -> list[tuple[str, str, bool, list[OutcomeRate]]]:
        """The table the page shows: per outcome kind (key, label, is a renewal decision), its
        rate at each level, in the order of `levels`."""
        return [
            (
                kind,
                label,
                kind in DECISION_KINDS,
                [self.rate(kind=kind, level=row.level) for row in self.levels],
            )
            for kind, label in self.kinds
        ]

    def rate(self, *, kind: str, level: str) -> OutcomeRate:
        row = next(row for row in self.levels if row.level == level)
        return next(rate for rate in row.rates if rate.kind == kind)

    def chart_data(self) -> dict:
        """What static/js/insights-chart.js draws: per kind, the rate and its interval per
        level (whole percent, as in the table; null where no account counts), and each level's
        key for its colour."""
        return {
            "levels": [row.label for row in self.levels],
            "level_keys": [row.level for row in self.levels],
            "kinds": {
                kind: {
                    "label": label,
                    "rates": [self.rate(kind=kind, level=r.level).percent for r in self.levels],
                    "low": [self.rate(kind=kind, level=r.level).low_percent for r in self.levels],
                    "high": [self.rate(kind=kind, level=r.level).high_percent for r in self.levels],
                    "accounts": [self.rate(kind=kind, level=r.level).accounts for r in self.levels],
                    "of": [self.rate(kind=kind, level=r.level).of for r in self.levels],
                    "few": [self.rate(kind=kind, level=r.level).few for r in self.levels],
                }
                for kind, label in self.kinds
            },
        }

    def csv_rows(self) -> list[list[object]]:
        """One row per level and outcome (CSV_HEADER)."""
        return [
            [
                row.level,
                row.label,
                rate.kind,
                rate.label,
                rate.accounts,
                rate.of,
                "accounts deciding" if rate.is_decision else "accounts at the level",
                "" if rate.percent is None else rate.percent,
                "" if rate.low_percent is None else rate.low_percent,
                "" if rate.high_percent is None else rate.high_percent,
                "yes" if rate.few else "no",
            ]
            for row in self.levels
            for rate in row.rates
        ]


def outcome_rates_ahead(*, today: dt.date | None = None) -> OutcomeRates:
    """The insights page's first view for readers who see every account (the default period,
    all segments), computed before anyone asks, by the task that fits loyalty over time ahead
    (community.tasks.insights_loyalty_ahead_task): it lands in the results cache, where the
    page finds it while nothing it is computed from has changed."""
    period_from, period_to = default_period(today=today)
    return outcome_rates_by_level(
        accounts=Account.objects.all(), period_from=period_from, period_to=period_to
    )


def default_period(*, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=DEFAULT_PERIOD_DAYS), today


PERIOD_ORDER_ERROR = "The period must not end before it starts."


def period_fill(period_from: dt.date | None, period_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period a filter asks for, its missing ends filled in: the end defaults to today,
    the start to the default period's length before the end (the caller checks the order)."""
    default_from, default_to = default_period()
    period_to = period_to or default_to
    return period_from or period_to - (default_to - default_from), period_to


def level_on(day_field: str, account_field: str) -> Subquery:
    """The account's level on a day, as a subquery to annotate rows with: the level of its
    snapshot of that day, or of the latest one before it (NULL: none yet). `day_field` and
    `account_field` name the outer row's day and account id (joins allowed). Insights read the
    level at an outcome's date with it; pilot results the level at a pilot's start."""
    return Subquery(
        EngagementSnapshot.objects.filter(
            account_id=OuterRef(account_field), day__lte=OuterRef(day_field)
        )
        .order_by("-day")
        .values("level")[:1]
    )


def outcome_rates_by_level(
    *,
    accounts: QuerySet[Account],
    period_from: dt.date,
    period_to: dt.date,
    segment: str = "",
) -> OutcomeRates:
    """Rates of every outcome kind per engagement level at the time, for the given accounts
    (the caller's visible ones) in the period (both days included), optionally of one segment.

    Queries, whatever the number of accounts or outcomes: (1) accounts per level at the time
    and outcome kind; (2) accounts per level at the time with any renewal decision; (3)
    accounts per level held in the period. Each reads the level with a correlated subquery on
    the snapshots' (account, day) index."""
    if period_from > period_to:
        raise ValueError("The period must not end before it starts.")
    if segment:
        accounts = accounts.filter(segment=segment)
    account_ids = accounts.order_by().values("pk")
    return remembered(
        _rates_key(
            account_ids=account_ids,
            period_from=period_from,
            period_to=period_to,
            segment=segment,
        ),
        lambda: _rates_compute(
            account_ids=account_ids,
            period_from=period_from,
            period_to=period_to,
            segment=segment,
        ),
        seconds=CACHE_SECONDS,
    )


def _rates_key(
    *, account_ids: QuerySet, period_from: dt.date, period_to: dt.date, segment: str
) -> str:
    """The key the rates are remembered under: the period and the fingerprints of what they are
    computed from: the accounts (an account without any snapshot still counts, as "not known
    yet"), their days of level change up to the period's end (the level on any day is the one
    of its last change by then), and their outcomes in the period."""
    changes = EngagementSnapshot.objects.filter(
        LEVEL_CHANGE, account__in=account_ids, day__lte=period_to
    )
    outcomes = LoyaltyOutcome.objects.filter(
        account__in=account_ids, occurred_on__gte=period_from, occurred_on__lte=period_to
    )
    parts = (
        CACHE_VERSION,
        period_from,
        period_to,
        segment,
        SMALL_GROUP,
        ids_fingerprint(account_ids),
        rows_fingerprint(changes, day="day", kind="level"),
        rows_fingerprint(outcomes, day="occurred_on", kind="kind"),
    )
    return "outcome-rates:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _rates_compute(
    *, account_ids: QuerySet, period_from: dt.date, period_to: dt.date, segment: str
) -> OutcomeRates:
    outcomes = (
        LoyaltyOutcome.objects.filter(
            account__in=account_ids, occurred_on__gte=period_from, occurred_on__lte=period_to
        )
        .annotate(level_then=level_on("occurred_on", "account_id"))
        .order_by()
    )
    with_kind: dict[tuple[str, str], int] = {
        (row["level_then"] or NOT_COMPUTED, row["kind"]): row["n"]
        for row in outcomes.values("level_then", "kind").annotate(
            n=Count("account_id", distinct=True)
        )
    }
    decided: dict[str, int] = {
        row["level_then"] or NOT_COMPUTED: row["n"]
        for row in outcomes.filter(kind__in=DECISION_KINDS)
        .values("level_then")
        .annotate(n=Count("account_id", distinct=True))
    }
    held = _accounts_per_level_held(
        account_ids=account_ids, period_from=period_from, period_to=period_to
    )

    levels = _level_rates(with_kind=with_kind, decided=decided, held=held)
    return OutcomeRates(
        period_from=period_from, period_to=period_to, segment=segment, levels=levels
    )


def _level_rates(
    *, with_kind: dict[tuple[str, str], int], decided: dict[str, int], held: dict[str, int]
) -> list[LevelRates]:
    """One row per level (and "level not known yet" when an outcome fell there): each outcome
    kind's count over the accounts that decided (renewals) or held the level (advocacy)."""
    order = list(EngagementLevel.choices)
    # "Level not known yet" only when an outcome fell there: accounts whose history starts
    # within the period are not worth a row of their own until then.
    if any(level == NOT_COMPUTED for level, _ in with_kind):
        order.append((NOT_COMPUTED, NOT_COMPUTED_LABEL))
    levels = []
    for level, label in order:
        rates = [
            OutcomeRate(
                kind=str(kind),
                label=kind.label,
                level=level,
                accounts=with_kind.get((level, str(kind)), 0),
                of=decided.get(level, 0) if kind in DECISION_KINDS else held.get(level, 0),
            )
            for kind in (*DECISION_KINDS, *ADVOCACY_KINDS)
        ]
        levels.append(
            LevelRates(
                level=level,
                label=label,
                decided=decided.get(level, 0),
                held=held.get(level, 0),
                rates=rates,
            )
        )
    return levels


def _levels_on_first_day(*, account_ids: QuerySet, day: dt.date) -> list[QuerySet]:
    """(account, level) of each account on `day` (level NULL: none computed by then), as
    querysets to unite. On PostgreSQL from the days of change alone: an account's level on a
    day is the one of its last change on or before it (its first snapshot is a change), and an
    account without one had none; elsewhere each account's last snapshot by then."""
    db = account_ids.db
    if connections[db].vendor != "postgresql":  # no DISTINCT ON: one look-up per account
        last = EngagementSnapshot.objects.filter(account_id=OuterRef("pk"), day__lte=day)
        return [
            Account.objects.filter(pk__in=account_ids)
            .order_by()
            .annotate(
                held_account=F("pk"),
                held_level=Subquery(last.order_by("-day").values("level")[:1]),
            )
            .values("held_account", "held_level")
        ]
    changes = EngagementSnapshot.objects.filter(LEVEL_CHANGE, account__in=account_ids, day__lte=day)
    last_change = (
        changes.order_by("account_id", "-day")
        .distinct("account_id")
        .annotate(held_account=F("account_id"), held_level=F("level"))
        .values("held_account", "held_level")
    )
    none_yet = (
        Account.objects.filter(pk__in=account_ids)
        .exclude(pk__in=changes.values("account_id"))
        .order_by()
        .annotate(held_account=F("pk"), held_level=Value(None, output_field=CharField()))
        .values("held_account", "held_level")
    )
    return [last_change, none_yet]


def _accounts_per_level_held(
    *, account_ids: QuerySet, period_from: dt.date, period_to: dt.date
) -> dict[str, int]:
    """Accounts that held each level at some time in the period, in one query: the distinct
    (account, level) pairs of the level on the period's first day (NULL: not computed yet)
    and of every change of level after it up to the period's last day, counted per level.

    A level held in the period is the one on its first day or one the account changed to
    during it, and the engine marks the day of a change (level_since = day: level_next), so
    only those rows are read (an index holds them), not every day of every account."""
    in_period = (
        EngagementSnapshot.objects.filter(
            LEVEL_CHANGE, account__in=account_ids, day__gt=period_from, day__lte=period_to
        )
        .order_by()
        .annotate(held_account=F("account_id"), held_level=F("level"))
        .values("held_account", "held_level")
    )
    held = in_period.union(*_levels_on_first_day(account_ids=account_ids, day=period_from))
    sql, params = held.query.sql_with_params()
    with connections[held.db].cursor() as cursor:  # the replica inside analytics_reads()
        cursor.execute(
            f"SELECT held_level, COUNT(*) FROM ({sql}) held GROUP BY held_level",  # noqa: S608 (Django-compiled SQL, parameters passed apart)
            params,
        )
        return {level or NOT_COMPUTED: count for level, count in cursor.fetchall()}
