"""Recognition's reads: a person's profile (contributions, badges) and the "garden partner"
mark of accounts at the Co-creating level.

A profile counts what it lists: the contributions per kind and the recent items are read from
the same activity events (`_contributions_seen_by`), and "discussion posts" is the count of
those events, not of another table. It is a constant number of queries whatever the person
did: the counts in one grouped query; helpful reactions and harvests in one aggregate each; the
recent items in one query, plus one per kind of object they name (ideas, pilots, posts,
harvests: titled and linked by the namers their apps register in
community.selectors.activity_objects, so community never imports ideas). The recent items
speak in the second person on one's own profile ("You voted for …") and name the person as
accounts.people names them to the viewer on anyone else's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from accounts.access import customer_membership, is_internal
from accounts.models import Account, User
from accounts.people import person_name
from community.access.harvests import visible_harvests
from community.models import (
    ActivityEvent,
    ActivityKind,
    EngagementLevel,
    EngagementSnapshot,
    Harvest,
    Milestone,
    Post,
    ReactionKind,
)
from community.selectors.activity_objects import activity_object_names, event_object

PARTNER_LEVEL = EngagementLevel.CO_CREATING
RECENT_ITEMS = 12
RECENT_HARVESTS = 5

# What a person did, as a profile names it; the order is the order shown. Visits are no
# contribution. Support (an internal person acting for an account) is counted apart.
CONTRIBUTION_KINDS: list[tuple[str, str]] = [
    (ActivityKind.IDEA_PROPOSED, "Ideas proposed"),
    (ActivityKind.VOTE, "Votes"),
    (ActivityKind.COMMENT, "Comments on ideas"),
    (ActivityKind.PILOT_ENROLLED, "Pilots joined"),
    (ActivityKind.EXPECTATION_GIVEN, "Expectations given"),
    (ActivityKind.FEEDBACK_GIVEN, "Pilot feedback given"),
    (ActivityKind.DISCUSSION_POST, "Discussion posts"),
    (ActivityKind.HARVEST_READ, "Harvests read"),
    (ActivityKind.WORKSHOP_ATTENDED, "Workshops attended"),
    (ActivityKind.REFERRAL, "Referrals"),
    (ActivityKind.REFERENCE_CALL, "Reference calls"),
    (ActivityKind.EXECUTIVE_MEETING, "Executive meetings"),
]
SUPPORT_KINDS: list[tuple[str, str]] = [
    (ActivityKind.DISCUSSION_POST, "Replies to customers' discussions"),
    (ActivityKind.LOOP_CLOSED, "Loops closed"),
    (ActivityKind.COMMENT, "Comments on customers' ideas"),
    (ActivityKind.WORKSHOP_ATTENDED, "Workshops held"),
]
# A recent contribution as a sentence: what the person did, to what (the object's title when the
# reader may see it, else what kind of thing it was). Support kinds have their own wording.
_DID: dict[tuple[str, bool], tuple[str, str]] = {
    (ActivityKind.IDEA_PROPOSED, False): ("proposed", "an idea"),
    (ActivityKind.VOTE, False): ("voted for", "an idea"),
    (ActivityKind.COMMENT, False): ("commented on", "an idea"),
    (ActivityKind.PILOT_ENROLLED, False): ("joined", "a pilot"),
    (ActivityKind.EXPECTATION_GIVEN, False): ("set expectations for", "a pilot"),
    (ActivityKind.FEEDBACK_GIVEN, False): ("gave feedback on", "a pilot"),
    (ActivityKind.DISCUSSION_POST, False): ("wrote in", "a discussion"),
    (ActivityKind.HARVEST_READ, False): ("read", "a harvest"),
    (ActivityKind.WORKSHOP_ATTENDED, False): ("attended", "a workshop"),
    (ActivityKind.REFERRAL, False): ("referred", "another company"),
    (ActivityKind.REFERENCE_CALL, False): ("took", "a reference call"),
    (ActivityKind.EXECUTIVE_MEETING, False): ("met", "our executives"),
    (ActivityKind.DISCUSSION_POST, True): ("replied in", "a customer's discussion"),
    (ActivityKind.LOOP_CLOSED, True): ("closed the loop on", "a customer's idea"),
    (ActivityKind.COMMENT, True): ("commented on", "a customer's idea"),
    (ActivityKind.WORKSHOP_ATTENDED, True): ("held", "a workshop"),
}
# What an object is, when the reader may not see its title (a closed loop is on a pilot or
# an idea).
_UNNAMED = {"ideas.pilot": "a pilot", "ideas.idea": "an idea"}
# The pairs of (kind, support) a profile counts and lists: the same rows for both.
_COUNTED = [(kind, False) for kind, _ in CONTRIBUTION_KINDS] + [
    (kind, True) for kind, _ in SUPPORT_KINDS
]

# --- Garden partners -----------------------------------------------------------------------


def _latest_level() -> Subquery:
    return Subquery(
        EngagementSnapshot.objects.filter(account=OuterRef("pk"))
        .order_by("-day")
        .values("level")[:1]
    )


def accounts_with_partner_mark(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """`accounts` annotated with `is_garden_partner`: their latest snapshot is Co-creating
    (no extra query per row: a subquery in the list's own query)."""
    return accounts.annotate(partner_level=_latest_level()).annotate(
        is_garden_partner=Case(
            When(partner_level=PARTNER_LEVEL, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def garden_partner_ids(*, account_ids: Iterable[int]) -> set[int]:
    """Which of these accounts are garden partners (one query, for lists of people)."""
    ids = {pk for pk in account_ids if pk is not None}
    if not ids:
        return set()
    return set(
        Account.objects.filter(pk__in=ids)
        .annotate(partner_level=_latest_level())
        .filter(partner_level=PARTNER_LEVEL)
        .values_list("pk", flat=True)
    )


def account_is_garden_partner(*, account: Account) -> bool:
    """The account's latest engagement level is Co-creating."""
    if getattr(account, "is_garden_partner", None) is not None:
        return account.is_garden_partner
    if hasattr(account, "engagement_level"):  # the portfolio's rows carry it already
        return account.engagement_level == PARTNER_LEVEL
    latest = EngagementSnapshot.objects.filter(account=account).order_by("-day").first()
    return latest is not None and latest.level == PARTNER_LEVEL


# --- Profiles ------------------------------------------------------------------------------


@dataclass
class Contribution:
    kind: str
    label: str
    count: int
    last_at: dt.datetime | None


@dataclass
class RecentItem:
    """One recent contribution as a sentence: "You voted for Offline sync"."""

    lead: str  # who did what: "You voted for"
    what: str  # the object's title, or what kind of thing it was ("an idea")
    occurred_at: dt.datetime
    url: str = ""  # the object's page, when the reader may open it
    title: str = ""  # the object's title, when the reader may see it
    support: bool = False

    @property
    def label(self) -> str:
        return f"{self.lead} {self.what}"


@dataclass
class Profile:
    person: User
    name: str  # how the viewer names the person (accounts.people)
    is_self: bool
    account: Account | None
    is_internal: bool
    is_partner: bool
    milestones: list[Milestone]
    contributions: list[Contribution]
    support: list[Contribution]
    helpful_received: int
    harvests_inspired: int
    harvests_published: int
    recent_harvests: list[Harvest]
    recent: list[RecentItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The customer contributions counted (the sum of the table's rows)."""
        return sum(c.count for c in self.contributions)

    @property
    def listed(self) -> int:
        """Everything counted, customer and support: what the recent list is the latest of."""
        return self.total + sum(c.count for c in self.support)

    @property
    def posts(self) -> int:
        """Discussion posts counted in the tables, customer and support: the same rows."""
        return sum(
            c.count
            for c in (*self.contributions, *self.support)
            if c.kind == ActivityKind.DISCUSSION_POST
        )


def person_account(person: User) -> Account | None:
    """The person's account from the (select_related) membership; None for internal people."""
    try:
        return person.membership.account
    except User.membership.RelatedObjectDoesNotExist:
        return None


def _contributions_seen_by(viewer: User, person: User) -> QuerySet[ActivityEvent]:
    """The person's events that a profile counts and lists (the kinds of CONTRIBUTION_KINDS
    as a customer, of SUPPORT_KINDS as support), of those the viewer sees: a customer only
    those of their own account."""
    counted = Q(is_support=False, kind__in=[k for k, s in _COUNTED if not s]) | Q(
        is_support=True, kind__in=[k for k, s in _COUNTED if s]
    )
    events = ActivityEvent.objects.filter(counted, user=person)
    membership = customer_membership(viewer)
    if membership is not None:
        events = events.filter(account_id=membership.account_id)
    return events


def person_profile(*, viewer: User, person: User) -> Profile:
    """What `person` contributed, as `viewer` (already allowed by access_profile) sees it. The
    counts and the recent list are read from the same events, so the list is the latest of
    what the counts count."""
    account = person_account(person)
    events = _contributions_seen_by(viewer, person)
    # Query: counts and latest time per kind and side (customer or support), in one go.
    counts = {
        (row["kind"], row["is_support"]): row
        for row in events.order_by()
        .values("kind", "is_support")
        .annotate(n=Count("pk"), last_at=Max("occurred_at"))
    }

    def _side(kinds, support):
        found = [(k, label, counts.get((k, support))) for k, label in kinds]
        return [Contribution(k, label, row["n"], row["last_at"]) for k, label, row in found if row]

    # Query: the person's badges.
    milestones = list(Milestone.objects.filter(user=person).order_by("awarded_at", "pk"))
    # Query: the 'helpful' reactions others gave their visible posts.
    helpful = Post.objects.filter(author=person, hidden_at__isnull=True).aggregate(
        helpful=Count(
            "reactions",
            filter=Q(reactions__kind=ReactionKind.HELPFUL) & ~Q(reactions__user=person),
            distinct=True,
        ),
    )
    # Query: published harvests they inspired or published.
    published = Harvest.objects.filter(published_at__isnull=False)
    harvests = published.filter(Q(inspired_by=person) | Q(published_by=person)).aggregate(
        inspired=Count("pk", filter=Q(inspired_by=person), distinct=True),
        published=Count("pk", filter=Q(published_by=person), distinct=True),
    )
    # Query: the latest of the harvests they inspired that the viewer may read.
    recent_harvests = list(
        visible_harvests(viewer)
        .filter(published_at__isnull=False, inspired_by=person)
        .order_by("-published_at", "-pk")[:RECENT_HARVESTS]
    )
    is_self = viewer.pk == person.pk
    name = person_name(viewer=viewer, person=person, person_account_id=account and account.pk)
    return Profile(
        person=person,
        name=name,
        is_self=is_self,
        account=account,
        is_internal=is_internal(person),
        # Query (customers only): the account's latest engagement level.
        is_partner=account is not None and account_is_garden_partner(account=account),
        milestones=milestones,
        contributions=_side(CONTRIBUTION_KINDS, False),
        support=_side(SUPPORT_KINDS, True),
        helpful_received=helpful["helpful"],
        harvests_inspired=harvests["inspired"],
        harvests_published=harvests["published"],
        recent_harvests=recent_harvests,
        recent=_recent_items(viewer=viewer, events=events, subject="You" if is_self else name),
    )


def _recent_items(
    *, viewer: User, events: QuerySet[ActivityEvent], subject: str
) -> list[RecentItem]:
    """The latest RECENT_ITEMS of those events as sentences about `subject`, each naming what
    it was about by its title and linking to it when the viewer may open it (the namers of
    community.selectors.activity_objects: one query per kind of object)."""
    # Query: the latest events.
    latest = list(
        events.only(
            "kind", "object_type", "object_id", "occurred_at", "is_support", "pilot_ref"
        ).order_by("-occurred_at", "-pk")[:RECENT_ITEMS]
    )
    # Queries: one per object type among them (ideas, pilots, posts, harvests).
    names = activity_object_names(viewer=viewer, events=latest)
    items = []
    for event in latest:
        verb, what = _DID.get((event.kind, event.is_support), ("did", event.get_kind_display()))
        ref = event_object(event)
        if ref is not None and event.kind == ActivityKind.LOOP_CLOSED:
            what = _UNNAMED.get(ref[0], what)  # a loop is closed on a pilot or an idea
        named = names.get(ref) if ref is not None else None
        items.append(
            RecentItem(
                lead=f"{subject} {verb}",
                what=named.title if named else what,
                occurred_at=event.occurred_at,
                url=named.url if named else "",
                title=named.title if named else "",
                support=event.is_support,
            )
        )
    return items
