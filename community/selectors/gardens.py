"""Reads for gardens: members, who takes part (with the privacy rules), invitations, the
garden's activity chart.

Privacy of names in a garden (docs/product.md: an account's members are its private data):
- internal users see everyone by full name;
- a customer sees their own account's colleagues by full name;
- members of *other* accounts are shown to a customer by first name and account only when the
  garden's `shows_other_members` is on, otherwise not at all (lists leave them out; a post's
  author is named by `accounts.people.person_name`, which reads the same setting);
- other accounts (companies) are named to customers under the same setting
  (`accounts.people.other_accounts_named`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import Account, MemberRole, User
from accounts.people import other_accounts_named, person_name
from community.access.gardens import (
    account_gardens,
    customer_visible_gardens,
    internal_gardens,
    visible_garden_invitations,
    visible_gardens,
)
from community.models import (
    ActivityEvent,
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
)
from community.selectors.recognition import accounts_with_partner_mark
from config.sql_once import KeptRows, SqlOnce

ACTIVITY_CHART_DAYS = 90


# --- Members ---------------------------------------------------------------------------------


def garden_members(*, garden: Garden) -> QuerySet[User]:
    """The active customers who joined the garden (mentions, notifications), with their
    membership and account loaded. Internal users are not members (they see every garden)."""
    return (
        User.objects.filter(garden_memberships__garden=garden, is_active=True)
        .select_related("membership__account")
        .order_by("first_name", "last_name", "email")
    )


def garden_member_ids(*, garden: Garden) -> QuerySet:
    """The ids of the garden's members, as a subquery (`user_id__in=garden_member_ids(...)`)."""
    return GardenMembership.objects.filter(garden=garden, user__is_active=True).values("user_id")


def garden_memberships_visible_to(*, viewer: User, garden: Garden) -> QuerySet[GardenMembership]:
    """The garden's memberships the viewer may see, named by `person_label`: internal users
    all; a customer their own account's, plus other accounts' only if the garden shows them."""
    viewer_membership = customer_membership(viewer)
    if viewer_membership is None or garden.shows_other_members:
        return _garden_memberships(garden.pk)
    return _garden_memberships(garden.pk).filter(account_id=viewer_membership.account_id)


def _garden_memberships(garden_id: int) -> QuerySet[GardenMembership]:
    """Every active member's membership of the garden, with the person and their account."""
    return (
        GardenMembership.objects.filter(garden_id=garden_id, user__is_active=True)
        .select_related("user", "account")
        .order_by("account__name", "user__first_name", "user__last_name", "user_id")
    )


# The same, as the API pages them: one kept SQL for every membership, one for an account's;
# they count the API's rows, which it reads as plain values (community.selectors.api_rows).
_MEMBERSHIP_ROWS = SqlOnce(GardenMembership, _garden_memberships, garden_id=int)
_ACCOUNT_MEMBERSHIP_ROWS = SqlOnce(
    GardenMembership,
    lambda garden_id, account_id: _garden_memberships(garden_id).filter(account_id=account_id),
    garden_id=int,
    account_id=int,
)
# --- Who takes part --------------------------------------------------------------------------


@dataclass
class GardenParticipants:
    """Who takes part, as the viewer may see it."""

    accounts: list[Account] = field(default_factory=list)  # named accounts (may be empty)
    accounts_shown: bool = False  # False: the viewer may not see which accounts take part
    account_count: int = 0
    members: list[GardenMembership] = field(default_factory=list)  # named people
    member_count: int = 0  # every member, named or not
    hidden_count: int = 0  # members the viewer does not see


def _participant_counts(garden_id: int) -> QuerySet[GardenMembership]:
    """The garden's active members and their accounts, counted: one row (none without
    members)."""
    return (
        GardenMembership.objects.filter(garden_id=garden_id, user__is_active=True)
        .order_by()
        .values("garden_id")
        .annotate(members=Count("pk"), accounts=Count("account_id", distinct=True))
        .values_list("members", "accounts")
    )


def _participant_accounts(garden_id: int, limit: int) -> QuerySet[Account]:
    """The accounts of the garden's active members, by name, with their member count and the
    garden partner mark (in the same query)."""
    return accounts_with_partner_mark(
        Account.objects.filter(
            garden_memberships__garden_id=garden_id, garden_memberships__user__is_active=True
        ).annotate(member_count=Count("garden_memberships"))
    ).order_by("name")[:limit]


