"""Reads of harvests: the feed (every customer's home and the full feed page), "recommended for
you" for accounts at the Dormant and Observing levels, a garden's latest harvests, and how far
a harvest travelled (for its stewards).

Every list is one query for its rows whatever their number: what a row needs (its garden,
whether the reader read it, whether the garden may be named to them, whether they may join it)
comes as joins and annotations, not per row.

Recommended for you: the harvests aimed at the account, unread by the person first, scored by
  +2  aimed at the account's segment by name (a segment harvest that matches),
  +1  from a garden whose theme is the theme of a garden the account takes part in,
  +1  from a garden the person has not joined but may join (the harvest invites them in),
then newest first. The invitation to join links to the garden home's join button, and only
for gardens the account may take part in (open, or invite-only and accepted).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate

from accounts.access import active_customer_account_id, customer_membership, visible_accounts
from accounts.models import Account, Segment, User
from community.access.gardens import account_gardens, content_gardens
from community.access.harvests import (
    customer_visible_harvests,
    harvest_garden_shown_q,
    harvest_targeted_q,
    segment_listed_q,
    targeted_harvests,
    visible_harvests,
)
from community.models import (
    EngagementLevel,
    Garden,
    GardenAccountStatus,
    GardenMembership,
    Harvest,
    HarvestRead,
)
from community.selectors.account_levels import account_level
from community.selectors.activity_objects import ObjectName, digit_ids
from community.selectors.insights import level_on
from config.sql_once import SqlOnce, int_parameter

# The levels whose accounts get "recommended for you" first.
RECOMMEND_LEVELS = (EngagementLevel.DORMANT, EngagementLevel.OBSERVING)
RECOMMENDED_COUNT = 3
HOME_FEED_COUNT = 5
GARDEN_HARVEST_COUNT = 5


def _annotated(harvests: QuerySet[Harvest], *, user: User) -> QuerySet[Harvest]:
    """What a feed row shows, for this reader, in the same query: garden (joined), is_read,
    garden_shown (may the reader see its garden), can_join (a customer not yet in it who may
    join it); internal readers also get reach_accounts (how many accounts read it)."""
    membership = customer_membership(user)
    if membership is not None:
        return _customer_annotated(harvests, user_id=user.pk, account_id=membership.account_id)
    return _internal_annotated(harvests, user_id=user.pk)


def _internal_annotated(
    harvests: QuerySet[Harvest], *, user_id: int, reach: bool = True
) -> QuerySet[Harvest]:
    """_annotated for an internal user, by their id; `reach=False`: without the count of the
    accounts that read each harvest (the API does not show it; the count joins the reads)."""
    read = HarvestRead.objects.filter(harvest=OuterRef("pk"), user_id=user_id)
    harvests = (
        harvests.select_related("garden")
        .annotate(is_read=Exists(read))
        .annotate(
            garden_shown=Value(True, output_field=BooleanField()),
            can_join=Value(False, output_field=BooleanField()),
        )
    )
    if reach:
        harvests = harvests.annotate(reach_accounts=Count("reads__account", distinct=True))
    return harvests


def _customer_annotated(
    harvests: QuerySet[Harvest], *, user_id: int, account_id: int
) -> QuerySet[Harvest]:
    """_annotated for a customer, by their id and their account's."""
    read = HarvestRead.objects.filter(harvest=OuterRef("pk"), user_id=user_id)
    shown = harvest_garden_shown_q(account_id)
    joined = GardenMembership.objects.filter(garden=OuterRef("garden_id"), user_id=user_id)
    return (
        harvests.select_related("garden")
        .annotate(is_read=Exists(read))
        .annotate(
            garden_shown=Case(When(shown, then=Value(True)), default=Value(False)),
            can_join=Case(
                When(shown & Q(garden__isnull=False) & ~Exists(joined), then=Value(True)),
                default=Value(False),
            ),
        )
    )


def _customer_values(user: User) -> dict | None:
    """The values a customer's kept harvest reads take (config.sql_once): their id, their
    account's id and segment; None for internal users and inactive people."""
    account_id = active_customer_account_id(user)
    if account_id is None:
        return None
    segment = str(customer_membership(user).account.segment)  # (an enum member: its value)
    return {"user_id": user.pk, "account_id": account_id, "segment": segment}


_FEED_ORDER = ("-published_at", "-created_at", "-pk")


