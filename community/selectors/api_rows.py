"""The community API's lists read a page at a time from kept SQL (config.sql_once), for calls
that ask for nothing but a page (config.api.asks_only_a_page): a customer's or an internal
reader's harvest feed, the garden invitations a person sees, and a thread's posts. Each keeps
one SQL per branch of its access rule and is paged with LIMIT/OFFSET as parameters
(config.sql_once.KeptRows, which the API's paginator reads as it reads a queryset); each gives
the rows, in the order, of the selector named in its docstring, which every other call reads.
"""

from __future__ import annotations

from functools import partial

from accounts.access import customer_membership
from accounts.models import MemberRole, User
from community.access.discussions import sees_hidden_posts
from community.access.gardens import (
    account_garden_invitations,
    can_manage_gardens,
    steward_garden_invitations,
)
from community.access.harvests import (
    can_write_harvests,
    harvest_targeted_q,
    internal_visible_harvests,
)
from community.models import GardenAccount, Harvest, Post, Thread
from community.selectors.discussions import _thread_posts
from community.selectors.gardens import garden_invitations
from community.selectors.harvests import (
    _FEED_ORDER,
    _customer_annotated,
    _customer_values,
    _internal_annotated,
)
from config.sql_once import KeptRows, SqlOnce

# The API's unfiltered feed (harvest_feed with the source discussion), paged: one kept SQL for
# a customer (the harvests aimed at their account), and one per branch of an internal user's
# rule (visible_harvests: every harvest, or the published ones and their gardens' drafts).
_API_CUSTOMER_FEED = SqlOnce(
    Harvest,
    lambda user_id, account_id, segment: (
        _customer_annotated(
            Harvest.objects.filter(harvest_targeted_q(account_id, segment)),
            user_id=user_id,
            account_id=account_id,
        )
        .order_by(*_FEED_ORDER)
        .select_related("source_thread")
    ),
    user_id=int,
    account_id=int,
    segment=str,
)
_API_INTERNAL_FEED = {
    writes_all: SqlOnce(
        Harvest,
        lambda user_id, writes_all=writes_all: (
            _internal_annotated(
                internal_visible_harvests(user_id, writes_all=writes_all), user_id=user_id
            )
            .order_by(*_FEED_ORDER)
            .select_related("source_thread")
        ),
        user_id=int,
    )
    for writes_all in (False, True)
}


def harvest_feed_rows(*, user: User) -> KeptRows | None:
    """harvest_feed(user=user).select_related("source_thread") as kept rows to page
    (config.sql_once.KeptRows), for an active user; None for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return None
    values = _customer_values(user)
    if values is not None:
        return _API_CUSTOMER_FEED.rows(**values)
    if customer_membership(user) is not None:
        return None
    return _API_INTERNAL_FEED[can_write_harvests(user, None)].rows(user_id=user.pk)


# The API's unfiltered list of invitations: one kept SQL per branch of
# visible_garden_invitations (every invitation; a steward's gardens'; an account's).
_EVERY_INVITATION = SqlOnce(
    GardenAccount, lambda: garden_invitations(invitations=GardenAccount.objects.all())
)
_STEWARD_INVITATIONS = SqlOnce(
    GardenAccount,
    lambda user_id: garden_invitations(invitations=steward_garden_invitations(user_id)),
    user_id=int,
)
_ACCOUNT_INVITATIONS = SqlOnce(
    GardenAccount,
    lambda account_id: garden_invitations(invitations=account_garden_invitations(account_id)),
    account_id=int,
)


def visible_invitation_rows(*, user: User) -> KeptRows | None:
    """garden_invitations(invitations=visible_garden_invitations(user)) as kept rows to page
    (config.sql_once.KeptRows), taking visible_garden_invitations' branches in its order; None
    where the user sees none (the ORM's empty list)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if can_manage_gardens(user) or user.is_superuser:
        return _EVERY_INVITATION.rows()
    membership = customer_membership(user)
    if membership is None:
        return _STEWARD_INVITATIONS.rows(user_id=user.pk)
    if membership.role != MemberRole.ADMIN:
        return None
    return _ACCOUNT_INVITATIONS.rows(account_id=membership.account_id)


# The API's pages of a thread's posts: one kept SQL for a customer, one for an internal reader.
_POST_ROWS = {
    i: SqlOnce(Post, partial(_thread_posts, internal=i), thread_id=int) for i in (False, True)
}


def thread_post_rows(*, thread: Thread, user: User) -> KeptRows:
    """thread_posts(thread=thread, user=user) as kept rows to page (config.sql_once.KeptRows)."""
    return _POST_ROWS[sees_hidden_posts(user)].rows(thread_id=thread.pk)
