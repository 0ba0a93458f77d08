"""The value exchanged: what an account gave and what it got back, month by month ("something
for something", docs/product.md "The value exchanged").

The ledger spans apps: referrals, workshops, answers from the supplier's people and closed
loops are community's activity events; ideas, check-ins, pilots, adopted ideas and early
access are the ideas app's rows, and community never imports ideas. So the ledger is a
**registry of contributors**, as the home's to-dos are (community/selectors/todos.py): each
app registers, from its AppConfig.ready, the kinds it counts and one function that counts them

    value_contributor_register(name="ideas", kinds=IDEAS_KINDS, counter=ideas_value_counts)

A counter takes account ids and a period [start, end) and returns (account id, first day of
the month, kind key, count) rows, in a fixed number of queries whatever the number of
accounts or rows (grouped in the database), so a page of the portfolio costs the same for 5
accounts as for 25. Community's own contributor is at the end of this module.

Counts only: the ledger names nobody and lists no titles, so it tells a customer admin
nothing about another account's people.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.formats import format_month
from accounts.models import Account
from community.models import ActivityEvent, ActivityKind
from config.sql_once import SqlOnce

GAVE, GOT = "gave", "got"
SIDES = {GAVE: "What the account gave", GOT: "What it got back"}
VALUE_MONTHS = 12  # the ledger's default period: this month and the 11 before
VALUE_MONTHS_MAX = 36


@dataclass(frozen=True)
class ValueKind:
    """One line of the ledger: `key` (as in the API and the CSV), its side (GAVE or GOT), its
    label, where it stands among its side's lines, and its definition in one sentence."""

    key: str
    side: str
    label: str
    position: int
    definition: str


ValueRow = tuple[int, dt.date, str, int]  # (account id, first day of the month, kind key, count)
ValueCounter = Callable[[Sequence[int], dt.datetime, dt.datetime], Iterable[ValueRow]]


@dataclass(frozen=True)
class _Contributor:
    kinds: tuple[ValueKind, ...]
    counter: ValueCounter


_contributors: dict[str, _Contributor] = {}


def value_contributor_register(
    *, name: str, kinds: Iterable[ValueKind], counter: ValueCounter
) -> None:
    """Register (or replace, so a second ready() is harmless) an app's kinds and counter."""
    _contributors[name] = _Contributor(kinds=tuple(kinds), counter=counter)


def value_kinds() -> list[ValueKind]:
    """Every registered kind: what was given first, then what came back, each in its order."""
    kinds = [kind for c in _contributors.values() for kind in c.kinds]
    return sorted(kinds, key=lambda k: (k.side != GAVE, k.position, k.key))


# --- Months -----------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_trunc(field: str) -> TruncMonth:
    """The first day of the month of a moment (`field`) in the site's time zone, computed by
    the database and read as a date: the same SQL as TruncMonth's, without a time-zone
    conversion per row in Python (the ledger's counters read hundreds of rows)."""
    return TruncMonth(field, output_field=DateField())