def harvest_feed(
    *,
    user: User,
    kind: str = "",
    garden: Garden | None = None,
    theme: str = "",
) -> QuerySet[Harvest]:
    """The harvest feed: customers the published harvests aimed at their account; internal
    users every harvest they see (drafts they may write too), newest first. Filter by kind,
    by garden (one the caller may see) and by the theme of the harvest's garden (for a
    customer, only among harvests whose garden may be named to them)."""
    membership = customer_membership(user)
    harvests = targeted_harvests(user) if membership is not None else visible_harvests(user)
    if kind:
        harvests = harvests.filter(kind=kind)
    if garden is not None:
        harvests = harvests.filter(garden=garden)
    if theme:
        harvests = harvests.filter(garden__theme=theme)
        if membership is not None:
            harvests = harvests.filter(harvest_garden_shown_q(membership.account_id))
    return _annotated(harvests, user=user).order_by(*_FEED_ORDER)


def _customer_feed_between(
    *, user_id: int, account_id: int, segment: str, first: int, last: int
) -> QuerySet[Harvest]:
    """A customer's feed without filters (harvest_feed's rows) from its `first` to its `last`
    row (counted from 1): the positions are parameters, where a slice would write them into
    the SQL."""
    targeted = Harvest.objects.filter(harvest_targeted_q(account_id, segment))
    position = Window(RowNumber(), order_by=[F(name[1:]).desc() for name in _FEED_ORDER])
    return (
        _customer_annotated(targeted, user_id=user_id, account_id=account_id)
        .annotate(position=position)
        .filter(position__gte=int_parameter(first), position__lte=int_parameter(last))
        .order_by(*_FEED_ORDER)
    )


