"""Reads of discussions: a garden's threads (with "new since your last visit"), a thread's
posts with their reactions and flags, the stewards' flag queue, the people a post may
mention, and how an author is named to a reader.

The callers fetched the garden or thread through community.access; the querysets here only
add what each screen needs, so that every screen runs a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.access import customer_membership, manages_all_accounts
from accounts.models import User
from accounts.people import person_name
from community.access.discussions import sees_hidden_posts, visible_threads
from community.markdown import markdown_render
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenVisibility,
    Post,
    PostFlag,
    PostRevision,
    Reaction,
    ReactionKind,
    Thread,
    ThreadVisit,
)
from community.selectors.activity_objects import ObjectName, digit_ids
from config.sql_once import SqlOnce

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25


class ThreadShow:
    """The thread list's filters."""

    ALL = ""
    MINE = "mine"
    UNANSWERED = "unanswered"
    NEW = "new"
    FLAGGED = "flagged"  # stewards and internal users only

    CHOICES = [
        (ALL, "All threads"),
        (MINE, "Threads I took part in"),
        (UNANSWERED, "Unanswered"),
        (NEW, "New since my last visit"),
    ]
    INTERNAL_CHOICES = [*CHOICES, (FLAGGED, "With flagged posts")]


# --- Who can be told -------------------------------------------------------------------------


def garden_audience(*, garden: Garden) -> QuerySet[User]:
    """Active people who can see the garden and take part in its discussions: internal users,
    and the garden's members whose account still takes part (open garden, or the account
    accepted the invitation). Mentions and reply notifications reach no one else."""
    joined = GardenMembership.objects.filter(
        garden=garden, user_id=OuterRef("pk"), account_id=OuterRef("membership__account_id")
    )
    customers = Q(Exists(joined))
    if garden.visibility != GardenVisibility.OPEN:
        accepted = GardenAccount.objects.filter(
            garden=garden, status=GardenAccountStatus.ACCEPTED
        ).values("account_id")
        customers &= Q(membership__account_id__in=accepted)
    return User.objects.filter(is_active=True).filter(Q(membership__isnull=True) | customers)


# --- Threads ---------------------------------------------------------------------------------


