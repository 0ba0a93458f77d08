"""Reads of the portfolio: the account team's table of accounts with their level, score, 90-day
trend (sparkline and summary), open alerts and the value exchanged (gave / got), filtered and
sorted in the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import (
    ALL_ACCOUNTS,
    OWN_ACCOUNT,
    internal_accounts,
    visible_accounts_rule,
)
from accounts.models import Account, User
from community.models import (
    Alert,
    EngagementLevel,
    EngagementSnapshot,
)
from community.selectors.engagement import (
    TREND_DAYS,
    Sparkline,
    level_label,
    score_trends,
    sparkline,
)
from community.selectors.value_exchanged import value_totals
from config.sql_once import KeptRows, SqlOnce


def _level_rank(latest: QuerySet) -> Subquery:
    """Dormant 0 … Co-creating 4, so levels sort in their order (not alphabetically): the
    rank is taken inside the latest-snapshot subquery, one look-up per account (a CASE over
    the level annotation would repeat that subquery once per level)."""
    rank = Case(
        *[When(level=level, then=Value(rank)) for rank, level in enumerate(EngagementLevel.values)],
        default=Value(None),
        output_field=IntegerField(),
    )
    return Subquery(latest.annotate(rank=rank).values("rank")[:1], output_field=IntegerField())


# --- Portfolio -------------------------------------------------------------------------------

PORTFOLIO_SORTS = {
    "name": ("Name", ["name"]),
    "-score": ("Score, highest first", [F("engagement_score").desc(nulls_last=True), "name"]),
    "score": ("Score, lowest first", [F("engagement_score").asc(nulls_first=True), "name"]),
    "-level": (
        "Level, highest first",
        [
            F("level_rank").desc(nulls_last=True),
            F("engagement_score").desc(nulls_last=True),
            "name",
        ],
    ),
    "level": (
        "Level, lowest first",
        [
            F("level_rank").asc(nulls_first=True),
            F("engagement_score").asc(nulls_first=True),
            "name",
        ],
    ),
    "renewal_date": ("Renewal, soonest first", [F("renewal_date").asc(nulls_last=True), "name"]),
    "-last_activity_at": (
        "Last activity, latest first",
        [F("last_activity_at").desc(nulls_last=True), "name"],
    ),
    "last_activity_at": (
        "Last activity, longest silent first",
        [F("last_activity_at").asc(nulls_first=True), "name"],
    ),
}


NOT_COMPUTED = "none"  # the level filter's value for accounts the engine has not computed yet


def portfolio_list(
    *,
    accounts: QuerySet[Account],
    q: str = "",
    level: str = "",
    segment: str = "",
    renewal_within_days: int | None = None,
    assigned_to: User | None = None,
    sort: str = "name",
    today: date | None = None,
) -> QuerySet[Account]:
    """Accounts with their latest snapshot (score, level, day), the score at the start of the
    trend window and the open alerts, each as a subquery, and the last customer activity stored
    on the account: one query for any number of accounts. Filtered and sorted for the portfolio
    table and its CSV export."""
    today = today or timezone.localdate()
    accounts = _with_engagement(accounts, trend_from=today - timedelta(days=TREND_DAYS))
    if q:
        accounts = accounts.filter(name__icontains=q)
    if level == NOT_COMPUTED:
        accounts = accounts.filter(engagement_level__isnull=True)
    elif level:
        accounts = accounts.filter(engagement_level=level)
    if segment:
        accounts = accounts.filter(segment=segment)
    if renewal_within_days is not None:
        accounts = accounts.filter(
            renewal_date__gte=today, renewal_date__lte=today + timedelta(days=renewal_within_days)
        )
    if assigned_to is not None:
        accounts = accounts.filter(team_assignments__user=assigned_to)
    _, order = PORTFOLIO_SORTS.get(sort, PORTFOLIO_SORTS["name"])
    return accounts.order_by(*order, "pk")


def _with_engagement(accounts: QuerySet[Account], *, trend_from: date) -> QuerySet[Account]:
    """portfolio_list's columns: the latest snapshot, the score on the first snapshot day from
    `trend_from` on, the last customer activity, the open alerts and the level's rank."""
    latest = EngagementSnapshot.objects.filter(account=OuterRef("pk")).order_by("-day")
    trend_start = EngagementSnapshot.objects.filter(
        account=OuterRef("pk"), day__gte=trend_from
    ).order_by("day")
    open_alerts = (  # the open alerts of the account, counted in a subquery
        Alert.objects.filter(account=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return accounts.annotate(
        engagement_score=Subquery(latest.values("score")[:1]),
        engagement_level=Subquery(latest.values("level")[:1]),
        engagement_day=Subquery(latest.values("day")[:1]),
        trend_start_score=Subquery(trend_start.values("score")[:1]),
        # stored on the account (community.services.last_activity), equal to the events'
        last_activity_at=F("last_customer_activity_at"),
        open_alerts=Coalesce(Subquery(open_alerts), 0),
        level_rank=_level_rank(latest),
    )


def _unfiltered(accounts: QuerySet[Account], trend_from: date) -> QuerySet[Account]:
    return _with_engagement(accounts, trend_from=trend_from).order_by(
        *PORTFOLIO_SORTS["name"][1], "pk"
    )


# The portfolio as it opens (no filter, by name), read on every visit of the account team's
# home: its SQL is written once per process for each rule of visible_accounts that an internal
# user has (config.sql_once), with the trend window's first day as a value of its own.
_ALL_PORTFOLIO = SqlOnce(
    Account,
    lambda trend_from: _unfiltered(Account.objects.all(), trend_from),
    trend_from=date,
)
_ASSIGNED_PORTFOLIO = SqlOnce(
    Account,
    lambda user_id, trend_from: _unfiltered(internal_accounts(user_id, sees_all=False), trend_from),
    user_id=int,
    trend_from=date,
)


def portfolio_unfiltered_rows(*, user: User, today: date | None = None) -> KeptRows | None:
    """`portfolio_list(accounts=portfolio_accounts(user))` with no filter and the default sort,
    as rows the paginator reads a page at a time (config.sql_once); None for a user whose
    portfolio the ORM reads (no internal rule: the view has refused customers already)."""
    rule = visible_accounts_rule(user)
    if rule is None or rule[0] == OWN_ACCOUNT:
        return None
    trend_from = (today or timezone.localdate()) - timedelta(days=TREND_DAYS)
    if rule[0] == ALL_ACCOUNTS:
        return _ALL_PORTFOLIO.rows(trend_from=trend_from)
    return _ASSIGNED_PORTFOLIO.rows(user_id=rule[1], trend_from=trend_from)


@dataclass(frozen=True)
class PortfolioRow:
    account: Account
    level_label: str
    sparkline: Sparkline
    gave: int  # the value exchanged over its default period (VALUE_MONTHS): what it gave
    got: int  # … and what it got back


def portfolio_rows(*, accounts: Iterable[Account], today: date | None = None) -> list[PortfolioRow]:
    """The page's accounts with their sparklines and what each gave and got back: the
    snapshots in one query, the value exchanged (its totals) in one query per registered
    counter (community.selectors.value_exchanged), whatever the number of accounts."""
    accounts = list(accounts)
    trends = score_trends(account_ids=[a.pk for a in accounts], today=today)
    totals = value_totals(accounts=accounts, today=today)
    return [
        PortfolioRow(
            account=a,
            level_label=level_label(a.engagement_level),
            sparkline=sparkline(points=trends.get(a.pk, []), today=today),
            gave=totals[a.pk].gave,
            got=totals[a.pk].got,
        )
        for a in accounts
    ]
