"""The demo's personas and the objects their main screens show, found in whatever `seed_demo`
built (any size): the same people `seed_demo` prints as the demo logins."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from accounts.models import (
    Account,
    AccountTeamAssignment,
    InternalRole,
    MemberRole,
    Membership,
    User,
)
from community.models import (
    Garden,
    GardenMembership,
    GardenVisibility,
    Harvest,
    Post,
    PostRevision,
    Thread,
)
from demo.data.people import INTERNAL_DOMAIN
from ideas.models import Idea, Pilot, PilotState

PERSONAS = ("customer", "account_manager", "product_manager", "programme_admin")


class WorldError(RuntimeError):
    """The database does not hold the demo (run seed_demo first)."""


@dataclass(frozen=True)
class BenchWorld:
    users: dict[str, User]  # persona → user
    account: Account  # the customer's account
    served_account: Account  # an account the account manager serves
    garden: Garden  # the thread's garden
    thread: Thread  # the busiest thread of a garden the customer joined
    post: Post  # a post of that thread, edited if any was
    idea: Idea  # the idea with most comments in the customer's gardens
    pilot: Pilot  # a closed pilot with the most feedback
    harvest: Harvest | None  # a published harvest


def _internal(role: InternalRole) -> User:
    user = (
        User.objects.filter(groups__name=role.value, email__endswith=INTERNAL_DOMAIN)
        .order_by("pk")
        .first()
    )
    if user is None:
        raise WorldError(f"No demo {role.label}: run `manage.py seed_demo` first.")
    return user


def bench_world() -> BenchWorld:
    account = Account.objects.order_by("pk").first()
    users = _personas(account)
    served_id = (
        AccountTeamAssignment.objects.filter(user=users["account_manager"])
        .order_by("account_id")
        .values_list("account_id", flat=True)
        .first()
    )
    served = Account.objects.get(pk=served_id) if served_id else account
    joined = list(
        GardenMembership.objects.filter(user=users["customer"]).values_list("garden_id", flat=True)
    )
    thread, post = _thread_and_post(joined)
    idea, pilot = _idea_and_pilot(joined)
    harvest = Harvest.objects.filter(published_at__isnull=False).order_by("pk").first()
    return BenchWorld(
        users=users,
        account=account,
        served_account=served,
        garden=thread.garden,
        thread=thread,
        post=post,
        idea=idea,
        pilot=pilot,
        harvest=harvest,
    )


def _personas(account: Account | None) -> dict[str, User]:
    """The customer (the first account's first member) and the first internal user of each
    role: the logins seed_demo prints."""
    membership = (
        Membership.objects.filter(account=account, role=MemberRole.MEMBER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise WorldError("No demo customer member: run `manage.py seed_demo` first.")
    return {
        "customer": membership.user,
        "account_manager": _internal(InternalRole.ACCOUNT_MANAGER),
        "product_manager": _internal(InternalRole.PRODUCT_MANAGER),
        "programme_admin": _internal(InternalRole.PROGRAMME_ADMIN),
    }


def _thread_and_post(joined: list[int]) -> tuple[Thread, Post]:
    """The busiest thread of the customer's gardens, and an edited post the customer can read
    (its revisions list is not empty), else the thread's first post."""
    open_gardens = list(
        Garden.objects.filter(visibility=GardenVisibility.OPEN).values_list("pk", flat=True)
    )
    # A tiny demo may have no thread in the customer's gardens: then any open garden's, which
    # customers may read too.
    thread = (
        Thread.objects.filter(garden__in=list(joined)).order_by("-post_count", "pk").first()
        or Thread.objects.filter(garden__visibility=GardenVisibility.OPEN)
        .order_by("-post_count", "pk")
        .first()
    )
    if thread is None:
        raise WorldError("No discussion threads: seed_demo builds them.")
    edited = PostRevision.objects.filter(
        post__thread__garden__in=[*joined, *open_gardens]
    ).values_list("post_id", flat=True)
    post = (
        Post.objects.filter(pk__in=list(edited[:1])).first()
        or Post.objects.filter(thread=thread).order_by("pk").first()
    )
    return thread, post


def _idea_and_pilot(joined: list[int]) -> tuple[Idea, Pilot]:
    """The idea with most comments in the customer's gardens, and the closed pilot with the
    most feedback."""
    idea = (
        Idea.objects.filter(garden__in=joined)
        .annotate(comment_count=Count("comments"))
        .order_by("-comment_count", "pk")
        .first()
    )
    pilot = (
        Pilot.objects.filter(state=PilotState.CLOSED)
        .annotate(response_count=Count("enrolments__responses"))
        .order_by("-response_count", "pk")
        .first()
    )
    if idea is None or pilot is None:
        raise WorldError("No ideas or closed pilots: run seed_demo without --ideas 0.")
    return idea, pilot
