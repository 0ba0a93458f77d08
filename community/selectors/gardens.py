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
from datetime import date, timedelta

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import Account, User
from accounts.people import other_accounts_named, person_name
from community.access.gardens import account_gardens, visible_garden_invitations
from community.models import (
    ActivityEvent,
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
)
from community.selectors.recognition import accounts_with_partner_mark

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
    memberships = (
        GardenMembership.objects.filter(garden=garden, user__is_active=True)
        .select_related("user", "account")
        .order_by("account__name", "user__first_name", "user__last_name", "user_id")
    )
    viewer_membership = customer_membership(viewer)
    if viewer_membership is None:
        return memberships
    if not garden.shows_other_members:
        memberships = memberships.filter(account_id=viewer_membership.account_id)
    return memberships


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


def garden_participants(*, viewer: User, garden: Garden, limit: int = 200) -> GardenParticipants:
    """Accounts (by name only where the garden names other accounts' members, or for internal
    users: accounts.people.other_accounts_named) and people
    (per `garden_memberships_visible_to`). Three queries whatever the number of members."""
    counts = GardenMembership.objects.filter(garden=garden, user__is_active=True).aggregate(
        members=Count("pk"), accounts=Count("account_id", distinct=True)
    )
    accounts_shown = other_accounts_named(viewer=viewer, garden=garden)
    accounts: list[Account] = []
    if accounts_shown:
        accounts = list(
            accounts_with_partner_mark(  # the garden partner mark, in the same query
                Account.objects.filter(
                    garden_memberships__garden=garden, garden_memberships__user__is_active=True
                ).annotate(member_count=Count("garden_memberships"))
            ).order_by("name")[:limit]
        )
    members = list(garden_memberships_visible_to(viewer=viewer, garden=garden)[:limit])
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
        account_count=counts["accounts"],
        members=members,
        member_count=counts["members"],
        hidden_count=max(0, counts["members"] - len(members)),
    )


# --- Gardens ---------------------------------------------------------------------------------


def garden_list(
    *, gardens: QuerySet[Garden], user: User, q: str = "", theme: str = "", joined: bool = False
) -> QuerySet[Garden]:
    """The gardens of the list page, filtered, with their member count and whether the user
    joined (two queries whatever the number of gardens)."""
    if q:
        gardens = gardens.filter(
            Q(name__icontains=q) | Q(description__icontains=q) | Q(custom_theme__icontains=q)
        )
    if theme:
        gardens = gardens.filter(theme=theme)
    if joined:
        gardens = gardens.filter(
            pk__in=GardenMembership.objects.filter(user_id=user.pk).values("garden_id")
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
    return (
        gardens.annotate(member_count=Coalesce(Subquery(members), 0))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=GardenMembership.objects.filter(user_id=user.pk),
                to_attr="own_memberships",
            )
        )
        .order_by("name")
    )


@dataclass(frozen=True)
class HomeGardens:
    """A customer's gardens on their home: those they joined, and those their account takes
    part in that they have not joined yet (none they joined: the join button is the action)."""

    joined: list[Garden]
    joinable: list[Garden]


def home_gardens(*, user: User, account_id: int, limit: int = 6) -> HomeGardens:
    """Two queries."""
    gardens = account_gardens(account_id).order_by("name")
    mine = GardenMembership.objects.filter(user_id=user.pk, account_id=account_id).values(
        "garden_id"
    )
    return HomeGardens(
        joined=list(gardens.filter(pk__in=mine)[:limit]),
        joinable=list(gardens.exclude(pk__in=mine)[:limit]),
    )


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


def garden_activity(*, garden: Garden, days: int = ACTIVITY_CHART_DAYS, now=None) -> GardenActivity:
    """Per week over the last `days`: the activity events of the garden's members since they
    joined it, and how many of them were active. ActivityEvent knows no garden, so the garden's
    activity is its members' (customer, non-support) activity while they are members: one
    grouped query, whatever the number of members and events."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    rows = ActivityEvent.objects.filter(
        # the same membership row in both conditions: one join
        user__garden_memberships__garden=garden,
        user__garden_memberships__joined_at__lte=F("occurred_at"),
        occurred_at__gte=since,
        occurred_at__lte=now,
        is_support=False,
    )
    rows = (
        rows.annotate(week=TruncWeek("occurred_at"))
        .values("week")
        # COUNT(*), not COUNT(id) (the same: an id is never NULL): the events are counted from
        # the index of (user, occurred_at) with is_support alone (community 0030).
        .annotate(events=Count("*"), people=Count("user_id", distinct=True))
        .order_by("week")
    )
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
