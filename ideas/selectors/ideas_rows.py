"""The ideas API's list read a page at a time from kept SQL (config.sql_once): the list of the
ideas a reader sees, in its default order (newest first), when a call asks for nothing but a
page of it (config.api.asks_only_a_page).

Its SQL is kept per branch of the access rule (`ideas.access.visible_ideas_rule`: a customer's
account, or every garden for an internal user) and per set of columns; a page is read with
LIMIT/OFFSET as parameters, so one SQL serves every page, and the count is the kept SQL counted
(config.sql_once.KeptRows, which the API's paginator reads as it reads a queryset). Readers of
no branch, and calls with a filter, search or ordering, read `ideas.selectors.ideas.idea_list`.
"""

from __future__ import annotations

from functools import cache

from django.db.models import QuerySet

from accounts.models import User
from config.sql_once import KeptRows, SqlOnce
from ideas.access import customer_ideas, internal_ideas, visible_ideas_rule
from ideas.models import Idea
from ideas.selectors.ideas import idea_list


def idea_list_rows(*, user: User, columns: tuple[str, ...]) -> KeptRows | None:
    """The ideas `user` sees, as `idea_list(ideas=visible_ideas(user)).only(*columns)` gives
    them (with their gardens, authors, authors' accounts and support, newest first), read a
    page at a time; None for a reader of no branch of the access rule (inactive, anonymous),
    who reads `idea_list`."""
    rule = visible_ideas_rule(user)
    if rule is None:
        return None
    branch, account_id = rule
    if branch == "customer":
        return _kept_list("customer", columns).rows(account_id=account_id)
    return _kept_list("internal", columns).rows()


def _listed(ideas: QuerySet[Idea], columns: tuple[str, ...]) -> QuerySet[Idea]:
    return idea_list(ideas=ideas).only(*columns)


@cache
def _kept_list(branch: str, columns: tuple[str, ...]) -> SqlOnce:
    """The list of a branch of the access rule, with `columns`: one SQL per process."""
    if branch == "customer":
        return SqlOnce(
            Idea,
            lambda account_id: _listed(customer_ideas(account_id), columns),
            account_id=int,
        )
    return SqlOnce(Idea, lambda: _listed(internal_ideas(), columns))