def month_of(value: dt.date | dt.datetime) -> dt.date:
    """The first day of the month of a date, or of a moment in the site's time zone (what the
    database's TruncMonth gives, on PostgreSQL and on SQLite)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return month_start(value)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- The ledger -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueMonth:
    month: dt.date  # its first day
    counts: dict[str, int]  # kind key → count (every kind, zeros included)
    gave: int
    got: int


@dataclass(frozen=True)
class ValueLine:
    kind: ValueKind
    counts: list[int]  # per month of the ledger

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ValueSide:
    key: str  # GAVE or GOT
    label: str
    rows: list[ValueLine]
    totals: list[int]  # per month

    @property
    def total(self) -> int:
        return sum(self.totals)


@dataclass(frozen=True)
class ValueLedger:
    """An account's ledger over `months` whole months, the current one last."""

    account: Account
    kinds: list[ValueKind]
    months: list[ValueMonth]  # oldest first, every month of the period
    period_from: dt.date  # the first day of the first month
    period_to: dt.date  # the last day of the last month

    @property
    def totals(self) -> dict[str, int]:
        return {k.key: sum(m.counts[k.key] for m in self.months) for k in self.kinds}

    @property
    def gave(self) -> int:
        return sum(m.gave for m in self.months)

    @property
    def got(self) -> int:
        return sum(m.got for m in self.months)

    def side(self, side: str) -> list[ValueKind]:
        return [k for k in self.kinds if k.side == side]

    def table(self) -> list[ValueSide]:
        """The ledger as its page's table shows it: per side, one row per kind (its count in
        each month and in all), then the side's total per month and in all."""
        sides = []
        for side, label in SIDES.items():
            rows = [
                ValueLine(kind=k, counts=[m.counts[k.key] for m in self.months])
                for k in self.side(side)
            ]
            totals = [getattr(m, side) for m in self.months]
            sides.append(ValueSide(key=side, label=label, rows=rows, totals=totals))
        return sides

    def chart_data(self) -> dict:
        """For static/js/value-exchanged-chart.js (passed with json_script)."""
        return {
            "months": [format_month(m.month) for m in self.months],
            "kinds": [
                {
                    "key": k.key,
                    "side": k.side,
                    "label": k.label,
                    "counts": [m.counts[k.key] for m in self.months],
                }
                for k in self.kinds
            ],
        }


