"""The ideas API's list read a page at a time from kept SQL (config.sql_once): the list of the
ideas a reader sees, in its default order (newest first), when a call asks for nothing but a
page of it (config.api.asks_only_a_page).

Its SQL is kept per branch of the access rule (`ideas.access.visible_ideas_rule`: a customer's
account, or every garden for an internal user) and per set of columns; a page is read with
LIMIT/OFFSET as parameters, so one SQL serves every page, and the count is the kept SQL counted
(config.sql_once.KeptRows, which the API's paginator reads as it reads a queryset). Readers of
no branch, and calls with a filter, search or ordering, read `ideas.selectors.ideas.idea_list`.

The rows are plain values (`ROW_VALUES`, no model instances), which the API turns into its
items directly (ideas.api.ideas_serializers.idea_items); they are counted by the kept read of
the same rows as model instances with the API's columns (Django's count: without the joins
that the values need).
"""

from __future__ import annotations

from functools import cache

from django.db.models import QuerySet

from accounts.models import User
from config.sql_once import KeptRows, SqlOnce
from ideas.access import customer_ideas, internal_ideas, visible_ideas_rule
from ideas.models import Idea
from ideas.selectors.ideas import idea_list

# A row of `idea_list_values`: the idea's columns, its garden's, author's and account's.
ROW_VALUES = (
    "id",
    "garden__slug",
    "garden__shows_other_members",
    "title",
    "job_to_be_done",
    "proposal",
    "links",
    "status",
    "merged_into",
    "author",
    "author__first_name",
    "author__last_name",
    "author_account",
    "author_account__slug",
    "author_account__name",
    "supporters",
    "supporting_accounts",
    "created_at",
    "updated_at",
)


def idea_list_values(*, user: User, columns: tuple[str, ...]) -> KeptRows | None:
    """The ideas `user` sees, as `idea_list(ideas=visible_ideas(user)).only(*columns)` gives
    them (with their gardens, authors, authors' accounts and support, newest first), read a
    page at a time as tuples of `ROW_VALUES`, counted as that queryset is counted; None for a
    reader of no branch of the access rule (inactive, anonymous), who reads `idea_list`."""
    rule = visible_ideas_rule(user)
    if rule is None:
        return None
    branch, account_id = rule
    values = {"account_id": account_id} if branch == "customer" else {}
    counted_by = _kept_list(branch, columns)  # (Django's count: without the values' joins)
    return _kept_list(branch, ROW_VALUES).rows(counted_by=counted_by, **values)


def _listed(ideas: QuerySet[Idea], columns: tuple[str, ...]) -> QuerySet[Idea]:
    if columns == ROW_VALUES:
        return idea_list(ideas=ideas).values_list(*columns)
    return idea_list(ideas=ideas).only(*columns)


@cache
def _kept_list(branch: str, columns: tuple[str, ...]) -> SqlOnce:
    """The list of a branch of the access rule, with `columns` (`ROW_VALUES`: as values): one
    SQL per process."""
    if branch == "customer":
        return SqlOnce(
            Idea,
            lambda account_id: _listed(customer_ideas(account_id), columns),
            account_id=int,
        )
    return SqlOnce(Idea, lambda: _listed(internal_ideas(), columns))
