"""The latest engagement level of accounts (the engine's newest snapshot of each): of many in
one query (`account_levels`), of one with its SQL written once per process (`account_level`,
on every customer's home and harvest feed)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery

from accounts.models import Account
from community.models import EngagementSnapshot
from config.sql_once import SqlOnce


def _latest_level() -> Subquery:
    """The outer account's latest engagement level (NULL before the engine computed one)."""
    latest = EngagementSnapshot.objects.filter(account=OuterRef("pk")).order_by("-day")
    return Subquery(latest.values("level")[:1])


def account_levels(*, account_ids: Iterable[int]) -> dict[int, str]:
    """Each account's latest engagement level, in one query. Accounts the engine has not
    computed yet are missing from the result (callers treat them as not yet known)."""
    rows = (
        Account.objects.filter(pk__in=list(account_ids))
        .annotate(level=_latest_level())
        .values_list("pk", "level")
    )
    return {pk: level for pk, level in rows if level}


# One account's level, on every customer's home and harvest feed: its SQL is written once.
_ACCOUNT_LEVEL = SqlOnce(
    Account,
    lambda account_id: (
        Account.objects.filter(pk=account_id)
        .annotate(level=_latest_level())
        .values_list("level", flat=True)
    ),
    account_id=int,
)


def account_level(*, account_id: int) -> str:
    """account_levels of one account: its latest level, "" when not computed yet. One query."""
    return _ACCOUNT_LEVEL.first(account_id=account_id) or ""