PARTICIPANTS_LIMIT = 200
# The garden home's reads of who takes part: their SQL is written once per process (the
# members: every one, for internal viewers and gardens that show them, or the viewer's
# account's).
_PARTICIPANT_COUNTS = SqlOnce(GardenMembership, _participant_counts, garden_id=int)
_PARTICIPANT_ACCOUNTS = SqlOnce(
    Account, partial(_participant_accounts, limit=PARTICIPANTS_LIMIT), garden_id=int
)
_MEMBERS = SqlOnce(
    GardenMembership,
    lambda garden_id: _garden_memberships(garden_id)[:PARTICIPANTS_LIMIT],
    garden_id=int,
)
_ACCOUNT_MEMBERS = SqlOnce(
    GardenMembership,
    lambda garden_id, account_id: _garden_memberships(garden_id).filter(account_id=account_id)[
        :PARTICIPANTS_LIMIT
    ],
    garden_id=int,
    account_id=int,
)


def _visible_members(*, viewer: User, garden: Garden, limit: int) -> list[GardenMembership]:
    """garden_memberships_visible_to(...)[:limit], its SQL kept for the usual limit."""
    if limit != PARTICIPANTS_LIMIT:
        return list(garden_memberships_visible_to(viewer=viewer, garden=garden)[:limit])
    viewer_membership = customer_membership(viewer)
    if viewer_membership is None or garden.shows_other_members:
        return _MEMBERS.all(garden_id=garden.pk)
    return _ACCOUNT_MEMBERS.all(garden_id=garden.pk, account_id=viewer_membership.account_id)


def garden_participants(
    *, viewer: User, garden: Garden, limit: int = PARTICIPANTS_LIMIT
) -> GardenParticipants:
    """Accounts (by name only where the garden names other accounts' members, or for internal
    users: accounts.people.other_accounts_named) and people
    (per `garden_memberships_visible_to`). Three queries whatever the number of members."""
    members_count, accounts_count = next(iter(_PARTICIPANT_COUNTS.all(garden_id=garden.pk)), (0, 0))
    accounts_shown = other_accounts_named(viewer=viewer, garden=garden)
    accounts: list[Account] = []
    if accounts_shown:
        if limit == PARTICIPANTS_LIMIT:
            accounts = _PARTICIPANT_ACCOUNTS.all(garden_id=garden.pk)
        else:
            accounts = list(_participant_accounts(garden.pk, limit))
    members = _visible_members(viewer=viewer, garden=garden, limit=limit)
    for member in members:
        member.label = person_name(
            viewer=viewer,
            person=member.user,
            person_account_id=member.account_id,
            person_account=member.account,
            garden=garden,
        )
    return GardenParticipants(
        accounts=accounts,
        accounts_shown=accounts_shown,
        account_count=accounts_count,
        members=members,
        member_count=members_count,
        hidden_count=max(0, members_count - len(members)),
    )


# --- Gardens ---------------------------------------------------------------------------------


def garden_list(
    *, gardens: QuerySet[Garden], user: User, q: str = "", theme: str = "", joined: bool = False
) -> QuerySet[Garden]:
    """The gardens of the list page, filtered, with their member count and whether the user
    joined (`own_memberships`): one query whatever the number of gardens."""
    return _garden_list(gardens, user_id=user.pk, q=q, theme=theme, joined=joined)


# The list page's gardens unfiltered, as a customer (member or admin) and an internal user see
# them (community.access.gardens.visible_gardens): their SQL is written once per process.
_CUSTOMER_GARDEN_LIST = {
    admin: SqlOnce(
        Garden,
        lambda account_id, user_id, admin=admin: _garden_list(
            customer_visible_gardens(account_id, admin=admin), user_id=user_id
        ),
        account_id=int,
        user_id=int,
    )
    for admin in (False, True)
}
_INTERNAL_GARDEN_LIST = SqlOnce(
    Garden,
    lambda user_id: _garden_list(internal_gardens(), user_id=user_id),  # every garden
    user_id=int,
)