def _open_flags_per_thread() -> Subquery:
    flags = (
        PostFlag.objects.filter(post__thread=OuterRef("pk"), handled_at__isnull=True)
        .order_by()
        .values("post__thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(flags, output_field=IntegerField()), Value(0))


def thread_list(
    *, user: User, garden: Garden, show: str = ThreadShow.ALL, q: str = ""
) -> QuerySet[Thread]:
    """The garden's threads, most active first, each with `seen_at` (the reader's last visit,
    None if never) and, for internal readers, `open_flags`. One query."""
    return _garden_threads(
        user_id=user.pk, garden_id=garden.pk, internal=sees_hidden_posts(user), show=show, q=q
    )


def _garden_threads(
    *, user_id: int, garden_id: int, internal: bool, show: str = ThreadShow.ALL, q: str = ""
) -> QuerySet[Thread]:
    """thread_list by the reader's id and whether they are internal (they see hidden threads
    and open flags)."""
    threads = Thread.objects.filter(garden_id=garden_id).select_related(
        "garden", "author", "account"
    )
    if not internal:
        threads = threads.filter(hidden_at__isnull=True)
    threads = threads.annotate(
        seen_at=Subquery(
            ThreadVisit.objects.filter(thread=OuterRef("pk"), user_id=user_id).values("seen_at")[:1]
        )
    )
    if internal:
        threads = threads.annotate(open_flags=_open_flags_per_thread())
    posts = Post.objects.filter(thread=OuterRef("pk"))
    if not internal:
        posts = posts.filter(hidden_at__isnull=True)
    if show == ThreadShow.MINE:
        threads = threads.filter(Q(author_id=user_id) | Exists(posts.filter(author_id=user_id)))
    elif show == ThreadShow.UNANSWERED:
        threads = threads.filter(post_count__lte=1)
    elif show == ThreadShow.NEW:
        threads = threads.filter(Q(seen_at__isnull=True) | Q(last_post_at__gt=F("seen_at")))
    elif show == ThreadShow.FLAGGED and internal:
        threads = threads.filter(open_flags__gt=0)
    q = (q or "").strip()
    if q:
        threads = threads.filter(Q(title__icontains=q) | Exists(posts.filter(body__icontains=q)))
    return threads.order_by("-last_post_at", "-pk")


GARDEN_HOME_THREADS = 5
# The first threads of a garden, unfiltered, for a customer and an internal reader: the garden
# home's five and the thread list's first page. Their SQL is written once per process.
_FIRST_THREADS = {
    (internal, limit): SqlOnce(
        Thread,
        lambda user_id, garden_id, internal=internal, limit=limit: _garden_threads(
            user_id=user_id, garden_id=garden_id, internal=internal
        )[:limit],
        user_id=int,
        garden_id=int,
    )
    for internal in (False, True)
    for limit in (GARDEN_HOME_THREADS, THREADS_PER_PAGE)
}


def first_threads(*, user: User, garden: Garden, limit: int) -> list[Thread]:
    """thread_list(user=user, garden=garden)[:limit], unfiltered. One query."""
    kept = _FIRST_THREADS.get((sees_hidden_posts(user), limit))
    if kept is None:
        return list(thread_list(user=user, garden=garden)[:limit])
    return kept.all(user_id=user.pk, garden_id=garden.pk)


def garden_active_threads(
    *, user: User, garden: Garden, limit: int = GARDEN_HOME_THREADS
) -> list[Thread]:
    """The garden home's most active threads, with unread markers. One query."""
    return first_threads(user=user, garden=garden, limit=limit)


def thread_is_new(thread: Thread) -> bool:
    seen_at = getattr(thread, "seen_at", None)
    return seen_at is None or thread.last_post_at > seen_at


# --- A thread's posts ------------------------------------------------------------------------


def thread_posts(*, thread: Thread, user: User) -> QuerySet[Post]:
    """The posts the reader sees, oldest first (hidden ones only for internal readers)."""
    return _thread_posts(thread.pk, internal=sees_hidden_posts(user))


def _thread_posts(thread_id: int, *, internal: bool) -> QuerySet[Post]:
    posts = Post.objects.filter(thread_id=thread_id).select_related(
        "author", "account", "hidden_by"
    )
    if not internal:
        posts = posts.filter(hidden_at__isnull=True)
    return posts.order_by("created_at", "pk")


# A thread's first page of posts, for a customer and an internal reader: SQL written once.
_FIRST_POSTS = {
    internal: SqlOnce(
        Post,
        lambda thread_id, internal=internal: _thread_posts(thread_id, internal=internal)[
            :POSTS_PER_PAGE
        ],
        thread_id=int,
    )
    for internal in (False, True)
}


def first_posts(*, thread: Thread, user: User) -> list[Post]:
    """thread_posts(thread=thread, user=user)[:POSTS_PER_PAGE]: the first page. One query."""
    return _FIRST_POSTS[sees_hidden_posts(user)].all(thread_id=thread.pk)


_VISIT = SqlOnce(
    ThreadVisit,
    lambda thread_id, user_id: ThreadVisit.objects.filter(thread_id=thread_id, user_id=user_id)[:1],
    thread_id=int,
    user_id=int,
)


def thread_visit(*, thread: Thread, user: User) -> ThreadVisit | None:
    if not user.is_authenticated:
        return None
    return _VISIT.first(thread_id=thread.pk, user_id=user.pk)


def post_position(*, thread: Thread, user: User, post: Post) -> int:
    """How many posts the reader sees before `post` in its thread (its page is
    position // POSTS_PER_PAGE + 1)."""
    return (
        thread_posts(thread=thread, user=user)
        .filter(Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk))
        .count()
    )


def posts_since(*, thread: Thread, user: User, since) -> int:
    """How many posts the reader sees that are older than `since` or as old."""
    return thread_posts(thread=thread, user=user).filter(created_at__lte=since).count()


@dataclass
class ReactionCount:
    kind: str
    label: str
    count: int = 0
    mine: bool = False


@dataclass
class PostDetails:
    """What the thread page shows beside each post, loaded for a whole page at once."""

    reactions: dict[int, list[ReactionCount]] = field(default_factory=dict)
    flagged_by_me: set[int] = field(default_factory=set)
    open_flags: dict[int, int] = field(default_factory=dict)


def post_reactions(*, post_ids: list[int], user: User) -> dict[int, list[ReactionCount]]:
    """Per post, every reaction kind with its count and whether the reader reacted. One query."""
    rows = (
        Reaction.objects.filter(post_id__in=post_ids)
        .order_by()
        .values("post_id", "kind")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(user_id=user.pk)))
    )
    return _reaction_counts(rows, post_ids)


