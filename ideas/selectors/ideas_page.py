"""The idea page's reads: the idea's support and comment count with the reader's vote and
follow, its history, a page of its comments, its pilots and the ideas merged into it.

Each is asked on every idea page, so each keeps its SQL (`config.sql_once.SqlOnce`): building
and compiling these small queries cost more Python than running them
(docs/cpu-per-request.md). The comments' page is read by position, not by a slice, so that its
SQL does not change with the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from accounts.access import sees_all_accounts
from accounts.models import Account, User
from config.sql_once import KeptRows, SqlOnce, int_parameter
from ideas import workflow
from ideas.access import idea_pilots
from ideas.models import Comment, Follow, Idea, IdeaStatus, IdeaTransition, Pilot, Vote
from ideas.selectors.ideas import with_support

# --- One idea ----------------------------------------------------------------------------------


@dataclass
class IdeaPage:
    """Everything the idea page shows besides the idea itself."""

    supporters: int
    supporting_accounts: int
    voted: bool
    following: bool
    transitions: list[IdeaTransition]
    comments: Page  # of COMMENTS_PER_PAGE, oldest first; the latest page unless asked
    pilots: list[Pilot]
    duplicates: list[Idea]
    allowed_moves: list[tuple[str, str]]
    can_moderate: bool
    account_names: list[str] | None  # supporting accounts, for those who see every account


def _idea_figures(idea_id: int, user_id: int | None) -> QuerySet[Idea]:
    """Of one idea: its supporters and supporting accounts (`with_support`), whether the
    user voted for it and follows it, and its number of comments; one row."""
    comments = (
        Comment.objects.filter(idea=OuterRef("pk"))
        .order_by()
        .values("idea")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        with_support(Idea.objects.filter(pk=idea_id))
        .annotate(
            voted=Exists(Vote.objects.filter(idea=OuterRef("pk"), user_id=user_id)),
            following=Exists(Follow.objects.filter(idea=OuterRef("pk"), user_id=user_id)),
            comment_count=Coalesce(Subquery(comments, output_field=IntegerField()), Value(0)),
        )
        .values_list("supporters", "supporting_accounts", "voted", "following", "comment_count")
    )


# Asked on every idea page and after every vote: its SQL is written once per process.
_IDEA_FIGURES = SqlOnce(Idea, _idea_figures, idea_id=int, user_id=int)


@dataclass(frozen=True)
class IdeaFigures:
    supporters: int
    supporting_accounts: int
    voted: bool
    following: bool
    comments: int


def idea_figures(*, idea: Idea, user: User | None = None) -> IdeaFigures:
    """People and distinct accounts supporting `idea`, whether `user` voted for it and follows
    it, and its number of comments: one query."""
    row = _IDEA_FIGURES.first(idea_id=idea.pk, user_id=user.pk if user else None)
    return IdeaFigures(*row) if row else IdeaFigures(0, 0, False, False, 0)


def idea_support(*, idea: Idea, user: User | None = None) -> dict:
    """People and distinct accounts supporting `idea`, and whether `user` is one of them."""
    figures = idea_figures(idea=idea, user=user)
    return {
        "supporters": figures.supporters,
        "supporting_accounts": figures.supporting_accounts,
        "voted": int(figures.voted),
    }


def idea_supporting_accounts(*, idea: Idea) -> QuerySet[Account]:
    """The accounts whose people voted for `idea` ("invite the accounts that voted"); only for
    readers who see every account."""
    return Account.objects.filter(
        pk__in=Vote.objects.filter(idea=idea, account__isnull=False).values("account_id")
    ).order_by("name")


_TRANSITION_RELATED = ("actor", "actor__membership__account")


def idea_transitions(*, idea: Idea) -> QuerySet[IdeaTransition]:
    return idea.transitions.select_related(*_TRANSITION_RELATED).order_by("created_at", "pk")


# An idea's history, on every idea page: its SQL is written once per process.
_TRANSITIONS = SqlOnce(
    IdeaTransition,
    lambda idea_id: (
        IdeaTransition.objects.filter(idea_id=idea_id)
        .select_related(*_TRANSITION_RELATED)
        .order_by("created_at", "pk")
    ),
    idea_id=int,
)

_COMMENT_RELATED = ("author", "author__membership__account")
_COMMENT_ORDER = ("created_at", "pk")


def idea_comments(*, idea: Idea) -> QuerySet[Comment]:
    return idea.comments.select_related(*_COMMENT_RELATED).order_by(*_COMMENT_ORDER)


def _comment_list(idea_id: int) -> QuerySet[Comment]:
    return Comment.objects.filter(idea_id=idea_id).order_by(*_COMMENT_ORDER)


# What the API shows of a comment, as plain values (ideas.api.ideas_serializers.comment_items):
# the comment's, and its author's names and account (accounts.people.person_name's reads).
COMMENT_VALUES = (
    "pk",
    "body",
    "created_at",
    "author_id",
    "author__first_name",
    "author__last_name",
    "author__membership__account_id",
    "author__membership__account__name",
)

# An idea's comments, oldest first, read a page at a time by the API as COMMENT_VALUES (SQL
# written once), counted as the comments alone (without the authors' joins), as Django counts.
_COMMENT_ROWS = SqlOnce(
    Comment, lambda idea_id: _comment_list(idea_id).values_list(*COMMENT_VALUES), idea_id=int
)
_COMMENTS_COUNTED = SqlOnce(Comment, _comment_list, idea_id=int)


def idea_comment_rows(*, idea: Idea) -> KeptRows:
    """`idea_comments` (the same comments in the same order), read a page at a time from kept
    SQL (config.sql_once) as tuples of COMMENT_VALUES."""
    return _COMMENT_ROWS.rows(counted_by=_COMMENTS_COUNTED, idea_id=idea.pk)


def _comments_between(idea_id: int, first: int, last: int) -> QuerySet[Comment]:
    """The idea's comments from the `first` to the `last` (counted from 1, oldest first): the
    positions are parameters, where a slice would write them into the SQL."""
    position = Window(RowNumber(), order_by=[F(name).asc() for name in _COMMENT_ORDER])
    return (
        Comment.objects.filter(idea_id=idea_id)
        .select_related(*_COMMENT_RELATED)
        .annotate(position=position)
        .filter(position__gte=int_parameter(first), position__lte=int_parameter(last))
        .order_by(*_COMMENT_ORDER)
    )


# A page of an idea's comments, on every idea page: its SQL is written once per process.
_COMMENTS_BETWEEN = SqlOnce(Comment, _comments_between, idea_id=int, first=int, last=int)

COMMENTS_PER_PAGE = 50  # a long discussion (thousands of comments at full size) is paged


def comments_page(*, idea: Idea, number: str | int | None = None, count: int | None = None) -> Page:
    """A page of the idea's comments, oldest first: page `number`, by default the last one
    (the latest comments, where a new comment lands); a number out of range gives the last
    page, one that is not a number the first (Paginator.get_page). `count`: the idea's number
    of comments when the caller has read it (idea_figures)."""
    paginator = Paginator(idea_comments(idea=idea), COMMENTS_PER_PAGE)
    if count is not None:
        paginator.count = count  # the cached property, read already
    page = paginator.get_page(paginator.num_pages if number in (None, "") else number)
    first, last = page.start_index(), page.end_index()
    page.object_list = (
        _COMMENTS_BETWEEN.all(idea_id=idea.pk, first=first, last=last) if first else []
    )
    return page


def idea_page(*, idea: Idea, user: User, comments: str | int | None = None) -> IdeaPage:
    """The idea page for `user` with page `comments` of its comments (by default the latest);
    a fixed number of queries whatever the votes and comments."""
    figures = idea_figures(idea=idea, user=user)
    return IdeaPage(
        supporters=figures.supporters,
        supporting_accounts=figures.supporting_accounts,
        voted=figures.voted,
        following=figures.following,
        transitions=_TRANSITIONS.all(idea_id=idea.pk),
        comments=comments_page(idea=idea, number=comments, count=figures.comments),
        pilots=idea_pilots(user, idea),
        duplicates=_DUPLICATES.all(idea_id=idea.pk),
        allowed_moves=[(s, IdeaStatus(s).label) for s in workflow.allowed_moves(user, idea)],
        can_moderate=workflow.can_moderate(user),
        account_names=(
            list(idea_supporting_accounts(idea=idea).values_list("name", flat=True))
            if sees_all_accounts(user)
            else None
        ),
    )


# The ideas merged into an idea, on every idea page: its SQL is written once per process.
_DUPLICATES = SqlOnce(
    Idea,
    lambda idea_id: Idea.objects.filter(merged_into_id=idea_id).order_by("title", "pk"),
    idea_id=int,
)
