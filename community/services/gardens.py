"""Writes of gardens: programme admins create and edit them, stewards invite accounts to the
invite-only ones, an account's admin answers for the account, customers join and leave.

Joining records no activity event: no event kind fits (a join is not a visit or a post), and
engagement counts what members then do in the garden.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import Account, MemberRole, Membership, User
from accounts.slugs import unique_slug
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
)
from community.models.notifications import NotifyKind
from community.services.notifications import notify

# Garden slugs share /gardens/<slug>/ with these pages.
RESERVED_SLUGS = frozenset({"new"})

GARDEN_FIELDS = (
    "name",
    "theme",
    "custom_theme",
    "description",
    "charter",
    "visibility",
    "shows_other_members",
)


def _check_stewards(stewards: Iterable[User]) -> list[User]:
    """Stewards are active internal users (people of the company, not of a customer)."""
    stewards = list(stewards)
    if not stewards:
        return []
    customers = set(Membership.objects.filter(user__in=stewards).values_list("user_id", flat=True))
    wrong = [s for s in stewards if s.pk in customers or not s.is_active]
    if wrong:
        raise ValidationError(
            {"stewards": "Stewards are active internal users, not customers."}, code="steward"
        )
    return stewards


def _validate(garden: Garden) -> None:
    garden.name = garden.name.strip()
    garden.custom_theme = garden.custom_theme.strip()
    if garden.theme == GardenTheme.CUSTOM and not garden.custom_theme:
        raise ValidationError({"custom_theme": "Name the custom theme."}, code="custom_theme")
    if garden.theme != GardenTheme.CUSTOM:
        garden.custom_theme = ""
    garden.full_clean()


@transaction.atomic
def garden_create(
    *,
    created_by: User | None,
    name: str,
    theme: str,
    custom_theme: str = "",
    description: str = "",
    charter: str = "",
    visibility: str = GardenVisibility.OPEN,
    shows_other_members: bool = False,
    stewards: Iterable[User] = (),
    slug: str | None = None,
) -> Garden:
    """A new garden with its stewards; the slug is made from the name (kept unique)."""
    garden = Garden(
        name=name,
        slug=slug or unique_slug(Garden, name, reserved=RESERVED_SLUGS),
        theme=theme,
        custom_theme=custom_theme,
        description=description,
        charter=charter,
        visibility=visibility,
        shows_other_members=shows_other_members,
        created_by=created_by,
    )
    _validate(garden)
    stewards = _check_stewards(stewards)
    garden.save()
    garden.stewards.set(stewards)
    return garden


@transaction.atomic
def garden_update(*, garden: Garden, stewards: Iterable[User] | None = None, **fields) -> Garden:
    """Change a garden's settings (any of GARDEN_FIELDS) and, if given, its stewards. The slug
    stays (links keep working). Turning an open garden invite-only keeps its members: their
    accounts are recorded as accepted, so nobody loses a garden they were in."""
    unknown = set(fields) - set(GARDEN_FIELDS)
    if unknown:
        raise TypeError(f"garden_update got unknown fields: {sorted(unknown)}")
    was_open = garden.visibility == GardenVisibility.OPEN
    for name, value in fields.items():
        setattr(garden, name, value)
    _validate(garden)
    if stewards is not None:
        stewards = _check_stewards(stewards)
    garden.save()
    if stewards is not None:
        garden.stewards.set(stewards)
    if was_open and garden.visibility == GardenVisibility.INVITE_ONLY:
        _accept_member_accounts(garden=garden)
    return garden


def _accept_member_accounts(*, garden: Garden) -> None:
    account_ids = set(
        GardenMembership.objects.filter(garden=garden).values_list("account_id", flat=True)
    )
    existing = dict(
        GardenAccount.objects.filter(garden=garden, account_id__in=account_ids).values_list(
            "account_id", "pk"
        )
    )
    now = timezone.now()
    GardenAccount.objects.filter(pk__in=existing.values()).update(
        status=GardenAccountStatus.ACCEPTED, responded_at=now
    )
    GardenAccount.objects.bulk_create(
        GardenAccount(
            garden=garden,
            account_id=account_id,
            status=GardenAccountStatus.ACCEPTED,
            responded_at=now,
        )
        for account_id in sorted(account_ids - set(existing))
    )


# --- Invitations (invite-only gardens) ---------------------------------------------------------


def _account_admins(account: Account):
    return User.objects.filter(
        membership__account=account, membership__role=MemberRole.ADMIN, is_active=True
    )


@transaction.atomic
def garden_invite(*, garden: Garden, account: Account, invited_by: User) -> GardenAccount:
    """Invite an account to an invite-only garden; its admins are notified. Inviting again an
    account that declined asks it again; an account already invited or taking part: refused."""
    if garden.visibility != GardenVisibility.INVITE_ONLY:
        raise ValidationError(
            {"account": "Open gardens need no invitation: every account may join."},
            code="open_garden",
        )
    invitation = (
        GardenAccount.objects.select_for_update().filter(garden=garden, account=account).first()
    )
    if invitation is not None and invitation.status == GardenAccountStatus.ACCEPTED:
        raise ValidationError(
            {"account": f"{account.name} already takes part in this garden."}, code="accepted"
        )
    if invitation is not None and invitation.status == GardenAccountStatus.INVITED:
        raise ValidationError({"account": f"{account.name} is already invited."}, code="invited")
    if invitation is None:
        invitation = GardenAccount(garden=garden, account=account)
    invitation.status = GardenAccountStatus.INVITED
    invitation.invited_by = invited_by
    invitation.responded_by = None
    invitation.responded_at = None
    invitation.save()
    notify(
        users=_account_admins(account),
        kind=NotifyKind.GARDEN_INVITATION,
        title=f"Your account is invited to the garden “{garden.name}”",
        body=(
            f"{garden.name}: {garden.description}".strip().rstrip(":")
            + "\n\nAs an admin of your account you accept or decline for the whole account."
        ),
        url=reverse("community:garden-invitation", kwargs={"slug": garden.slug}),
        exclude=invited_by,
    )
    return invitation


def _answer(*, invitation: GardenAccount, by: User, status: str) -> GardenAccount:
    membership = customer_membership(by)
    if (
        membership is None
        or membership.account_id != invitation.account_id
        or membership.role != MemberRole.ADMIN
    ):
        raise ValidationError("Only the invited account's admins answer.", code="not_admin")
    invitation = GardenAccount.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != GardenAccountStatus.INVITED:
        raise ValidationError(
            f"This invitation is already {invitation.get_status_display().lower()}.",
            code="answered",
        )
    invitation.status = status
    invitation.responded_by = by
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_by", "responded_at", "updated_at"])
    return invitation


@transaction.atomic
def garden_invitation_accept(*, invitation: GardenAccount, by: User) -> GardenAccount:
    """The account's admin accepts for the account: its members may then join."""
    return _answer(invitation=invitation, by=by, status=GardenAccountStatus.ACCEPTED)


