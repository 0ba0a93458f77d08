"""Recognition's writes: awarding milestones (badges) from what people did.

`milestones_award` is set-based: one grouped query per milestone kind finds who reached it (and
when), one query leaves out the milestones already awarded, and one INSERT … ON CONFLICT DO
NOTHING RETURNING per 500 rows stores the new ones. The unique constraint (person, kind) decides,
not Python: when two runs race, only the insert that wins returns its row, so each badge is
awarded — and told — once. Beat runs it every 15 minutes for the people active since shortly
before, and nightly for everyone (community.tasks).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.outbox import enqueue
from community.models import (
    MILESTONE_DESCRIPTIONS,
    ActivityEvent,
    ActivityKind,
    Harvest,
    Milestone,
    MilestoneKind,
    Post,
    Reaction,
    ReactionKind,
)
from community.models.notifications import NotifyKind
from community.services.notifications import NotificationMessage, notify_many

HELPFUL_ANSWERS_NEEDED = 10
INSERT_BATCH = 500


@dataclass(frozen=True)
class _Rule:
    """How one milestone is reached: `reached(user_ids)` gives (user_id, earned_at or None)
    for everyone who reached it, among `user_ids` (None: everyone)."""

    kind: str
    reached: Callable[[list[int] | None], Iterable[tuple]]


def _among(queryset: QuerySet, field: str, user_ids: list[int] | None) -> QuerySet:
    return queryset if user_ids is None else queryset.filter(**{f"{field}__in": user_ids})


def _earliest(queryset: QuerySet, person: str, moment: str, user_ids: list[int] | None) -> QuerySet:
    """(user_id, earned_at): each person's first row of `queryset`, among `user_ids`."""
    return (
        _among(queryset, person, user_ids)
        .order_by()
        .values_list(person)
        .annotate(earned_at=Min(moment))
    )


def _first_event(kind: str, *, support: bool = False) -> Callable:
    def reached(user_ids):
        events = ActivityEvent.objects.filter(kind=kind, is_support=support, user__isnull=False)
        return _earliest(events, "user_id", "occurred_at", user_ids)

    return reached


def _first_pilot_seen_through(user_ids):
    """Experience feedback given in a pilot for which the same person gave their expectation.
    (Whether the pilot itself closed is known to ideas only: community does not import it.)"""
    expectation = ActivityEvent.objects.filter(
        kind=ActivityKind.EXPECTATION_GIVEN,
        user_id=OuterRef("user_id"),
        pilot_ref=OuterRef("pilot_ref"),
        is_support=False,
    )
    feedback = ActivityEvent.objects.filter(
        kind=ActivityKind.FEEDBACK_GIVEN,
        is_support=False,
        user__isnull=False,
        pilot_ref__isnull=False,
    ).filter(Exists(expectation))
    return _earliest(feedback, "user_id", "occurred_at", user_ids)


def _first_discussion_post(user_ids):
    posts = Post.objects.filter(author__isnull=False, hidden_at__isnull=True)
    return _earliest(posts, "author_id", "created_at", user_ids)


def helpful_reactions_received() -> QuerySet[Reaction]:
    """'Helpful' reactions on a person's visible posts, from other people (not themselves)."""
    return (
        Reaction.objects.filter(kind=ReactionKind.HELPFUL, post__hidden_at__isnull=True)
        .exclude(user_id=F("post__author_id"))
        .filter(post__author__isnull=False)
    )


