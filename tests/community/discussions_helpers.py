"""Shared set-up of the discussions tests: a garden with members of two accounts and a
steward, and short ways to start threads and reply through the services."""

from __future__ import annotations

from accounts.models import InternalRole, User
from community.models import Garden, Post, Thread
from community.services import discussions
from community.services.gardens import garden_join
from tests.accounts.factories import internal
from tests.community.factories import GardenFactory


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
