"""What needs a person: the to-dos at the top of their home page ("What needs you").

A to-do is something a person should act on, with a link to the page where they act. The
home asks every registered *provider* for the viewer's to-dos; each provider answers for the
roles it knows (a customer admin's agreements, a member's check-ins, a product manager's
ideas to review, an account team's alerts, a programme admin's flag queue …) and an empty
list for everyone else. Community's own providers are in community/selectors/todo_kinds.py;
the ideas app registers its providers (ideas/selectors/todos.py) from its AppConfig.ready,
because community never imports ideas:

    todo_provider_register(name="ideas.check_ins", provider=check_in_todos)

A provider reads through the access helpers and selectors of its app (so a customer only
ever gets their own account's to-dos) in a fixed number of queries, whatever the number of
rows: a long list comes as its first TODO_LIMIT items and one "and N more" item linking to the
full list.

**Today** is decided once, here (`todo_today`: the site's day, settings.TIME_ZONE), and handed
to every provider: "due" and "overdue" mean the same day on the whole page. The definitions
of each kind are written in docs/product.md ("What needs you").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import Membership, User

# At most this many to-dos of one kind are listed; the rest are one "and N more" item.
TODO_LIMIT = 5


@dataclass(frozen=True)
class ToDo:
    """One thing that needs the viewer: `title` says what to do and is the link to `url`, the
    page where it is done. `day` is the date it is about (due, raised, renewal, sent), said
    as `day_label` ("due", "renews"); `overdue` marks a date already passed. `count` is the
    number of things the item stands for (an "and 7 more" item stands for 7)."""

    kind: str
    title: str
    url: str
    day: dt.date | None = None
    day_label: str = ""
    overdue: bool = False
    detail: str = ""
    count: int = 1


@dataclass(frozen=True)
class ToDoViewer:
    """Who the to-dos are for, read once per page: the person, their customer membership
    (None for internal users) and the site's today."""

    user: User
    membership: Membership | None
    today: dt.date

    @property
    def is_customer_admin(self) -> bool:
        return self.membership is not None and self.membership.is_admin


ToDoProvider = Callable[[ToDoViewer], list[ToDo]]

_providers: dict[str, ToDoProvider] = {}


def todo_provider_register(*, name: str, provider: ToDoProvider) -> None:
    """Register (or replace, so a second ready() is harmless) a provider of to-dos."""
    _providers[name] = provider


def todo_today() -> dt.date:
    """The day the to-dos are computed for: the site's today (settings.TIME_ZONE)."""
    return timezone.localdate()


@dataclass(frozen=True)
class ToDoList:
    items: list[ToDo]

    @property
    def count(self) -> int:
        return sum(item.count for item in self.items)

    @property
    def overdue(self) -> int:
        return sum(item.count for item in self.items if item.overdue)


def todos_for(*, user: User, today: dt.date | None = None) -> ToDoList:
    """Every to-do of `user`, in the order the providers were registered (community's first,
    then those of the apps above it), each provider's in its own order."""
    viewer = ToDoViewer(
        user=user, membership=customer_membership(user), today=today or todo_today()
    )
    items: list[ToDo] = []
    for provider in _providers.values():
        items += provider(viewer)
    return ToDoList(items=items)


def capped(rows: QuerySet, *, limit: int = TODO_LIMIT) -> tuple[list, int]:
    """The first `limit` rows and how many there are in all: two queries whatever the number
    of rows (the count is asked even when the rows are few, so the page's queries do not
    depend on them)."""
    return list(rows[:limit]), rows.count()


def more_item(*, kind: str, shown: int, total: int, title: str, url: str) -> list[ToDo]:
    """The "and N more" item of a list cut at `shown` (none when nothing was left out)."""
    if total <= shown:
        return []
    return [ToDo(kind=kind, title=title.format(n=total - shown), url=url, count=total - shown)]
