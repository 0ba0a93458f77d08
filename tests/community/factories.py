"""Factories and small builders of the community tests: gardens and who joined them,
discussions, engagement snapshots and events, harvests, and a notification sender busy
elsewhere. Each section names the tests that use it most."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import factory
from django.db import connection, connections
from django.utils import timezone

from accounts.models import InternalRole, User
from community.models import (
    ActivityEvent,
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
    Harvest,
    HarvestAudience,
    HarvestKind,
    Notification,
    NotificationDigest,
    Post,
    Thread,
)
from community.selectors.engagement_figures import day_end
from community.services import discussions
from community.services.gardens import garden_join
from community.services.last_activity import last_activity_raise
from community.services.notification_emails import _DIGEST_LOCKS, _NOTIFICATION_LOCKS, _lock_key
from tests.accounts.factories import internal

# --- Gardens ----------------------------------------------------------------------------------
# A garden, and an account or a person in it (as the services would record them).


class GardenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Garden

    name = factory.Sequence(lambda n: f"Garden {n}")
    slug = factory.Sequence(lambda n: f"garden-{n}")
    theme = GardenTheme.CUSTOMER_JOURNEY
    description = "Trying out new onboarding journeys together."
    visibility = GardenVisibility.OPEN


def join(garden, user) -> GardenMembership:
    """`user` (a customer) joins `garden`, as garden_join would record it."""
    return GardenMembership.objects.create(
        garden=garden, user=user, account=user.membership.account
    )


def accept(garden, account) -> GardenAccount:
    """`account` accepted its invitation to the (invite-only) garden."""
    return GardenAccount.objects.create(
        garden=garden, account=account, status=GardenAccountStatus.ACCEPTED
    )


# --- Discussions ------------------------------------------------------------------------------
# A garden with members of two accounts and a steward, and short ways to start threads and reply
# through the services (tests/community/test_discussions_*.py).


def garden_with(*members: User, steward: User | None = None, **fields) -> Garden:
    """A garden (open unless told) the `members` joined, looked after by `steward`."""
    fields.setdefault("name", "Onboarding journeys")
    fields.setdefault("slug", "onboarding")
    garden = GardenFactory(**fields)
    for member in members:
        garden_join(garden=garden, user=member)
    if steward is not None:
        garden.stewards.add(steward)
    return garden


def a_steward(**fields) -> User:
    fields.setdefault("email", "stella@garden.example")
    fields.setdefault("first_name", "Stella")
    fields.setdefault("last_name", "Steward")
    return internal(InternalRole.CUSTOMER_SUCCESS_MANAGER, **fields)


def start(garden: Garden, author: User, body: str = "How do you onboard?", **kw) -> Thread:
    return discussions.thread_start(
        garden=garden, author=author, title=kw.pop("title", "First weeks"), body=body
    )


def reply(thread: Thread, author: User, body: str = "Like this.") -> Post:
    return discussions.post_reply(thread=thread, author=author, body=body)


def opening(thread: Thread) -> Post:
    return Post.objects.filter(thread=thread).order_by("created_at", "pk").first()


# --- Engagement -------------------------------------------------------------------------------
# Snapshots as the engine stores them, and customer events of a known age
# (tests/community/test_engagement_*.py).


class EngagementSnapshotFactory(factory.django.DjangoModelFactory):
    """A day's engagement as the engine would store it (the portfolio and account page tests
    build histories with it; sets only the snapshot's own numbers)."""

    class Meta:
        model = "community.EngagementSnapshot"

    account = factory.SubFactory("tests.accounts.factories.AccountFactory")
    day = factory.LazyFunction(timezone.localdate)
    score = 35
    level = "participating"
    activity = 0.4
    breadth = 0.3
    co_creation = 0.2
    model_version = 1


D = dt.date(2026, 6, 30)  # the day engagement tests compute "as of"


def engagement_event(account, user, kind, *, days_ago: float, day: dt.date = D, **fields):
    """A customer event `days_ago` days before the end of `day` (recorded at that moment)."""
    moment = day_end(day) - dt.timedelta(days=days_ago)
    event = ActivityEvent.objects.create(
        account=account, user=user, kind=kind, occurred_at=moment, created_at=moment, **fields
    )
    if not event.is_support:  # as the services keep it (community.services.last_activity)
        last_activity_raise(latest_by_account={account.pk: moment})
    return event


# --- Harvests ---------------------------------------------------------------------------------


class HarvestFactory(factory.django.DjangoModelFactory):
    """A published harvest aimed at every customer (override audience/garden/published_at)."""

    class Meta:
        model = Harvest

    title = factory.Sequence(lambda n: f"Harvest {n}")
    slug = factory.Sequence(lambda n: f"harvest-{n}")
    summary = "What we learnt, in two sentences."
    body = "We tried it **together**."
    kind = HarvestKind.PLAYBOOK
    audience = HarvestAudience.ALL
    published_at = factory.LazyFunction(timezone.now)


# --- Notifications ----------------------------------------------------------------------------
# A sender busy elsewhere, for the tests of who may send a notification email or a digest
# (tests/community/test_notifications_*.py).


@contextmanager
def another_sender_busy_with(row: Notification | NotificationDigest) -> Iterator[None]:
    """Another live sender is emailing `row`: it claimed the row just now and, on PostgreSQL,
    its own database session holds the row's sending lock (released when this block ends)."""
    if isinstance(row, Notification):
        field, lock_class = "email_claimed_at", _NOTIFICATION_LOCKS
    else:
        field, lock_class = "claimed_at", _DIGEST_LOCKS
    type(row).objects.filter(pk=row.pk).update(**{field: timezone.now()})
    if connection.vendor != "postgresql":  # SQLite: the fresh claim is all there is
        yield
        return
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            key = _lock_key(lock_class, row.pk)
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
        yield
    finally:
        holder.close()  # ends the sender's session, and its lock with it


# --- CSV imports -------------------------------------------------------------------------------

OUTCOMES_HEADER = "account,kind,occurred_on,amount,note,external_id\n"


def outcomes_file_of_bad_rows(rows: int) -> bytes:
    """An outcomes CSV of `rows` rows with exactly three problems each (no such account, no such
    kind, no such date); one row in a hundred has cells of 2,000 characters. Built in the test,
    never committed: about 100 bytes a row."""
    lines = [OUTCOMES_HEADER]
    for i in range(rows):
        long = "x" * 2000 if i % 100 == 0 else ""
        lines.append(f"no-such-account-{i}{long},fortune{long},31/31/2026{long},,,\n")
    return "".join(lines).encode()
