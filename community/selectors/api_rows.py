"""The community API's lists read a page at a time from kept SQL (config.sql_once), for calls
that ask for nothing but a page (config.api.asks_only_a_page): a customer's or an internal
reader's harvest feed, the garden invitations a person sees, a thread's posts and a garden's
members (as plain values, which the API makes into its items itself), and the stewards of a
page of gardens. Each keeps one SQL per branch of its access rule and is paged with
LIMIT/OFFSET as parameters (config.sql_once.KeptRows, which the API's paginator reads as it
reads a queryset); each gives the rows, in the order, of the selector named in its docstring,
which every other call reads.
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
from community.models import Garden, GardenAccount, GardenMembership, Harvest, Post, Thread
from community.selectors.discussions import _thread_posts
from community.selectors.gardens import (
    _ACCOUNT_MEMBERSHIP_ROWS,
    _MEMBERSHIP_ROWS,
    _garden_memberships,
    garden_invitations,
)
from community.selectors.harvests import (
    _FEED_ORDER,
    _customer_annotated,
    _customer_values,
    _internal_annotated,
)
from config.sql_once import KeptRows, SqlOnce

# The API's unfiltered feed (harvest_feed's rows, in its order), paged, as plain values
# (HARVEST_VALUES: what the API shows of a harvest and its garden, and whether the reader read
# it and may see its garden): one kept SQL for a customer (the harvests aimed at their
# account), and one per branch of an internal user's rule (visible_harvests: every harvest, or
# the published ones and their gardens' drafts), without the count of the accounts that read
# each harvest, which the API does not show. Each counts its own rows.
HARVEST_VALUES = (
    "slug",
    "title",
    "summary",
    "body",
    "kind",
    "garden_id",
    "garden__slug",
    "garden__name",
    "audience",
    "segments",
    "source_thread_id",
    "source_pilot_ref",
    "source_url",
    "published_at",
    "is_read",
    "garden_shown",
)
_API_CUSTOMER_FEED = SqlOnce(
    Harvest,
    lambda user_id, account_id, segment: (
        _customer_annotated(
            Harvest.objects.filter(harvest_targeted_q(account_id, segment)),
            user_id=user_id,
            account_id=account_id,
        )
        .order_by(*_FEED_ORDER)
        .values_list(*HARVEST_VALUES)
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
                internal_visible_harvests(user_id, writes_all=writes_all),
                user_id=user_id,
                reach=False,
            )
            .order_by(*_FEED_ORDER)
            .values_list(*HARVEST_VALUES)
        ),
        user_id=int,
    )
    for writes_all in (False, True)
}


def harvest_feed_rows(*, user: User) -> KeptRows | None:
    """harvest_feed(user=user)'s rows as kept rows to page (config.sql_once.KeptRows) of
    tuples of `HARVEST_VALUES`, for an active user; None for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return None
    values = _customer_values(user)
    if values is not None:
        return _API_CUSTOMER_FEED.rows(**values)
    if customer_membership(user) is not None:
        return None
    return _API_INTERNAL_FEED[can_write_harvests(user, None)].rows(user_id=user.pk)


# The API's unfiltered list of invitations: one kept SQL per branch of
# visible_garden_invitations (every invitation; a steward's gardens'; an account's). They count
# the list, which is read as plain values (INVITATION_VALUES) by the same three branches.
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
# A row of `visible_invitation_rows`: what the API shows of an invitation, its garden and
# account.
INVITATION_VALUES = (
    "id",
    "garden__slug",
    "garden__name",
    "account__slug",
    "account__name",
    "status",
    "created_at",
    "responded_at",
)
_EVERY_INVITATION_VALUES = SqlOnce(
    GardenAccount,
    lambda: garden_invitations(invitations=GardenAccount.objects.all()).values_list(
        *INVITATION_VALUES
    ),
)
_STEWARD_INVITATION_VALUES = SqlOnce(
    GardenAccount,
    lambda user_id: garden_invitations(invitations=steward_garden_invitations(user_id)).values_list(
        *INVITATION_VALUES
    ),
    user_id=int,
)
_ACCOUNT_INVITATION_VALUES = SqlOnce(
    GardenAccount,
    lambda account_id: garden_invitations(
        invitations=account_garden_invitations(account_id)
    ).values_list(*INVITATION_VALUES),
    account_id=int,
)


