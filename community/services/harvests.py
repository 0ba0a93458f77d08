"""Writes of harvests: stewards (and product managers, programme admins) write a harvest,
publish it to its audience — the garden's accounts, some segments, or every customer — and
customers' reads are recorded once per person.

Who is told on publishing: every active member of every account the harvest is aimed at (see
`harvest_target_accounts`). A harvest of an invite-only garden that is aimed at segments or at
all customers reaches accounts that were not invited; they are told and shown the harvest
without the garden's name, link or sources (community.access.harvests.harvest_garden_shown), so the
garden stays invisible to them. Notifications never name the garden. The garden's own chat
channels (community.services.chat_deliveries) are told too. A large audience is told off the
request path: the first hundred at once, the rest by a task in chunks
(community.services.notification_fanouts; the audience is `harvest_readers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import Account, Segment, User
from accounts.slugs import unique_slug
from community.access.harvests import can_write_harvests
from community.models import (
    ActivityKind,
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenVisibility,
    Harvest,
    HarvestAudience,
    HarvestRead,
    Thread,
)
from community.models.notifications import NotifyKind, actor_text
from community.services.chat_deliveries import ChatNotice, chat_notices_post
from community.services.engagement import activity_record
from community.services.notification_fanouts import notify_audience
from config.sql_once import SqlOnce

HARVEST_FIELDS = (
    "title",
    "summary",
    "body",
    "kind",
    "garden",
    "audience",
    "segments",
    "source_thread",
    "source_pilot_ref",
    "source_url",
)


# Paths under /harvests/ that are not harvests.
_RESERVED_SLUGS = {"new"}


def _validate(harvest: Harvest, *, by: User) -> None:
    """The invariants no form or serializer may skip."""
    errors: dict[str, str] = {}
    harvest.title = (harvest.title or "").strip()
    harvest.summary = (harvest.summary or "").strip()
    harvest.source_url = (harvest.source_url or "").strip()
    if not can_write_harvests(by, harvest.garden):
        errors["garden"] = "You may only write harvests of gardens you steward."
    segments = list(dict.fromkeys(harvest.segments or []))
    if harvest.audience == HarvestAudience.SEGMENTS:
        unknown = [s for s in segments if s not in Segment.values]
        if unknown:
            errors["segments"] = f"Unknown segments: {', '.join(map(str, unknown))}."
        elif not segments:
            errors["segments"] = "Choose at least one segment."
    else:
        segments = []
    harvest.segments = segments
    if harvest.audience == HarvestAudience.GARDEN and harvest.garden is None:
        errors["audience"] = "A harvest without a garden goes to segments or to all customers."
    if harvest.source_thread is not None and harvest.source_thread.garden_id != harvest.garden_id:
        errors["source_thread"] = "The discussion must be in the harvest's garden."
    if harvest.source_url and not _is_safe_link(harvest.source_url):
        errors["source_url"] = "Give a path on this site (/pilots/3/) or an http(s) address."
    if errors:
        raise ValidationError(errors)
    harvest.full_clean(exclude=["slug"] if not harvest.slug else None)


def _is_safe_link(url: str) -> bool:
    if url.startswith("/") and not url.startswith("//"):
        return True
    parsed = urlparse(url)
    return parsed.scheme in {"http", "https"} and bool(parsed.netloc)


@transaction.atomic
def harvest_create(
    *,
    created_by: User,
    title: str,
    summary: str,
    kind: str,
    body: str = "",
    garden: Garden | None = None,
    audience: str = HarvestAudience.GARDEN,
    segments: Iterable[str] = (),
    source_thread: Thread | None = None,
    source_pilot_ref: int | None = None,
    source_url: str = "",
    inspired_by: Iterable[User] = (),
) -> Harvest:
    """A draft harvest (publish it with harvest_publish)."""
    harvest = Harvest(
        title=title,
        summary=summary,
        body=body,
        kind=kind,
        garden=garden,
        audience=audience,
        segments=list(segments),
        source_thread=source_thread,
        source_pilot_ref=source_pilot_ref,
        source_url=source_url,
        created_by=created_by,
    )
    _validate(harvest, by=created_by)
    harvest.slug = unique_slug(Harvest, harvest.title, max_length=200, reserved=_RESERVED_SLUGS)
    harvest.save()
    harvest.inspired_by.set(_active(inspired_by))
    return harvest


@transaction.atomic
def harvest_update(
    *, harvest: Harvest, by: User, inspired_by: Iterable[User] | None = None, **fields
) -> Harvest:
    """Change a harvest (any of HARVEST_FIELDS); the slug stays so links keep working. A
    published harvest stays published and nobody is told again."""
    unknown = set(fields) - set(HARVEST_FIELDS)
    if unknown:
        raise TypeError(f"harvest_update got unknown fields: {sorted(unknown)}")
    if not can_write_harvests(by, harvest.garden):
        raise ValidationError("You may only change harvests of gardens you steward.")
    for name, value in fields.items():
        setattr(harvest, name, list(value) if name == "segments" else value)
    _validate(harvest, by=by)
    harvest.save()
    if inspired_by is not None:
        harvest.inspired_by.set(_active(inspired_by))
    return harvest


def _active(users: Iterable[User]) -> list[User]:
    return [u for u in users if u.is_active]


def harvest_target_accounts(*, harvest: Harvest) -> QuerySet[Account]:
    """The accounts a harvest is aimed at. "Garden": the accounts taking part in it — those with
    a member in an open garden, those that accepted an invite-only one (never one merely
    invited or that declined)."""
    if harvest.audience == HarvestAudience.ALL:
        return Account.objects.all()
    if harvest.audience == HarvestAudience.SEGMENTS:
        return Account.objects.filter(segment__in=harvest.segments)
    garden = harvest.garden
    if garden is None:
        return Account.objects.none()
    accepted = GardenAccount.objects.filter(
        garden=garden, status=GardenAccountStatus.ACCEPTED
    ).values("account_id")
    if garden.visibility == GardenVisibility.INVITE_ONLY:
        return Account.objects.filter(pk__in=accepted)
    members = GardenMembership.objects.filter(garden=garden).values("account_id")
    return Account.objects.filter(Q(pk__in=members) | Q(pk__in=accepted))


HARVEST_READERS = "community.harvest_readers"  # the fan-out audience of a published harvest


def harvest_readers(args: dict) -> QuerySet[User]:
    """The people a harvest is published to (a fan-out audience: {"harvest": id}): the
    members of the accounts it is aimed at."""
    harvest = Harvest.objects.select_related("garden").get(pk=args["harvest"])
    return User.objects.filter(membership__account__in=harvest_target_accounts(harvest=harvest))


@transaction.atomic
def harvest_publish(*, harvest: Harvest, by: User) -> Harvest:
    """Publish a draft and tell the members of the accounts it is aimed at (once: publishing
    a published harvest changes nothing)."""
    harvest = (
        Harvest.objects.select_for_update(of=("self",)).select_related("garden").get(pk=harvest.pk)
    )
    if not can_write_harvests(by, harvest.garden):
        raise ValidationError("You may only publish harvests of gardens you steward.")
    if harvest.published_at is not None:
        return harvest
    harvest.published_at = timezone.now()
    harvest.published_by = by
    harvest.save(update_fields=["published_at", "published_by", "updated_at"])
    notify_audience(  # the first readers now, the rest by a task in chunks
        audience=HARVEST_READERS,
        audience_args={"harvest": harvest.pk},
        kind=NotifyKind.HARVEST_PUBLISHED,
        # Never the garden's name: the harvest may reach accounts not invited to it.
        title=f"New harvest: {harvest.title}",
        body=harvest.summary,
        url=harvest.get_absolute_url(),
        exclude=by,
    )
    if harvest.garden_id is not None:  # the garden's own chat channels
        chat_notices_post(
            notices=[
                ChatNotice(
                    kind=NotifyKind.HARVEST_PUBLISHED,
                    subject=f"harvest:{harvest.pk}",
                    title=f"New harvest: {harvest.title}",
                    body=actor_text("{summary}\nPublished by {actor}.", summary=harvest.summary),
                    url=harvest.get_absolute_url(),
                    garden_id=harvest.garden_id,
                    actor=by,
                    names_actor=True,
                )
            ]
        )
    return harvest


def _read_of(harvest_id: int, user_id: int) -> QuerySet[HarvestRead]:
    return HarvestRead.objects.filter(harvest_id=harvest_id, user_id=user_id)[:1]


# A person's read of a harvest, looked for on every harvest page: its SQL is written once.
_READ = SqlOnce(HarvestRead, _read_of, harvest_id=int, user_id=int)


def harvest_read(*, harvest: Harvest, user: User) -> HarvestRead | None:
    """Record that a person read a published harvest: once per person (the unique constraint
    settles two requests at once), with one HARVEST_READ activity event for their account.
    Internal readers are recorded without account and count for nothing. Drafts: None. A read
    already recorded (most views of a harvest) is found without opening a transaction."""
    if harvest.published_at is None or not user.is_authenticated:
        return None
    existing = _READ.first(harvest_id=harvest.pk, user_id=user.pk)
    if existing is not None:
        return existing
    return _harvest_read_record(harvest=harvest, user=user)


@transaction.atomic
def _harvest_read_record(*, harvest: Harvest, user: User) -> HarvestRead:
    membership = customer_membership(user)
    account = membership.account if membership is not None else None
    outside = False
    if account is not None:
        outside = harvest.garden_id is not None and not (
            harvest_target_accounts(harvest=_as_garden_harvest(harvest))
            .filter(pk=account.pk)
            .exists()
        )
    read, created = HarvestRead.objects.get_or_create(
        harvest=harvest,
        user=user,
        defaults={
            "account": account,
            "outside_garden": outside,
            "read_at": timezone.now(),
        },
    )
    if created:
        activity_record(account=account, user=user, kind=ActivityKind.HARVEST_READ, obj=harvest)
    return read


def _as_garden_harvest(harvest: Harvest) -> Harvest:
    """The same harvest as if aimed at its garden (to ask: does an account take part in it)."""
    return Harvest(garden=harvest.garden, audience=HarvestAudience.GARDEN)
