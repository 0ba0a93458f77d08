"""Who may see, join, post in, steward and invite to which gardens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Q, QuerySet
from django.http import Http404

from accounts.access import (
    active_customer_account_id,
    customer_membership,
    is_internal,
    manages_all_accounts,
)
from accounts.models import Account, MemberRole, User
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenVisibility,
)
from config.sql_once import SqlOnce


def account_gardens(account_id: int) -> QuerySet[Garden]:
    """The gardens an account takes part in: the open ones and the invite-only ones it
    accepted. Their content (ideas, pilots, votes, comments, discussions, harvests, members,
    activity) is what the account's people may see; an invitation still to answer, or one
    declined, is no part."""
    accepted = GardenAccount.objects.filter(
        account_id=account_id, status=GardenAccountStatus.ACCEPTED
    ).values("garden_id")
    return Garden.objects.filter(Q(visibility=GardenVisibility.OPEN) | Q(pk__in=accepted))


def accounts_inside(*, garden_id: int) -> QuerySet[Account]:
    """The accounts whose people see inside the garden, the other way round of
    `account_gardens` (for telling people about what is inside): every account for an open
    garden, those that accepted for an invite-only one. One subquery, no query of its own."""
    open_garden = Garden.objects.filter(pk=garden_id, visibility=GardenVisibility.OPEN)
    accepted = GardenAccount.objects.filter(
        garden_id=garden_id, status=GardenAccountStatus.ACCEPTED
    ).values("account_id")
    return Account.objects.filter(Exists(open_garden) | Q(pk__in=accepted))


def visible_gardens(user: User) -> QuerySet[Garden]:
    """The gardens themselves (name, description, charter) the user sees: internal users every
    garden; customers those their account takes part in (`account_gardens`). An account's
    admins also see the gardens their account is invited to (still unanswered), so they can
    answer; its other members do not until it accepts. Declined: invisible again (a new
    invitation makes it visible to the admins). What is inside a garden: `content_gardens`."""
    if not user.is_authenticated or not user.is_active:
        return Garden.objects.none()
    membership = customer_membership(user)
    if membership is None:
        return Garden.objects.all()  # internal users see every garden
    return customer_visible_gardens(
        membership.account_id, admin=membership.role == MemberRole.ADMIN
    )


def customer_visible_gardens(account_id: int, *, admin: bool) -> QuerySet[Garden]:
    """visible_gardens of an active customer, by their account and whether they are its admin
    (by values alone, so that a read asked on every garden page keeps its SQL)."""
    if not admin:
        return account_gardens(account_id)
    invited = GardenAccount.objects.filter(
        account_id=account_id,
        status__in=[GardenAccountStatus.ACCEPTED, GardenAccountStatus.INVITED],
    ).values("garden_id")
    return Garden.objects.filter(Q(visibility=GardenVisibility.OPEN) | Q(pk__in=invited))


def content_gardens(user: User) -> QuerySet[Garden]:
    """The gardens whose content the user sees (ideas, pilots, votes, comments, proposals,
    discussions, harvests, members, activity): internal users every garden; customers those
    their account takes part in. The one rule every door of a garden's content asks: an
    invited account's admin sees the garden's charter and invitation (`visible_gardens`),
    nothing inside it until the account accepts."""
    if not user.is_authenticated or not user.is_active:
        return Garden.objects.none()
    membership = customer_membership(user)
    if membership is None:
        return internal_gardens()
    return account_gardens(membership.account_id)


# The slug and name of each garden of `content_gardens`, in its order: the garden choices of the
# filter forms of the idea, board and pilot lists and of a new idea, asked on each of those pages.
_ACCOUNT_GARDEN_CHOICES = SqlOnce(
    Garden,
    lambda account_id: account_gardens(account_id).values_list("slug", "name"),
    account_id=int,
)
_INTERNAL_GARDEN_CHOICES = SqlOnce(Garden, lambda: internal_gardens().values_list("slug", "name"))


def content_garden_choices(user: User) -> list[tuple[str, str]]:
    """(slug, name) of each of `content_gardens(user)`, in its order (by name); its SQL is
    written once per process for each branch of the rule (config.sql_once)."""
    if not user.is_authenticated or not user.is_active:
        return []
    membership = customer_membership(user)
    if membership is None:
        return _INTERNAL_GARDEN_CHOICES.all()
    return _ACCOUNT_GARDEN_CHOICES.all(account_id=membership.account_id)


def internal_gardens() -> QuerySet[Garden]:
    """content_gardens of an active internal user: every garden (by no value of theirs, so
    that their reads asked on every page can keep their SQL: config.sql_once)."""
    return Garden.objects.all()


def garden_content_shown(user: User, garden: Garden) -> bool:
    """May the user see what is inside `garden` (`content_gardens`, for one garden)."""
    if not user.is_authenticated or not user.is_active:
        return False
    membership = customer_membership(user)
    if membership is None or garden.visibility == GardenVisibility.OPEN:
        return True
    return GardenAccount.objects.filter(
        garden=garden, account_id=membership.account_id, status=GardenAccountStatus.ACCEPTED
    ).exists()


# A customer's garden by its slug, asked on every garden page: its SQL is written once.
_CUSTOMER_GARDEN = SqlOnce(
    Garden,
    lambda account_id, slug: account_gardens(account_id).filter(slug=slug)[:1],
    account_id=int,
    slug=str,
)


def access_garden_content(user: User, slug: str) -> Garden:
    """A garden whose content the user sees, else 404, as for a garden that does not exist:
    the door of every page, fragment, export and API answer about what is inside a garden."""
    account_id = active_customer_account_id(user)
    if account_id is not None and isinstance(slug, str):
        garden = _CUSTOMER_GARDEN.first(account_id=account_id, slug=slug)
    elif isinstance(slug, str) and _active_internal(user):
        garden = _INTERNAL_VISIBLE_GARDEN.first(slug=slug)  # content_gardens: every garden
    else:
        garden = content_gardens(user).filter(slug=slug).first()
    if garden is None:
        raise Http404("No such garden.")
    return garden


def _active_internal(user: User) -> bool:
    """An active internal user (content_gardens and visible_gardens: every garden)."""
    return user.is_authenticated and user.is_active and customer_membership(user) is None


def can_manage_gardens(user: User) -> bool:
    """Programme admins create and edit gardens (and steward every one)."""
    if not user.is_authenticated or not user.is_active or customer_membership(user) is not None:
        return False  # (customers: no permission query)
    return manages_all_accounts(user)


# A visible garden by its slug, asked on every garden home (and join, leave, invitation):
# its SQL is written once per process, for a customer (member or admin) and an internal user.
_CUSTOMER_VISIBLE_GARDEN = {
    admin: SqlOnce(
        Garden,
        lambda account_id, slug, admin=admin: customer_visible_gardens(
            account_id, admin=admin
        ).filter(slug=slug)[:1],
        account_id=int,
        slug=str,
    )
    for admin in (False, True)
}
_INTERNAL_VISIBLE_GARDEN = SqlOnce(
    Garden, lambda slug: Garden.objects.filter(slug=slug)[:1], slug=str
)


def _visible_garden(user: User, slug: str) -> Garden | None:
    """visible_gardens(user).filter(slug=slug).first(), its SQL kept (slugs are unique)."""
    if not isinstance(slug, str) or not user.is_authenticated or not user.is_active:
        return visible_gardens(user).filter(slug=slug).first()
    membership = customer_membership(user)
    if membership is None:
        return _INTERNAL_VISIBLE_GARDEN.first(slug=slug)
    return _CUSTOMER_VISIBLE_GARDEN[membership.role == MemberRole.ADMIN].first(
        account_id=membership.account_id, slug=slug
    )


def access_garden(user: User, slug: str, *, for_write: bool = False) -> Garden:
    """A visible garden (else 404); for_write: its settings, programme admins only (else 403)."""
    garden = _visible_garden(user, slug)
    if garden is None:
        raise Http404("No such garden.")
    if for_write and not can_manage_gardens(user):
        raise PermissionDenied("Only programme admins change gardens.")
    return garden


def garden_is_member(user: User, garden: Garden) -> bool:
    """Has the customer joined the garden (internal users need no membership: False)."""
    membership = customer_membership(user)
    if membership is None or not user.is_active:
        return False
    return bool(
        _MEMBERSHIP.all(garden_id=garden.pk, user_id=user.pk, account_id=membership.account_id)
    )


# Asked on every garden home, thread list and thread page: its SQL is written once.
_MEMBERSHIP = SqlOnce(
    GardenMembership,
    lambda garden_id, user_id, account_id: (
        GardenMembership.objects.filter(garden_id=garden_id, user_id=user_id, account_id=account_id)
        .order_by()  # as exists() asks: no join for the model's ordering
        .values_list("pk", flat=True)[:1]
    ),
    garden_id=int,
    user_id=int,
    account_id=int,
)


def garden_is_steward(user: User, garden: Garden) -> bool:
    """A steward of the garden, or a programme admin / superuser (they steward every garden)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or manages_all_accounts(user):
        return True
    if customer_membership(user) is not None:
        return False
    return garden.stewards.filter(pk=user.pk).exists()