def _reaction_counts(rows, post_ids: list[int]) -> dict[int, list[ReactionCount]]:
    counts = {(r["post_id"], r["kind"]): (r["n"], bool(r["mine"])) for r in rows}
    return {
        post_id: [
            ReactionCount(kind, label, *counts.get((post_id, kind), (0, False)))
            for kind, label in ReactionKind.choices
        ]
        for post_id in post_ids
    }


# A page of one thread's posts is read by the thread and the range of the page's ids (rows of
# the thread's other posts in that range are left out in Python), so that the SQL of its
# reactions and flags is written once per process.
_PAGE_REACTIONS = SqlOnce(
    Reaction,
    lambda thread_id, first_id, last_id, user_id: (
        Reaction.objects.filter(
            post__thread_id=thread_id, post_id__gte=first_id, post_id__lte=last_id
        )
        .order_by()
        .values("post_id", "kind")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(user_id=user_id)))
    ),
    thread_id=int,
    first_id=int,
    last_id=int,
    user_id=int,
)
_PAGE_FLAGS = SqlOnce(
    PostFlag,
    lambda thread_id, first_id, last_id, user_id: (
        PostFlag.objects.filter(
            post__thread_id=thread_id, post_id__gte=first_id, post_id__lte=last_id
        )
        .order_by()
        .values("post_id")
        .annotate(
            mine=Count("pk", filter=Q(user_id=user_id)),
            open=Count("pk", filter=Q(handled_at__isnull=True)),
        )
    ),
    thread_id=int,
    first_id=int,
    last_id=int,
    user_id=int,
)


def thread_page_reactions(
    *, thread_id: int, post_ids: list[int], user: User
) -> dict[int, list[ReactionCount]]:
    """post_reactions(post_ids=post_ids, user=user) of a page of posts of one thread (at least
    one), read by the thread and the range of the page's ids (its SQL kept). One query."""
    ids = set(post_ids)
    rows = _PAGE_REACTIONS.all(
        thread_id=thread_id, first_id=min(ids), last_id=max(ids), user_id=user.pk
    )
    return _reaction_counts([r for r in rows if r["post_id"] in ids], post_ids)


def post_details(*, posts: list[Post], user: User) -> PostDetails:
    """Reactions, the reader's flags and (internal readers) open flags of a page of posts:
    two queries whatever the number of posts."""
    post_ids = [p.pk for p in posts]
    if not post_ids:
        return PostDetails(reactions={})
    thread_ids = {p.thread_id for p in posts}
    if len(thread_ids) == 1:  # a page of one thread
        ids = set(post_ids)
        page = {
            "thread_id": thread_ids.pop(),
            "first_id": min(ids),
            "last_id": max(ids),
            "user_id": user.pk,
        }
        reactions = _reaction_counts(
            [r for r in _PAGE_REACTIONS.all(**page) if r["post_id"] in ids], post_ids
        )
        flags = [f for f in _PAGE_FLAGS.all(**page) if f["post_id"] in ids]
    else:
        reactions = post_reactions(post_ids=post_ids, user=user)
        flags = (
            PostFlag.objects.filter(post_id__in=post_ids)
            .order_by()
            .values("post_id")
            .annotate(
                mine=Count("pk", filter=Q(user_id=user.pk)),
                open=Count("pk", filter=Q(handled_at__isnull=True)),
            )
        )
    details = PostDetails(reactions=reactions)
    internal = sees_hidden_posts(user)
    for row in flags:
        if row["mine"]:
            details.flagged_by_me.add(row["post_id"])
        if internal and row["open"]:
            details.open_flags[row["post_id"]] = row["open"]
    return details