def visible_invitation_rows(*, user: User) -> KeptRows | None:
    """garden_invitations(invitations=visible_garden_invitations(user)) as kept rows to page
    (config.sql_once.KeptRows) of tuples of `INVITATION_VALUES`, counted as those invitations
    are counted (their rows alone), taking visible_garden_invitations' branches in its order;
    None where the user sees none (the ORM's empty list)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if can_manage_gardens(user) or user.is_superuser:
        return _EVERY_INVITATION_VALUES.rows(counted_by=_EVERY_INVITATION)
    membership = customer_membership(user)
    if membership is None:
        return _STEWARD_INVITATION_VALUES.rows(counted_by=_STEWARD_INVITATIONS, user_id=user.pk)
    if membership.role != MemberRole.ADMIN:
        return None
    return _ACCOUNT_INVITATION_VALUES.rows(
        counted_by=_ACCOUNT_INVITATIONS, account_id=membership.account_id
    )


# The API's pages of a thread's posts: one kept SQL for a customer, one for an internal reader.
# They count the pages, which are read as plain values (POST_VALUES) by the same two branches.
_POST_ROWS = {
    i: SqlOnce(Post, partial(_thread_posts, internal=i), thread_id=int) for i in (False, True)
}
# A row of `thread_post_rows`: what the API shows of a post, and what names its author.
POST_VALUES = (
    "id",
    "author_id",
    "author__first_name",
    "author__last_name",
    "account_id",
    "account__name",
    "body",
    "created_at",
    "edited_at",
    "hidden_at",
    "hidden_reason",
)
_POST_VALUES = {
    i: SqlOnce(
        Post,
        lambda thread_id, internal=i: _thread_posts(thread_id, internal=internal).values_list(
            *POST_VALUES
        ),
        thread_id=int,
    )
    for i in (False, True)
}


def thread_post_rows(*, thread: Thread, user: User) -> KeptRows:
    """thread_posts(thread=thread, user=user) as kept rows to page (config.sql_once.KeptRows)
    of tuples of `POST_VALUES`, counted as those posts are counted (their rows alone)."""
    internal = sees_hidden_posts(user)
    return _POST_VALUES[internal].rows(counted_by=_POST_ROWS[internal], thread_id=thread.pk)


# A row of `garden_member_values`: what the API shows of a membership and what names it.
MEMBER_VALUES = (
    "user_id",
    "user__first_name",
    "user__last_name",
    "account_id",
    "account__name",
    "joined_at",
)
_MEMBER_VALUES = SqlOnce(
    GardenMembership,
    lambda garden_id: _garden_memberships(garden_id).values_list(*MEMBER_VALUES),
    garden_id=int,
)
_ACCOUNT_MEMBER_VALUES = SqlOnce(
    GardenMembership,
    lambda garden_id, account_id: (
        _garden_memberships(garden_id).filter(account_id=account_id).values_list(*MEMBER_VALUES)
    ),
    garden_id=int,
    account_id=int,
)


def garden_member_values(*, viewer: User, garden: Garden) -> KeptRows:
    """garden_memberships_visible_to(viewer=, garden=) as kept rows to page
    (config.sql_once.KeptRows) of tuples of `MEMBER_VALUES`, counted as those memberships are
    counted (their rows alone)."""
    viewer_membership = customer_membership(viewer)
    if viewer_membership is None or garden.shows_other_members:
        values = {"garden_id": garden.pk}
        return _MEMBER_VALUES.rows(counted_by=_MEMBERSHIP_ROWS, **values)
    values = {"garden_id": garden.pk, "account_id": viewer_membership.account_id}
    return _ACCOUNT_MEMBER_VALUES.rows(counted_by=_ACCOUNT_MEMBERSHIP_ROWS, **values)


_Stewardship = Garden.stewards.through
# The stewards of a page of gardens, as prefetch_related("stewards") reads them (by email, the
# user's ordering), as plain values (the garden's id, the steward's id and names): SQL written
# once per process.
_PAGE_STEWARDS = SqlOnce(
    _Stewardship,
    lambda garden_ids: (
        _Stewardship.objects.filter(garden_id__any_of=garden_ids)
        .order_by("user__email")
        .values_list("garden_id", "user_id", "user__first_name", "user__last_name")
    ),
    garden_ids=list,
)


def garden_steward_rows(*, garden_ids: list[int]) -> dict[int, list[tuple]]:
    """Per garden of `garden_ids`, its stewards as `garden.stewards.all()` gives them after
    prefetch_related("stewards"), as (id, first name, last name). One query (none for none)."""
    stewards: dict[int, list[tuple]] = {garden_id: [] for garden_id in garden_ids}
    if garden_ids:
        for garden_id, *steward in _PAGE_STEWARDS.all(garden_ids=list(stewards)):
            stewards[garden_id].append(tuple(steward))
    return stewards