def garden_can_post(user: User, garden: Garden) -> bool:
    """Customers post where they are members; internal users everywhere they see."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_internal(user):
        return True
    return garden_is_member(user, garden)


def garden_can_invite(user: User, garden: Garden) -> bool:
    """Programme admins and the garden's stewards invite accounts (invite-only gardens)."""
    return garden_is_steward(user, garden)


def access_garden_for_invitations(user: User, slug: str) -> Garden:
    """A garden whose invitations the user manages: 404 if not visible, 403 if not a steward."""
    garden = access_garden(user, slug)
    if not garden_can_invite(user, garden):
        raise PermissionDenied("Only the garden's stewards and programme admins invite.")
    return garden


def visible_garden_invitations(user: User) -> QuerySet[GardenAccount]:
    """Invitations (GardenAccount rows) the user sees: programme admins all, stewards those of
    their gardens, a customer account's admins their own account's, everyone else none."""
    if not user.is_authenticated or not user.is_active:
        return GardenAccount.objects.none()
    if can_manage_gardens(user) or user.is_superuser:
        return GardenAccount.objects.all()
    membership = customer_membership(user)
    if membership is None:
        return steward_garden_invitations(user.pk)
    if membership.role != MemberRole.ADMIN:
        return GardenAccount.objects.none()
    return account_garden_invitations(membership.account_id)


def steward_garden_invitations(user_id: int) -> QuerySet[GardenAccount]:
    """visible_garden_invitations of an internal user who does not manage gardens: those of
    the gardens they steward (by id, so that a list read can keep its SQL)."""
    return GardenAccount.objects.filter(garden__stewards=user_id)


def account_garden_invitations(account_id: int) -> QuerySet[GardenAccount]:
    """visible_garden_invitations of a customer account's admin: their account's."""
    return GardenAccount.objects.filter(account_id=account_id)


def access_garden_invitation(
    user: User, invitation_id: int, *, for_answer: bool = False
) -> GardenAccount:
    """An invitation the user sees (else 404); for_answer: only the invited account's admins
    accept or decline it (else 403)."""
    invitation = (
        visible_garden_invitations(user)
        .select_related("garden", "account")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    if for_answer:
        membership = customer_membership(user)
        if membership is None or membership.account_id != invitation.account_id:
            raise PermissionDenied("Only the invited account's admins answer an invitation.")
    return invitation
