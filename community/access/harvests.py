"""Who sees which harvests (their garden's accounts, targeted segments, everyone), whether the
garden may be named to them, and who writes and publishes harvests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, CharField, Q, QuerySet, Value, When
from django.db.models.functions import Concat
from django.http import Http404

from accounts.access import (
    active_customer_account_id,
    customer_membership,
    manages_all_accounts,
)
from accounts.models import InternalRole, User
from community.access.gardens import account_gardens
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenVisibility,
    Harvest,
    HarvestAudience,
)
from config.sql_once import SqlOnce

# Who sees a harvest: internal users every published one (and the drafts they may write);
# customers a published harvest targeted at their account (all customers, their segment, or a
# garden their account takes part in), and any harvest of a garden their account may take part
# in (open, or invite-only and accepted). A harvest of an invite-only garden that reaches an
# uninvited account (by segment or "all") is shown to it without its garden: see
# `harvest_garden_shown`. Stewards of the garden, product managers (they close the loop on
# pilots) and programme admins write and publish harvests.


def harvest_garden_shown_q(account_id: int) -> Q:
    """Harvest rows whose garden the account may see (name, link, source): the gardens it takes
    part in (`account_gardens`: open, or invite-only and accepted). Others come from a garden
    it must not learn about, or of which it knows only the invitation."""
    return Q(garden_id__in=account_gardens(account_id).values("pk"))


def segment_listed_q(segment: str) -> Q:
    """Segment harvests whose list names `segment`. The list is JSON, matched as text (the
    quoted name) so that it works on SQLite and PostgreSQL alike; the quoted name is put
    together in SQL, so the segment stays a parameter of its own (the database escapes it for
    LIKE: an exact match of the quoted name) and the query's SQL can be kept
    (config.sql_once)."""
    quoted = Concat(Value('"'), Value(segment), Value('"'), output_field=CharField())
    return Q(audience=HarvestAudience.SEGMENTS, segments__icontains=quoted)


def harvest_targeted_q(account_id: int, segment: str) -> Q:
    """Published harvests aimed at the account: all customers, its segment, or a garden it takes
    part in (an open garden one of its members joined, an invite-only garden it accepted)."""
    joined_open = GardenMembership.objects.filter(
        account_id=account_id, garden__visibility=GardenVisibility.OPEN
    ).values("garden_id")
    accepted = GardenAccount.objects.filter(
        account_id=account_id, status=GardenAccountStatus.ACCEPTED
    ).values("garden_id")
    return Q(published_at__isnull=False) & (
        Q(audience=HarvestAudience.ALL)
        # A JSON list, matched as text so it works on SQLite and PostgreSQL alike.
        | segment_listed_q(segment)
        | Q(audience=HarvestAudience.GARDEN, garden_id__in=joined_open)
        | Q(audience=HarvestAudience.GARDEN, garden_id__in=accepted)
    )


def can_write_harvests(user: User, garden: Garden | None = None) -> bool:
    """Write and publish harvests (of `garden`, or without a garden when None): programme
    admins and product managers anywhere, stewards in their gardens."""
    if not user.is_authenticated or not user.is_active or customer_membership(user) is not None:
        return False
    if user.is_superuser or manages_all_accounts(user):
        return True
    if user.has_role(InternalRole.PRODUCT_MANAGER):
        return True
    return garden is not None and garden.stewards.filter(pk=user.pk).exists()


def harvest_writable_gardens(user: User) -> QuerySet[Garden]:
    """The gardens whose harvests the user writes (stewards: theirs; PMs, admins: all)."""
    if not user.is_authenticated or not user.is_active or customer_membership(user) is not None:
        return Garden.objects.none()
    if user.is_superuser or manages_all_accounts(user):
        return Garden.objects.all()
    if user.has_role(InternalRole.PRODUCT_MANAGER):
        return Garden.objects.all()
    return Garden.objects.filter(stewards=user)


def visible_harvests(user: User) -> QuerySet[Harvest]:
    if not user.is_authenticated or not user.is_active:
        return Harvest.objects.none()
    membership = customer_membership(user)
    if membership is None:
        return internal_visible_harvests(user.pk, writes_all=can_write_harvests(user, None))
    return customer_visible_harvests(membership.account_id, membership.account.segment)


def internal_visible_harvests(user_id: int, *, writes_all: bool) -> QuerySet[Harvest]:
    """visible_harvests' rule for an active internal user, by their id and whether they write
    harvests without a garden (can_write_harvests): every harvest, drafts too; else the
    published ones and those of the gardens they steward."""
    if writes_all:
        return Harvest.objects.all()
    published_or_mine = Q(published_at__isnull=False) | Q(garden__stewards=user_id)
    return Harvest.objects.filter(pk__in=Harvest.objects.filter(published_or_mine).values("pk"))


def customer_visible_harvests(account_id: int, segment: str) -> QuerySet[Harvest]:
    """visible_harvests' rule for an active customer, by their account's id and segment: the
    published harvests aimed at the account and those of the gardens it takes part in."""
    return Harvest.objects.filter(
        harvest_targeted_q(account_id, segment)
        | Q(published_at__isnull=False, garden__in=account_gardens(account_id))
    )


def targeted_harvests(user: User) -> QuerySet[Harvest]:
    """The harvest feed's rows: published harvests aimed at the customer's account; internal
    users: every published harvest."""
    if not user.is_authenticated or not user.is_active:
        return Harvest.objects.none()
    membership = customer_membership(user)
    if membership is None:
        return Harvest.objects.filter(published_at__isnull=False)
    return Harvest.objects.filter(
        harvest_targeted_q(membership.account_id, membership.account.segment)
    )


def _customer_harvest(account_id: int, segment: str, slug: str) -> QuerySet[Harvest]:
    """access_harvest's read for an active customer, by their account's id and segment: the
    harvest with its garden and source discussion, and `garden_shown` (harvest_garden_shown's
    answer for them)."""
    shown = Case(
        When(harvest_garden_shown_q(account_id), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        customer_visible_harvests(account_id, segment)
        .select_related("garden", "source_thread")  # (the page's sources: no query of its own)
        .annotate(garden_shown=shown)
        .filter(slug=slug)[:1]
    )


# A customer's harvest by its address, asked on every harvest page: its SQL is written once.
_CUSTOMER_HARVEST = SqlOnce(Harvest, _customer_harvest, account_id=int, segment=str, slug=str)


def access_harvest(user: User, slug: str, *, for_write: bool = False) -> Harvest:
    """A visible harvest (else 404); for_write: its garden's stewards, product managers and
    programme admins (else 403)."""
    account_id = active_customer_account_id(user)
    if account_id is not None and isinstance(slug, str):
        segment = str(customer_membership(user).account.segment)  # (an enum member: its value)
        harvest = _CUSTOMER_HARVEST.first(account_id=account_id, segment=segment, slug=slug)
    else:
        harvest = visible_harvests(user).select_related("garden").filter(slug=slug).first()
    if harvest is None:
        raise Http404("No such harvest.")
    if for_write and not can_write_harvests(user, harvest.garden):
        raise PermissionDenied("Only the garden's stewards, product managers and programme admins.")
    return harvest


def harvest_garden_shown(user: User, harvest: Harvest) -> bool:
    """May the user see where the harvest comes from (its garden's name, link and sources)."""
    if harvest.garden_id is None:
        return True
    membership = customer_membership(user)
    if membership is None:
        return True
    if (shown := getattr(harvest, "garden_shown", None)) is not None:
        return shown  # read with the harvest for this reader (access_harvest, the feed's rows)
    return (
        Harvest.objects.filter(pk=harvest.pk)
        .filter(harvest_garden_shown_q(membership.account_id))
        .exists()
    )