def post_page(*, posts: list[Post], thread: Thread, user: User, seen_at) -> PostDetails:
    """Decorate a page of posts for the thread page: `author_label`, `body_html`, `is_new`,
    `reactions`, `flagged_by_me`, `open_flags` (two queries)."""
    details = post_details(posts=posts, user=user)
    for post in posts:
        post.author_label = person_name(
            viewer=user,
            person=post.author,
            person_account_id=post.account_id,
            person_account=post.account,
            garden=thread.garden,
        )
        post.body_html = markdown_render(post.body)
        post.is_new = seen_at is not None and post.created_at > seen_at
        post.reaction_counts = details.reactions.get(post.pk, [])
        post.flagged_by_me = post.pk in details.flagged_by_me
        post.open_flags = details.open_flags.get(post.pk, 0)
    return details


def thread_author_labels(*, threads: list[Thread], user: User, garden: Garden) -> None:
    """Set `author_label` on each thread (no query)."""
    for thread in threads:
        thread.author_label = person_name(
            viewer=user,
            person=thread.author,
            person_account_id=thread.account_id,
            person_account=thread.account,
            garden=garden,
        )
        thread.is_new = thread_is_new(thread)


def post_revisions(*, post: Post) -> QuerySet[PostRevision]:
    """The earlier versions of a post, newest first."""
    return _post_revisions(post.pk)


def _post_revisions(post_id: int) -> QuerySet[PostRevision]:
    return PostRevision.objects.filter(post_id=post_id).select_related("edited_by")


_REVISIONS = SqlOnce(PostRevision, _post_revisions, post_id=int)  # (the API's list)


def post_revision_list(*, post: Post) -> list[PostRevision]:
    """post_revisions(post=post) as a list, its SQL kept. One query."""
    return _REVISIONS.all(post_id=post.pk)


# --- Moderation ------------------------------------------------------------------------------


def flagged_posts(*, garden: Garden) -> QuerySet[Post]:
    """Posts of the garden with open flags, oldest flag first, with those flags. Two queries."""
    open_flags = PostFlag.objects.filter(handled_at__isnull=True).select_related("user__membership")
    # EXISTS, not a join on flags__handled_at__isnull: that join also keeps posts without flags.
    has_open_flag = PostFlag.objects.filter(post=OuterRef("pk"), handled_at__isnull=True)
    return (
        Post.objects.filter(Exists(has_open_flag), thread__garden=garden)
        .select_related("thread", "author", "account")
        .prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flag_rows"))
        .order_by("created_at", "pk")
    )


def open_flag_count(*, garden: Garden) -> int:
    return PostFlag.objects.filter(post__thread__garden=garden, handled_at__isnull=True).count()


def flagged_posts_to_handle(*, user: User) -> QuerySet[Post]:
    """Posts with open flags in the gardens the user stewards (every garden for programme
    admins; none for customers): the navigation's "flagged posts" badge counts them."""
    if customer_membership(user) is not None or not user.is_active:
        return Post.objects.none()
    return internal_flagged_posts(user.pk, every_garden=handles_every_flag(user))


def handles_every_flag(user: User) -> bool:
    """Superusers and programme admins handle the flags of every garden."""
    return user.is_superuser or manages_all_accounts(user)


def internal_flagged_posts(user_id: int, *, every_garden: bool) -> QuerySet[Post]:
    """flagged_posts_to_handle's rule for an active internal user, by id: posts with open flags
    in every garden, or in the gardens they steward (as `values("pk")`)."""
    open_flags = PostFlag.objects.filter(post=OuterRef("pk"), handled_at__isnull=True)
    posts = Post.objects.filter(Exists(open_flags))
    if not every_garden:
        stewarded = Garden.stewards.through.objects.filter(user_id=user_id).values("garden_id")
        posts = posts.filter(thread__garden__in=stewarded)
    return posts.order_by().values("pk")


def opening_post(*, thread: Thread) -> Post | None:
    """The thread's first post (hidden or not)."""
    return Post.objects.filter(thread=thread).order_by("created_at", "pk").first()


def post_names(viewer: User, ids: list[str]) -> dict[str, ObjectName]:
    """The thread (link, title) of each of these posts that the viewer may read: an activity
    event's namer (community.selectors.activity_objects). One query."""
    posts = Post.objects.filter(pk__in=digit_ids(ids), thread__in=visible_threads(viewer))
    if not sees_hidden_posts(viewer):
        posts = posts.filter(hidden_at__isnull=True)
    return {
        str(post.pk): ObjectName(post.thread.get_absolute_url(), post.thread.title)
        for post in posts.select_related("thread__garden").only(
            "pk", "thread__title", "thread__garden__slug"
        )
    }