def visible_garden_list(*, user: User) -> list[Garden]:
    """garden_list(gardens=visible_gardens(user), user=user): the unfiltered list. One query."""
    if not user.is_authenticated or not user.is_active:
        return list(garden_list(gardens=visible_gardens(user), user=user))
    membership = customer_membership(user)
    if membership is None:
        return _INTERNAL_GARDEN_LIST.all(user_id=user.pk)
    return _CUSTOMER_GARDEN_LIST[membership.role == MemberRole.ADMIN].all(
        account_id=membership.account_id, user_id=user.pk
    )


# A row of `visible_garden_rows`: what the API's list shows of a garden (but its stewards:
# community.selectors.api_rows.garden_steward_rows), its member count and whether the reader
# joined it.
GARDEN_VALUES = (
    "id",
    "name",
    "slug",
    "theme",
    "custom_theme",
    "description",
    "charter",
    "visibility",
    "shows_other_members",
    "member_count",
    "own_memberships",
    "created_at",
)
# The same lists as plain values, one kept SQL per branch as above (which count them).
_CUSTOMER_GARDEN_VALUES = {
    admin: SqlOnce(
        Garden,
        lambda account_id, user_id, admin=admin: _garden_list(
            customer_visible_gardens(account_id, admin=admin), user_id=user_id
        ).values_list(*GARDEN_VALUES),
        account_id=int,
        user_id=int,
    )
    for admin in (False, True)
}
_INTERNAL_GARDEN_VALUES = SqlOnce(
    Garden,
    lambda user_id: _garden_list(internal_gardens(), user_id=user_id).values_list(*GARDEN_VALUES),
    user_id=int,
)


def visible_garden_rows(*, user: User) -> KeptRows | None:
    """garden_list(gardens=visible_gardens(user), user=user) as kept rows to page
    (config.sql_once.KeptRows) of tuples of `GARDEN_VALUES`, counted by the list page's kept
    reads, for an active user; None for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return None
    membership = customer_membership(user)
    if membership is None:
        return _INTERNAL_GARDEN_VALUES.rows(counted_by=_INTERNAL_GARDEN_LIST, user_id=user.pk)
    admin = membership.role == MemberRole.ADMIN
    return _CUSTOMER_GARDEN_VALUES[admin].rows(
        counted_by=_CUSTOMER_GARDEN_LIST[admin],
        account_id=membership.account_id,
        user_id=user.pk,
    )


def _garden_list(
    gardens: QuerySet[Garden], *, user_id: int, q: str = "", theme: str = "", joined: bool = False
) -> QuerySet[Garden]:
    if q:
        gardens = gardens.filter(
            Q(name__icontains=q) | Q(description__icontains=q) | Q(custom_theme__icontains=q)
        )
    if theme:
        gardens = gardens.filter(theme=theme)
    if joined:
        gardens = gardens.filter(
            pk__in=GardenMembership.objects.filter(user_id=user_id).values("garden_id")
        )
    # A subquery per listed garden, not a join of every garden's members grouped: the page
    # counts its own rows' members only.
    members = (
        GardenMembership.objects.filter(garden=OuterRef("pk"), user__is_active=True)
        .order_by()
        .values("garden")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Whether the user joined: an EXISTS in the same query, not a prefetch of their memberships
    # (a query of its own); `own_memberships` is only ever asked whether it is true.
    joined_it = GardenMembership.objects.filter(garden=OuterRef("pk"), user_id=user_id)
    return gardens.annotate(
        member_count=Coalesce(Subquery(members), 0), own_memberships=Exists(joined_it)
    ).order_by("name")


@dataclass(frozen=True)
class HomeGardens:
    """A customer's gardens on their home: those they joined, and those their account takes
    part in that they have not joined yet (none they joined: the join button is the action)."""

    joined: list[Garden]
    joinable: list[Garden]


HOME_GARDEN_COUNT = 6


def _home_garden_rows(
    *, user_id: int, account_id: int, joined: bool, limit: int
) -> QuerySet[Garden]:
    """The first `limit` of the account's gardens, by name, that the person joined (or not)."""
    gardens = account_gardens(account_id).order_by("name")
    mine = GardenMembership.objects.filter(user_id=user_id, account_id=account_id).values(
        "garden_id"
    )
    return (gardens.filter(pk__in=mine) if joined else gardens.exclude(pk__in=mine))[:limit]


# The two lists on every customer's home: their SQL is written once per process.
_HOME_GARDENS = {
    joined: SqlOnce(
        Garden,
        partial(_home_garden_rows, joined=joined, limit=HOME_GARDEN_COUNT),
        user_id=int,
        account_id=int,
    )
    for joined in (True, False)
}


