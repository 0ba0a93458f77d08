"""Who reads which threads and posts (hidden posts: internal users only), and where."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.access import active_customer_account_id, is_internal
from accounts.models import User
from community.access.gardens import (
    access_garden_content,
    account_gardens,
    content_gardens,
    garden_can_post,
    garden_is_steward,
    internal_gardens,
)
from community.models import Garden, Post, Thread
from config.sql_once import KeptRows, SqlOnce

# Threads and posts live in a garden: who sees the garden sees its discussions. Hidden posts
# (and a thread whose opening post is hidden) vanish for customers: 404, as if they never were;
# internal users still see them, marked. Posting needs garden_can_post (403 otherwise);
# moderating needs garden_is_steward (403).


def sees_hidden_posts(user: User) -> bool:
    """Internal users (stewards among them) see hidden posts, marked; customers never."""
    return is_internal(user)


def discussion_gardens(user: User) -> QuerySet[Garden]:
    """Gardens whose discussions the user reads: those whose content they see (internal users
    all; customers the open ones and those their account accepted: an admin who still has to
    answer an invitation sees the garden, not its conversations)."""
    return content_gardens(user)


def access_garden_discussions(user: User, slug: str) -> Garden:
    """A garden whose discussions the user reads, else 404 (also for an invited account's
    admin, who sees the garden's charter and invitation only: as for a stranger)."""
    return access_garden_content(user, slug)


def visible_threads(user: User) -> QuerySet[Thread]:
    """The threads of the gardens whose discussions the user reads (hidden ones only for
    internal users)."""
    if (account_id := active_customer_account_id(user)) is not None:
        return _customer_threads(account_id)
    if _active_internal(user):
        return _internal_threads()
    threads = Thread.objects.filter(garden__in=discussion_gardens(user))
    if not sees_hidden_posts(user):
        threads = threads.filter(hidden_at__isnull=True)
    return threads


def _customer_threads(account_id: int) -> QuerySet[Thread]:
    """An active customer's threads: their account's gardens', none hidden."""
    return Thread.objects.filter(garden__in=account_gardens(account_id), hidden_at__isnull=True)


_THREAD_RELATED = ("garden", "author", "account")
# A customer's thread by its garden and id, asked on every thread page: SQL written once.
_CUSTOMER_THREAD = SqlOnce(
    Thread,
    lambda account_id, slug, thread_id: (
        _customer_threads(account_id)
        .select_related(*_THREAD_RELATED)
        .filter(garden__slug=slug, pk=thread_id)[:1]
    ),
    account_id=int,
    slug=str,
    thread_id=int,
)


def _internal_threads() -> QuerySet[Thread]:
    """An active internal user's threads: every garden's (discussion_gardens), hidden ones
    too (sees_hidden_posts)."""
    return Thread.objects.filter(garden__in=internal_gardens())


def _active_internal(user: User) -> bool:
    """An active internal user, whose threads and posts are `_internal_threads`'."""
    return sees_hidden_posts(user) and user.is_active


def _whole(value: int | str) -> int | None:
    """An id given as an int, or as a text of ASCII digits (a URL's), as the ORM reads it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


# An internal user's thread (of a garden, or by its id alone) and post, asked on every thread
# page and API call of theirs: their SQL is written once per process.
_INTERNAL_THREAD = SqlOnce(
    Thread,
    lambda thread_id: _internal_threads().select_related(*_THREAD_RELATED).filter(pk=thread_id)[:1],
    thread_id=int,
)
_INTERNAL_GARDEN_THREAD = SqlOnce(
    Thread,
    lambda slug, thread_id: (
        _internal_threads()
        .select_related(*_THREAD_RELATED)
        .filter(garden__slug=slug, pk=thread_id)[:1]
    ),
    slug=str,
    thread_id=int,
)
_POST_RELATED = ("thread__garden", "author", "account", "hidden_by")
_INTERNAL_POST = SqlOnce(
    Post,
    lambda post_id: (
        Post.objects.select_related(*_POST_RELATED)
        .filter(thread__in=_internal_threads())
        .filter(pk=post_id)[:1]
    ),
    post_id=int,
)


_THREAD_ORDER = ("-last_post_at", "-pk")
# The API's list of threads without a garden, paged: one kept SQL for a customer (by their
# account) and one for an internal user (every thread). They count the list, which is read as
# plain values (THREAD_VALUES) by the same two branches.
_CUSTOMER_THREAD_ROWS = SqlOnce(
    Thread,
    lambda account_id: (
        _customer_threads(account_id).select_related(*_THREAD_RELATED).order_by(*_THREAD_ORDER)
    ),
    account_id=int,
)
_INTERNAL_THREAD_ROWS = SqlOnce(
    Thread, lambda: _internal_threads().select_related(*_THREAD_RELATED).order_by(*_THREAD_ORDER)
)
# A row of `visible_thread_rows`: what the API's list shows of a thread, its garden's, and what
# names its author (community.api.discussions.thread_items).
THREAD_VALUES = (
    "id",
    "garden__slug",
    "garden__shows_other_members",
    "title",
    "author_id",
    "author__first_name",
    "author__last_name",
    "account_id",
    "account__name",
    "created_at",
    "last_post_at",
    "post_count",
    "hidden_at",
)
_CUSTOMER_THREAD_VALUES = SqlOnce(
    Thread,
    lambda account_id: (
        _customer_threads(account_id).order_by(*_THREAD_ORDER).values_list(*THREAD_VALUES)
    ),
    account_id=int,
)
_INTERNAL_THREAD_VALUES = SqlOnce(
    Thread, lambda: _internal_threads().order_by(*_THREAD_ORDER).values_list(*THREAD_VALUES)
)


def visible_thread_rows(user: User) -> KeptRows | None:
    """visible_threads(user), most active first, as kept rows to page
    (config.sql_once.KeptRows) of tuples of `THREAD_VALUES`, counted as the threads are
    counted (their rows alone); None for anyone but an active customer or an active internal
    user (their list is read through the ORM)."""
    if (account_id := active_customer_account_id(user)) is not None:
        return _CUSTOMER_THREAD_VALUES.rows(counted_by=_CUSTOMER_THREAD_ROWS, account_id=account_id)
    if _active_internal(user):
        return _INTERNAL_THREAD_VALUES.rows(counted_by=_INTERNAL_THREAD_ROWS)
    return None


def access_thread(
    user: User, thread_id: int | str, *, slug: str | None = None, for_write: bool = False
) -> Thread:
    """A visible thread (of the garden `slug` when given), else 404; for_write: the user may
    post in its garden, else 403."""
    account_id = active_customer_account_id(user)
    if account_id is not None and isinstance(slug, str) and isinstance(thread_id, int):
        thread = _CUSTOMER_THREAD.first(account_id=account_id, slug=slug, thread_id=thread_id)
    elif (
        account_id is None
        and (whole := _whole(thread_id))
        and (slug is None or (isinstance(slug, str) and slug))
        and _active_internal(user)
    ):
        if slug is None:
            thread = _INTERNAL_THREAD.first(thread_id=whole)
        else:
            thread = _INTERNAL_GARDEN_THREAD.first(slug=slug, thread_id=whole)
    else:
        threads = visible_threads(user).select_related(*_THREAD_RELATED)
        if slug is not None:
            threads = threads.filter(garden__slug=slug)
        thread = threads.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    if for_write and not garden_can_post(user, thread.garden):
        raise PermissionDenied("Join the garden to take part in its discussions.")
    return thread


def access_post(
    user: User,
    post_id: int | str,
    *,
    thread: Thread | None = None,
    for_write: bool = False,
    for_moderation: bool = False,
) -> Post:
    """A visible post (of `thread` when given), else 404; for_write: the user may post in its
    garden, for_moderation: a steward of its garden, else 403."""
    if thread is None and (whole := _whole(post_id)) and _active_internal(user):
        post = _INTERNAL_POST.first(post_id=whole)
    else:
        post = _post_of(user, post_id, thread)
    if post is None:
        raise Http404("No such post.")
    if thread is not None:
        post.thread = thread  # the caller's, already checked and loaded
    garden = post.thread.garden
    if for_moderation and not garden_is_steward(user, garden):
        raise PermissionDenied("Only the garden's stewards moderate its discussions.")
    if for_write and not garden_can_post(user, garden):
        raise PermissionDenied("Join the garden to take part in its discussions.")
    return post


def _post_of(user: User, post_id: int | str, thread: Thread | None) -> Post | None:
    """access_post's read through the ORM (of `thread`, or of the user's visible threads)."""
    posts = Post.objects.select_related(*_POST_RELATED)
    if thread is not None:
        posts = posts.filter(thread=thread)
    else:
        posts = posts.filter(thread__in=visible_threads(user))
    if not sees_hidden_posts(user):
        posts = posts.filter(hidden_at__isnull=True)
    return posts.filter(pk=post_id).first()
