"""Recognition's reads: a person's profile (contributions, badges) and the "garden partner"
mark of accounts at the Co-creating level.

A profile is a constant number of queries whatever the person did: contributions are counted
per kind in one grouped query over their activity events; posts, helpful reactions and harvests
in one aggregate each; the recent items in one query, plus one for the posts and one for the
harvests they point to. Ideas and pilots are linked by URL name (community never imports ideas).
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
from django.urls import NoReverseMatch, reverse

from accounts.access import customer_membership, is_internal
from accounts.models import Account, User
from community.access.discussions import sees_hidden_posts, visible_threads
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
RECENT_LABELS: dict[str, str] = {
    ActivityKind.IDEA_PROPOSED: "Proposed an idea",
    ActivityKind.VOTE: "Voted for an idea",
    ActivityKind.COMMENT: "Commented on an idea",
    ActivityKind.PILOT_ENROLLED: "Joined a pilot",
    ActivityKind.EXPECTATION_GIVEN: "Said what they expect from a pilot",
    ActivityKind.FEEDBACK_GIVEN: "Gave feedback on a pilot",
    ActivityKind.DISCUSSION_POST: "Wrote in a discussion",
    ActivityKind.HARVEST_READ: "Read a harvest",
    ActivityKind.WORKSHOP_ATTENDED: "Attended a workshop",
    ActivityKind.REFERRAL: "Referred another company",
    ActivityKind.REFERENCE_CALL: "Took a reference call",
    ActivityKind.EXECUTIVE_MEETING: "Met our executives",
    ActivityKind.LOOP_CLOSED: "Closed the loop on an idea",
}
_IDEA_EVENTS = {ActivityKind.IDEA_PROPOSED, ActivityKind.VOTE, ActivityKind.COMMENT}


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
    label: str
    occurred_at: dt.datetime
    url: str = ""
    title: str = ""
    support: bool = False


@dataclass
class Profile:
    person: User
    account: Account | None
    is_internal: bool
    is_partner: bool
    milestones: list[Milestone]
    contributions: list[Contribution]
    support: list[Contribution]
    posts: int
    helpful_received: int
    harvests_inspired: int
    harvests_published: int
    recent_harvests: list[Harvest]
    recent: list[RecentItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(c.count for c in self.contributions)


def person_account(person: User) -> Account | None:
    """The person's account from the (select_related) membership; None for internal people."""
    try:
        return person.membership.account
    except User.membership.RelatedObjectDoesNotExist:
        return None


def _events_seen_by(viewer: User, person: User) -> QuerySet[ActivityEvent]:
    """The person's events the viewer sees: a customer those of their own account only."""
    events = ActivityEvent.objects.filter(user=person)
    membership = customer_membership(viewer)
    if membership is not None:
        events = events.filter(account_id=membership.account_id)
    return events


def person_profile(*, viewer: User, person: User) -> Profile:
    """What `person` contributed, as `viewer` (already allowed by access_profile) sees it."""
    account = person_account(person)
    events = _events_seen_by(viewer, person)
    # Query: counts and latest time per kind and side (customer or support), in one go.
    counts = {
        (row["kind"], row["is_support"]): row
        for row in events.exclude(kind=ActivityKind.VISIT)
        .order_by()
        .values("kind", "is_support")
        .annotate(n=Count("pk"), last_at=Max("occurred_at"))
    }

    def _side(kinds, support):
        found = [(k, label, counts.get((k, support))) for k, label in kinds]
        return [Contribution(k, label, row["n"], row["last_at"]) for k, label, row in found if row]

    # Query: the person's badges.
    milestones = list(Milestone.objects.filter(user=person).order_by("awarded_at", "pk"))
    # Query: their visible posts and the 'helpful' reactions others gave them.
    posts = Post.objects.filter(author=person, hidden_at__isnull=True).aggregate(
        posts=Count("pk", distinct=True),
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
    return Profile(
        person=person,
        account=account,
        is_internal=is_internal(person),
        # Query (customers only): the account's latest engagement level.
        is_partner=account is not None and account_is_garden_partner(account=account),
        milestones=milestones,
        contributions=_side(CONTRIBUTION_KINDS, False),
        support=_side(SUPPORT_KINDS, True),
        posts=posts["posts"],
        helpful_received=posts["helpful"],
        harvests_inspired=harvests["inspired"],
        harvests_published=harvests["published"],
        recent_harvests=recent_harvests,
        recent=person_recent_items(viewer=viewer, person=person, events=events),
    )


def person_recent_items(
    *, viewer: User, person: User, events: QuerySet[ActivityEvent] | None = None
) -> list[RecentItem]:
    """The person's latest contributions, each linked to what it was about when the viewer
    may open it: ideas and pilots by the ideas app's URL names (their pages check access),
    posts and harvests only when the viewer sees them (at most one query each)."""
    events = events if events is not None else _events_seen_by(viewer, person)
    # Query: the latest events.
    latest = list(
        events.exclude(kind=ActivityKind.VISIT)
        .only("kind", "object_type", "object_id", "occurred_at", "is_support", "pilot_ref")
        .order_by("-occurred_at", "-pk")[:RECENT_ITEMS]
    )
    post_ids = _object_ids(latest, "community.post")
    harvest_ids = _object_ids(latest, "community.harvest")
    threads: dict[str, tuple[str, str]] = {}
    if post_ids:  # Query: the posts' threads, if the viewer sees them
        posts = Post.objects.filter(pk__in=post_ids, thread__in=visible_threads(viewer))
        if not sees_hidden_posts(viewer):
            posts = posts.filter(hidden_at__isnull=True)
        for post in posts.select_related("thread__garden").only(
            "pk", "thread__title", "thread__garden__slug"
        ):
            threads[str(post.pk)] = (post.thread.get_absolute_url(), post.thread.title)
    harvests: dict[str, tuple[str, str]] = {}
    if harvest_ids:  # Query: the harvests, if the viewer may read them
        for harvest in visible_harvests(viewer).filter(pk__in=harvest_ids).only("slug", "title"):
            harvests[str(harvest.pk)] = (harvest.get_absolute_url(), harvest.title)
    items = []
    for event in latest:
        url, title = "", ""
        if event.object_type == "community.post":
            url, title = threads.get(event.object_id, ("", ""))
        elif event.object_type == "community.harvest":
            url, title = harvests.get(event.object_id, ("", ""))
        elif event.kind in _IDEA_EVENTS and event.object_type == "ideas.idea":
            url, title = _ideas_url("ideas:idea-detail", event.object_id), "the idea"
        elif event.pilot_ref:
            url, title = _ideas_url("ideas:pilot-detail", event.pilot_ref), "the pilot"
        label = RECENT_LABELS.get(event.kind, event.get_kind_display())
        if event.is_support and event.kind == ActivityKind.DISCUSSION_POST:
            label = "Replied in a customer's discussion"
        items.append(RecentItem(label, event.occurred_at, url, title, event.is_support))
    return items


def _object_ids(events: list[ActivityEvent], object_type: str) -> list[int]:
    return [
        int(e.object_id) for e in events if e.object_type == object_type and e.object_id.isdigit()
    ]


def _ideas_url(name: str, pk) -> str:
    try:
        return reverse(name, args=[int(pk)])
    except (NoReverseMatch, TypeError, ValueError):
        return ""