def _customer_feed_count(*, account_id: int, segment: str) -> QuerySet[Account]:
    """How many harvests a customer's feed without filters holds, as the account's one row."""
    counted = (
        Harvest.objects.filter(harvest_targeted_q(account_id, segment))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return (
        Account.objects.filter(pk=account_id)
        .annotate(harvests=Subquery(counted, output_field=IntegerField()))
        .values_list("harvests", flat=True)
    )


# The feed page's count and rows of a customer who filters nothing (the page they open most):
# SQL written once per process, one for every page number.
_FEED_BETWEEN = SqlOnce(
    Harvest, _customer_feed_between, user_id=int, account_id=int, segment=str, first=int, last=int
)
_FEED_COUNT = SqlOnce(Account, _customer_feed_count, account_id=int, segment=str)


def harvest_feed_page(
    *,
    user: User,
    number: str | int | None,
    per_page: int,
    kind: str = "",
    garden: Garden | None = None,
    theme: str = "",
) -> Page:
    """Page `number` of the harvest feed (harvest_feed, filtered the same way), the number read
    as Paginator.get_page reads it (out of range: the last page; not a number: the first).
    Two queries: the count and the page's rows."""
    values = _customer_values(user)
    if values is None or kind or garden is not None or theme:
        feed = harvest_feed(user=user, kind=kind, garden=garden, theme=theme)
        return Paginator(feed, per_page).get_page(number)
    paginator = Paginator([], per_page)
    paginator.count = _FEED_COUNT.first(account_id=values["account_id"], segment=values["segment"])
    page = paginator.get_page(number)
    first, last = page.start_index(), page.end_index()
    page.object_list = _FEED_BETWEEN.all(**values, first=first, last=last) if first else []
    return page


def harvest_recommended(*, user: User, limit: int = RECOMMENDED_COUNT) -> list[Harvest]:
    """The most relevant harvests for a customer (see the module's docstring), in one query."""
    values = _customer_values(user)
    if values is None:
        return []
    if limit == RECOMMENDED_COUNT:
        return _RECOMMENDED.all(**values)
    return list(_customer_recommended(**values)[:limit])


def _customer_recommended(*, user_id: int, account_id: int, segment: str) -> QuerySet[Harvest]:
    taking_part = Garden.objects.filter(
        Q(memberships__account_id=account_id)
        | Q(
            garden_accounts__account_id=account_id,
            garden_accounts__status=GardenAccountStatus.ACCEPTED,
        )
    ).values("theme")
    targeted = Harvest.objects.filter(harvest_targeted_q(account_id, segment))
    harvests = _customer_annotated(targeted, user_id=user_id, account_id=account_id).annotate(
        relevance=Case(
            When(segment_listed_q(segment), then=Value(2)),
            default=Value(0),
            output_field=IntegerField(),
        )
        + Case(
            When(Q(garden__theme__in=taking_part), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        + Case(When(can_join=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    return harvests.order_by("is_read", "-relevance", "-published_at", "-pk")


def _customer_home_feed(*, user_id: int, account_id: int, segment: str) -> QuerySet[Harvest]:
    """The first rows of a customer's feed (harvest_feed without filters), enough for the home
    whatever the recommended ones take out of them."""
    targeted = Harvest.objects.filter(harvest_targeted_q(account_id, segment))
    annotated = _customer_annotated(targeted, user_id=user_id, account_id=account_id)
    return annotated.order_by(*_FEED_ORDER)[: HOME_FEED_COUNT + RECOMMENDED_COUNT]


def _customer_garden_harvests(
    *, user_id: int, account_id: int, segment: str, garden_id: int
) -> QuerySet[Harvest]:
    harvests = customer_visible_harvests(account_id, segment).filter(
        garden_id=garden_id, published_at__isnull=False
    )
    annotated = _customer_annotated(harvests, user_id=user_id, account_id=account_id)
    return annotated.order_by("-published_at", "-pk")[:GARDEN_HARVEST_COUNT]


# A customer's harvest reads on their home and on a garden's home: SQL written once per process.
_KINDS = {"user_id": int, "account_id": int, "segment": str}
_RECOMMENDED = SqlOnce(
    Harvest, lambda **v: _customer_recommended(**v)[:RECOMMENDED_COUNT], **_KINDS
)
_HOME_FEED = SqlOnce(Harvest, _customer_home_feed, **_KINDS)
_GARDEN_HARVESTS = SqlOnce(Harvest, _customer_garden_harvests, **_KINDS, garden_id=int)


@dataclass
class HarvestHome:
    """The harvest section of a customer's home."""

    level: str  # the account's latest engagement level ("" if not computed yet)
    recommended: list[Harvest] = field(default_factory=list)
    latest: list[Harvest] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return EngagementLevel(self.level).label if self.level else ""


def harvest_home(*, user: User, latest: bool = True) -> HarvestHome:
    """For a customer's home: the latest harvests aimed at them and, for an account at the
    Dormant or Observing level (or not computed yet: it has no engagement to show), the
    recommended ones first. Three queries: the level, the recommended, the latest (none
    when `latest` is False: the feed page lists them itself)."""
    membership = customer_membership(user)
    if membership is None:
        return HarvestHome(level="")
    level = account_level(account_id=membership.account_id)
    recommended: list[Harvest] = []
    if level in RECOMMEND_LEVELS or not level:
        recommended = harvest_recommended(user=user)
    if not latest:
        return HarvestHome(level=level, recommended=recommended)
    shown = {h.pk for h in recommended}
    # The first HOME_FEED_COUNT rows not recommended lie among the first HOME_FEED_COUNT +
    # len(shown) (at most RECOMMENDED_COUNT more): the kept read takes that many.
    values = _customer_values(user)
    if values is not None:
        rows = _HOME_FEED.all(**values)
    else:
        rows = harvest_feed(user=user)[: HOME_FEED_COUNT + len(shown)]
    return HarvestHome(
        level=level,
        recommended=recommended,
        latest=[h for h in rows if h.pk not in shown][:HOME_FEED_COUNT],
    )


def garden_harvests(
    *, user: User, garden: Garden, limit: int = GARDEN_HARVEST_COUNT
) -> list[Harvest]:
    """A garden's latest published harvests the viewer may see (for the garden home)."""
    values = _customer_values(user)
    if values is not None and limit == GARDEN_HARVEST_COUNT:
        return _GARDEN_HARVESTS.all(**values, garden_id=garden.pk)
    harvests = visible_harvests(user).filter(garden=garden, published_at__isnull=False)
    return list(_annotated(harvests, user=user).order_by("-published_at", "-pk")[:limit])


# The people a harvest came from, on every harvest page: its SQL is written once per process.
_INSPIRERS = SqlOnce(
    User,
    lambda harvest_id: User.objects.filter(harvests_inspired=harvest_id).select_related(
        "membership__account"
    ),
    harvest_id=int,
)


def harvest_inspirers(*, harvest: Harvest) -> list[User]:
    """The people whose feedback or posts the harvest came from, with their membership and
    account (to be named with `person_name` with no query per person). One query."""
    return _INSPIRERS.all(harvest_id=harvest.pk)


def harvest_filter_gardens(*, user: User) -> QuerySet[Garden]:
    """The gardens offered in the feed's filter: those the reader may see named."""
    return content_gardens(user)


# A customer's gardens in the feed page's filter: its SQL is written once per process.
_FILTER_GARDENS = SqlOnce(Garden, lambda account_id: account_gardens(account_id), account_id=int)


def harvest_filter_garden_list(*, user: User) -> list[Garden]:
    """harvest_filter_gardens' rows, for the feed page's filter form. One query."""
    if (account_id := active_customer_account_id(user)) is not None:
        return _FILTER_GARDENS.all(account_id=account_id)
    return list(harvest_filter_gardens(user=user))


# --- How far a harvest travelled --------------------------------------------------------------


@dataclass
class LevelReach:
    level: str
    label: str
    accounts: int


@dataclass
class HarvestReach:
    """Who read a harvest, by account. Levels are the accounts' levels *when they read it*:
    the level on the day of the account's first read, as the engagement history stands now
    (community.selectors.insights.level_on, as insights read the level on an outcome's date),
    so a harvest that reached a Dormant account counts there even after the account moved up,
    and a repaired history moves it with the chart. "Outside the garden": the account did not
    take part in the harvest's garden when it read."""

    readers: int
    accounts: int
    outside_garden: int
    by_level: list[LevelReach]
    rows: list[dict]  # one per reading account

    @property
    def chart(self) -> dict:
        return {
            "labels": [r.label for r in self.by_level],
            "values": [r.accounts for r in self.by_level],
        }


NOT_COMPUTED = "Not computed yet"
ANOTHER_ACCOUNT = "Another account"


def _reading_accounts(harvest: Harvest) -> list[dict]:
    """One row per account that read the harvest, in the order of their first read: its
    level on the day of that read (as the history stands), whether it read from outside the
    garden then, and how many of its people read. One query."""
    reads = (
        HarvestRead.objects.filter(harvest=harvest, account__isnull=False)
        .annotate(read_day=TruncDate("read_at"))
        .annotate(level_then=level_on("read_day", "account_id"))
        .order_by("read_at", "pk")
        .values_list(
            "account_id",
            "account__name",
            "account__segment",
            "level_then",
            "outside_garden",
            "read_at",
        )
    )
    accounts: dict[int, dict] = {}
    for account_id, name, segment, level, outside, read_at in reads:
        row = accounts.get(account_id)
        if row is None:  # the account's first read: its level and place
            accounts[account_id] = {
                "account_id": account_id,
                "account__name": name,
                "account__segment": segment,
                "level": level or "",
                "outside_garden": outside,
                "readers": 1,
                "first_read": read_at,
            }
        else:
            row["readers"] += 1
    return list(accounts.values())


def harvest_reach(*, harvest: Harvest, viewer: User) -> HarvestReach:
    """Reads of the harvest by account, for its stewards. Two queries: the reading accounts
    (each at the level and place of its first read: `_reading_accounts`), and the accounts
    the viewer may name (others are counted but not named: an account manager names only the
    accounts of their portfolio)."""
    rows = _reading_accounts(harvest)
    named = set(
        visible_accounts(viewer)
        .filter(pk__in=[r["account_id"] for r in rows])
        .values_list("pk", flat=True)
    )
    counts = Counter(r["level"] for r in rows)
    by_level = [
        LevelReach(level=value, label=label, accounts=counts.get(value, 0))
        for value, label in EngagementLevel.choices
    ]
    if counts.get(""):
        by_level.append(LevelReach(level="", label=NOT_COMPUTED, accounts=counts[""]))
    table = [
        {
            "account": r["account__name"] if r["account_id"] in named else ANOTHER_ACCOUNT,
            "segment": r["account__segment"],
            "segment_label": Segment(r["account__segment"]).label,
            "level": r["level"],
            "level_label": EngagementLevel(r["level"]).label if r["level"] else NOT_COMPUTED,
            "outside_garden": r["outside_garden"],
            "readers": r["readers"],
            "first_read": r["first_read"],
        }
        for r in rows
    ]
    return HarvestReach(
        readers=sum(r["readers"] for r in rows),
        accounts=len(rows),
        outside_garden=sum(1 for r in rows if r["outside_garden"]),
        by_level=by_level,
        rows=table,
    )


def harvest_names(viewer: User, ids: list[str]) -> dict[str, ObjectName]:
    """The link and title of each of these harvests that the viewer may read: an activity
    event's namer (community.selectors.activity_objects). One query."""
    harvests = visible_harvests(viewer).filter(pk__in=digit_ids(ids)).only("pk", "slug", "title")
    return {str(h.pk): ObjectName(h.get_absolute_url(), h.title) for h in harvests}