def _ten_helpful_answers(user_ids):
    rows = (
        _among(helpful_reactions_received(), "post__author_id", user_ids)
        .order_by()
        .values_list("post__author_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=HELPFUL_ANSWERS_NEEDED)
    )
    return ((user_id, None) for user_id, _ in rows)  # earned now: the run that sees it


def _first_harvest_inspired(user_ids):
    inspired = Harvest.inspired_by.through.objects.filter(harvest__published_at__isnull=False)
    return _earliest(inspired, "user_id", "harvest__published_at", user_ids)


def _first_harvest_published(user_ids):
    published = Harvest.objects.filter(published_at__isnull=False, published_by__isnull=False)
    return _earliest(published, "published_by_id", "published_at", user_ids)


RULES: list[_Rule] = [
    _Rule(MilestoneKind.FIRST_IDEA, _first_event(ActivityKind.IDEA_PROPOSED)),
    _Rule(MilestoneKind.FIRST_VOTE, _first_event(ActivityKind.VOTE)),
    _Rule(MilestoneKind.FIRST_FEEDBACK, _first_event(ActivityKind.FEEDBACK_GIVEN)),
    _Rule(MilestoneKind.FIRST_PILOT_COMPLETED, _first_pilot_seen_through),
    _Rule(MilestoneKind.FIRST_DISCUSSION_POST, _first_discussion_post),
    _Rule(MilestoneKind.TEN_HELPFUL_ANSWERS, _ten_helpful_answers),
    _Rule(MilestoneKind.FIRST_HARVEST_INSPIRED, _first_harvest_inspired),
    _Rule(MilestoneKind.FIRST_LOOP_CLOSED, _first_event(ActivityKind.LOOP_CLOSED, support=True)),
    _Rule(MilestoneKind.FIRST_HARVEST_PUBLISHED, _first_harvest_published),
]


@transaction.atomic
def milestones_award(
    *,
    user_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
    tell: bool = True,
) -> list[Milestone]:
    """Award every milestone reached and not yet awarded, to `user_ids` (None: everyone), and
    tell each person of their new badges (`tell=False`: a backfill of history, told to no one).
    Returns the milestones awarded by this run (a second run, or one racing it, awards nothing
    twice). Inactive people get nothing."""
    now = now or timezone.now()
    ids = None if user_ids is None else sorted(set(user_ids))
    if ids == []:
        return []
    reached: dict[tuple[int, str], dt.datetime] = {}
    for rule in RULES:  # one grouped query per kind
        for user_id, earned_at in rule.reached(ids):
            reached[(user_id, rule.kind)] = earned_at or now
    if not reached:
        return []
    people = sorted({user_id for user_id, _ in reached})
    awarded = set()
    accounts: dict[int, int | None] = {}
    for chunk in _chunks(people, 5000):  # who already has what; who is active, and where
        awarded |= set(Milestone.objects.filter(user_id__in=chunk).values_list("user_id", "kind"))
        for pk, account_id in User.objects.filter(pk__in=chunk, is_active=True).values_list(
            "pk", "membership__account_id"
        ):
            accounts[pk] = account_id
    rows = [
        (user_id, kind, accounts[user_id], earned_at)
        for (user_id, kind), earned_at in sorted(reached.items())
        if (user_id, kind) not in awarded and user_id in accounts
    ]
    new_ids = []
    for chunk in _chunks(rows, INSERT_BATCH):
        new_ids += _insert_once(chunk, now=now)
    if not new_ids:
        return []
    milestones = list(Milestone.objects.filter(pk__in=new_ids).select_related("user"))
    if tell:
        _tell(milestones)
    return milestones


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_once(rows: list[tuple], *, now: dt.datetime) -> list[int]:
    """INSERT … ON CONFLICT (user, kind) DO NOTHING RETURNING id: the ids of the rows this
    statement inserted (PostgreSQL and SQLite ≥ 3.35 both speak it)."""
    meta = Milestone._meta
    quote = connection.ops.quote_name
    awarded_at = meta.get_field("awarded_at")
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ["user", "kind", "account", "awarded_at", "created_at"]
    )
    params: list = []
    for user_id, kind, account_id, earned_at in rows:
        params += [
            user_id,
            kind,
            account_id,
            awarded_at.get_db_prep_save(earned_at, connection),
            awarded_at.get_db_prep_save(now, connection),
        ]
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    conflict = ", ".join(quote(meta.get_field(name).column) for name in ["user", "kind"])
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values} "  # noqa: S608 (names from the model)
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _tell(milestones: list[Milestone]) -> None:
    """One notification per new badge (one message per badge kind, all in one insert),
    emailed as each person chose."""
    by_kind: dict[str, list[User]] = defaultdict(list)
    for milestone in milestones:
        by_kind[milestone.kind].append(milestone.user)
    url = reverse("community:my-profile")
    notify_many(
        messages=[
            NotificationMessage(
                users=users,
                kind=NotifyKind.BADGE_AWARDED,
                title=f"You earned a badge: {MilestoneKind(kind).label}",
                body=f"{MILESTONE_DESCRIPTIONS[kind]} See your badges on your profile.",
                url=url,
            )
            for kind, users in by_kind.items()
        ]
    )


# --- Who to look at ------------------------------------------------------------------------


def milestone_people_active_since(*, since: dt.datetime) -> list[int]:
    """The people who may have reached a milestone since `since`: their events, posts, helpful
    reactions received and harvests (published, or updated with them among the inspirers).
    Each from an index on the time it was recorded."""
    people: set[int] = set()
    people |= set(
        ActivityEvent.objects.filter(created_at__gte=since, user__isnull=False)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    people |= set(
        Post.objects.filter(created_at__gte=since, author__isnull=False)
        .order_by()
        .values_list("author_id", flat=True)
        .distinct()
    )
    people |= set(
        Reaction.objects.filter(
            created_at__gte=since, kind=ReactionKind.HELPFUL, post__author__isnull=False
        )
        .order_by()
        .values_list("post__author_id", flat=True)
        .distinct()
    )
    harvests = Harvest.objects.filter(
        Q(published_at__gte=since) | Q(updated_at__gte=since), published_at__isnull=False
    )
    people |= set(
        harvests.filter(published_by__isnull=False)
        .order_by()
        .values_list("published_by_id", flat=True)
        .distinct()
    )
    people |= set(
        Harvest.inspired_by.through.objects.filter(harvest__in=harvests)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sorted(people)


def milestone_people_chunks(*, size: int = 1000) -> Iterable[list[int]]:
    """Every active person's id, in chunks (the nightly run over everyone)."""
    ids = User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    chunk: list[int] = []
    for pk in ids.iterator(chunk_size=5000):
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def milestones_award_after_commit(*, user_ids: Iterable[int]) -> None:
    """For services that just recorded something that may earn a badge: award it (in a Celery
    task) once the transaction commits, without waiting for the next scheduled run."""

    ids = sorted({pk for pk in user_ids if pk is not None})
    if ids:
        enqueue("community.tasks.milestones_award_task", ids)