@transaction.atomic
def garden_invitation_decline(*, invitation: GardenAccount, by: User) -> GardenAccount:
    """The account's admin declines: the garden disappears for the account again."""
    return _answer(invitation=invitation, by=by, status=GardenAccountStatus.DECLINED)


@transaction.atomic
def garden_account_remove(*, garden: Garden, account: Account) -> int:
    """Withdraw an account from an invite-only garden (its invitation or its place): the row
    and the account's memberships go. Returns the number of memberships removed."""
    GardenAccount.objects.filter(garden=garden, account=account).delete()
    removed, _ = GardenMembership.objects.filter(garden=garden, account=account).delete()
    return removed


# --- Membership --------------------------------------------------------------------------------


@transaction.atomic
def garden_join(*, garden: Garden, user: User) -> GardenMembership:
    """A customer joins: the garden must be open, or their account must have accepted its
    invitation. Joining twice returns the existing membership."""
    membership = customer_membership(user)
    if membership is None:
        raise ValidationError(
            "Internal users need no membership: they take part in every garden.", code="internal"
        )
    if (
        garden.visibility != GardenVisibility.OPEN
        and not GardenAccount.objects.filter(
            garden=garden, account_id=membership.account_id, status=GardenAccountStatus.ACCEPTED
        ).exists()
    ):
        raise ValidationError(
            "Your account has not accepted an invitation to this garden.", code="not_invited"
        )
    member, _ = GardenMembership.objects.get_or_create(
        garden=garden, user=user, defaults={"account_id": membership.account_id}
    )
    if member.account_id != membership.account_id:  # joined earlier with another account
        member.account_id = membership.account_id
        member.save(update_fields=["account"])
    return member


@transaction.atomic
def garden_leave(*, garden: Garden, user: User) -> bool:
    """A member leaves; True if they were a member."""
    removed, _ = GardenMembership.objects.filter(garden=garden, user=user).delete()
    return removed > 0