def home_gardens(*, user: User, account_id: int, limit: int = HOME_GARDEN_COUNT) -> HomeGardens:
    """Two queries."""
    if limit == HOME_GARDEN_COUNT:
        return HomeGardens(
            joined=_HOME_GARDENS[True].all(user_id=user.pk, account_id=account_id),
            joinable=_HOME_GARDENS[False].all(user_id=user.pk, account_id=account_id),
        )
    rows = partial(_home_garden_rows, user_id=user.pk, account_id=account_id, limit=limit)
    return HomeGardens(joined=list(rows(joined=True)), joinable=list(rows(joined=False)))


def garden_for_home(*, gardens: QuerySet[Garden], slug: str) -> Garden | None:
    return gardens.prefetch_related("stewards").filter(slug=slug).first()


# --- Invitations -----------------------------------------------------------------------------


def garden_invitations(*, invitations: QuerySet[GardenAccount]) -> QuerySet[GardenAccount]:
    return invitations.select_related("garden", "account", "invited_by", "responded_by").order_by(
        "garden__name", "account__name"
    )


def pending_invitations_for(*, user: User) -> QuerySet[GardenAccount]:
    """The invitations a customer admin has still to answer for their account."""
    membership = customer_membership(user)
    if membership is None:
        return GardenAccount.objects.none()
    return garden_invitations(
        invitations=visible_garden_invitations(user).filter(
            account_id=membership.account_id, status=GardenAccountStatus.INVITED
        )
    )


# --- The garden's own activity chart ---------------------------------------------------------


@dataclass
class GardenActivity:
    weeks: list[date]
    events: list[int]
    active_members: list[int]

    @property
    def total(self) -> int:
        return sum(self.events)

    def chart(self) -> dict:
        return {
            "labels": [week.isoformat() for week in self.weeks],
            "events": self.events,
            "active_members": self.active_members,
        }


def _activity_weeks(*, garden_id: int, since, now) -> QuerySet[ActivityEvent]:
    """Per week (`week`, `events`, `people`), the garden's members' events between `since`
    and `now` since they joined it."""
    rows = ActivityEvent.objects.filter(
        # the same membership row in both conditions: one join
        user__garden_memberships__garden_id=garden_id,
        user__garden_memberships__joined_at__lte=F("occurred_at"),
        occurred_at__gte=since,
        occurred_at__lte=now,
        is_support=False,
    )
    return (
        rows.annotate(week=TruncWeek("occurred_at"))
        .values("week")
        # COUNT(*), not COUNT(id) (the same: an id is never NULL): the events are counted from
        # the index of (user, occurred_at) with is_support alone (community 0030).
        .annotate(events=Count("*"), people=Count("user_id", distinct=True))
        .order_by("week")
    )


# Read on every garden home: its SQL is written once per process.
_ACTIVITY_WEEKS = SqlOnce(
    ActivityEvent, _activity_weeks, garden_id=int, since=datetime, now=datetime
)


_STEWARDS = SqlOnce(
    User, lambda garden_id: User.objects.filter(stewarded_gardens__id=garden_id), garden_id=int
)


def garden_stewards(*, garden: Garden) -> list[User]:
    """The garden's stewards (`garden.stewards.all()`), its SQL kept: one query."""
    return _STEWARDS.all(garden_id=garden.pk)


def garden_activity(*, garden: Garden, days: int = ACTIVITY_CHART_DAYS, now=None) -> GardenActivity:
    """Per week over the last `days`: the activity events of the garden's members since they
    joined it, and how many of them were active. ActivityEvent knows no garden, so the garden's
    activity is its members' (customer, non-support) activity while they are members: one
    grouped query, whatever the number of members and events."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    rows = _ACTIVITY_WEEKS.all(garden_id=garden.pk, since=since, now=now)
    by_week = {timezone.localtime(row["week"]).date(): row for row in rows}
    start = timezone.localtime(since).date()
    first = start - timedelta(days=start.weekday())
    weeks = []
    week = first
    while week <= timezone.localtime(now).date():
        weeks.append(week)
        week += timedelta(days=7)
    return GardenActivity(
        weeks=weeks,
        events=[by_week.get(w, {}).get("events", 0) for w in weeks],
        active_members=[by_week.get(w, {}).get("people", 0) for w in weeks],
    )