def value_period(*, today: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The first day of the period's first month and the first day after its last month."""
    last = month_start(today)
    return months_add(last, -(months - 1)), months_add(last, 1)


def value_ledgers(
    *, accounts: Sequence[Account], months: int = VALUE_MONTHS, today: dt.date | None = None
) -> dict[int, ValueLedger]:
    """The ledger of each account: one call of each registered counter for all of them."""
    today = today or timezone.localdate()
    first, after = value_period(today=today, months=months)
    kinds = value_kinds()
    counts: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for account_id, month, key, n in _counted(accounts, first, after):
        counts[(account_id, month)][key] += n
    month_days = [months_add(first, i) for i in range(months)]
    sides = {k.key: k.side for k in kinds}
    ledgers = {}
    for account in accounts:
        rows = []
        for month in month_days:
            found = counts.get((account.pk, month), {})
            row = {k.key: found.get(k.key, 0) for k in kinds}
            gave, got = _by_side(row, sides)
            rows.append(ValueMonth(month=month, counts=row, gave=gave, got=got))
        ledgers[account.pk] = ValueLedger(
            account=account,
            kinds=kinds,
            months=rows,
            period_from=first,
            period_to=after - dt.timedelta(days=1),
        )
    return ledgers


def value_ledger(
    *, account: Account, months: int = VALUE_MONTHS, today: dt.date | None = None
) -> ValueLedger:
    """One account's ledger (its page, its API answer and its CSV)."""
    return value_ledgers(accounts=[account], months=months, today=today)[account.pk]


@dataclass(frozen=True)
class ValueTotals:
    """What an account gave and what it got back over a ledger's period: its ledger's `gave`
    and `got`."""

    gave: int
    got: int


def value_totals(
    *, accounts: Sequence[Account], months: int = VALUE_MONTHS, today: dt.date | None = None
) -> dict[int, ValueTotals]:
    """Each account's ledger's `gave` and `got` (the portfolio's column and its CSV): the same
    counters, one call each for all the accounts, their rows added up by side as the ledger
    adds them (a kind it registers, a month of its period), without the months and lines."""
    today = today or timezone.localdate()
    first, after = value_period(today=today, months=months)
    sides = {k.key: k.side for k in value_kinds()}
    month_days = {months_add(first, i) for i in range(months)}
    counts: dict[int, dict[str, int]] = {a.pk: defaultdict(int) for a in accounts}
    for account_id, month, key, n in _counted(accounts, first, after):
        if month in month_days and account_id in counts:
            counts[account_id][key] += n
    return {pk: ValueTotals(*_by_side(row, sides)) for pk, row in counts.items()}


def _by_side(counts: dict[str, int], sides: dict[str, str]) -> tuple[int, int]:
    """(gave, got): the counts of the registered kinds (`sides`: kind key → side) added up by
    side. The one sum behind every "gave" and "got" (a ledger's months, its totals, the
    portfolio's column)."""
    gave = sum(n for key, n in counts.items() if sides.get(key) == GAVE)
    got = sum(n for key, n in counts.items() if sides.get(key) == GOT)
    return gave, got


def _counted(accounts: Sequence[Account], first: dt.date, after: dt.date) -> Iterator[ValueRow]:
    """Every registered counter's rows for the accounts over [first, after): one call each
    (none without accounts)."""
    ids = [a.pk for a in accounts]
    if not ids:
        return
    for contributor in _contributors.values():
        yield from contributor.counter(ids, _midnight(first), _midnight(after))


# --- Community's contributions: from activity events -------------------------------------------

# (kind, is_support) of the events counted → the ledger's kind key. The condition of their
# partial index (community 0031) names the same pairs: change both (a test compares them).
_EVENT_KINDS = {
    (ActivityKind.REFERRAL, False): "referrals",
    (ActivityKind.REFERENCE_CALL, False): "reference_calls",
    (ActivityKind.WORKSHOP_ATTENDED, False): "workshops",
    (ActivityKind.DISCUSSION_POST, True): "answers",
    (ActivityKind.COMMENT, True): "answers",
    (ActivityKind.LOOP_CLOSED, True): "loops_closed",
}

COMMUNITY_KINDS = (
    ValueKind(
        "referrals",
        GAVE,
        "Referrals",
        40,
        "Customers it referred to us: its referral events, in the product or recorded by its "
        "account team as offline events.",
    ),
    ValueKind(
        "reference_calls",
        GAVE,
        "Reference calls",
        50,
        "Reference calls it took for us, as its account team recorded them.",
    ),
    ValueKind(
        "workshops",
        GAVE,
        "Workshops attended",
        60,
        "Workshops its people attended, as its account team recorded them.",
    ),
    ValueKind(
        "loops_closed",
        GOT,
        "Loops closed",
        20,
        "Decisions closed with its name on them (“you said, we did”): a pilot it took part "
        "in decided, or an idea of its own adopted, sent to iterate or declined.",
    ),
    ValueKind(
        "answers",
        GOT,
        "Answers from the product team",
        40,
        "Replies of internal people (product managers, the account team) in discussion "
        "threads its people started, and their comments on ideas its people proposed.",
    ),
)


def _counted_events(ids: list[int], start: dt.datetime, end: dt.datetime):
    customer = Q(is_support=False, kind__in=[k for k, s in _EVENT_KINDS if not s])
    support = Q(is_support=True, kind__in=[k for k, s in _EVENT_KINDS if s])
    return (
        ActivityEvent.objects.filter(
            customer | support,
            account_id__any_of=ids,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .annotate(month=month_trunc("occurred_at"))
        .order_by()
        .values_list("account_id", "month", "kind", "is_support")
        .annotate(n=Count("*"))  # from the index alone (community 0031), as pk is never NULL
    )


_COUNTED_EVENTS = SqlOnce(
    ActivityEvent, _counted_events, ids=list, start=dt.datetime, end=dt.datetime
)


def community_value_counts(
    account_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> list[ValueRow]:
    """Referrals, reference calls and workshops (customer events), answers and closed loops
    (support events) per account and month: one grouped query (its SQL kept: SqlOnce)."""
    rows = _COUNTED_EVENTS.all(ids=list(account_ids), start=start, end=end)
    return [
        (account_id, month_of(month), _EVENT_KINDS[(kind, is_support)], n)
        for account_id, month, kind, is_support, n in rows
    ]


def register() -> None:
    """Community's kinds of the ledger (called from its ready)."""
    value_contributor_register(
        name="community", kinds=COMMUNITY_KINDS, counter=community_value_counts
    )
