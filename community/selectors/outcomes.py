"""Reads of loyalty outcomes and import batches, ready for their screens."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.access import customer_membership, internal_accounts, sees_all_accounts
from accounts.models import Account, User
from community.models import ImportBatch, LoyaltyOutcome
from config.sql_once import KeptRows, SqlOnce


def outcome_list(
    *,
    accounts: QuerySet[Account],
    account: Account | None = None,
    kind: str = "",
    occurred_from: dt.date | None = None,
    occurred_to: dt.date | None = None,
) -> QuerySet[LoyaltyOutcome]:
    """Outcomes of the given accounts, newest first, with account and recorder joined."""
    outcomes = LoyaltyOutcome.objects.filter(account__in=accounts).select_related(
        "account", "recorded_by__membership"
    )
    if account is not None:
        outcomes = outcomes.filter(account=account)
    if kind:
        outcomes = outcomes.filter(kind=kind)
    if occurred_from:
        outcomes = outcomes.filter(occurred_on__gte=occurred_from)
    if occurred_to:
        outcomes = outcomes.filter(occurred_on__lte=occurred_to)
    return outcomes.order_by("-occurred_on", "-pk")


# The API's unfiltered list of an active internal user's outcomes, paged: one kept SQL for
# those who see every account, one for an account team (by the user's id).
_INTERNAL_OUTCOMES = {
    True: SqlOnce(
        LoyaltyOutcome, lambda: outcome_list(accounts=internal_accounts(0, sees_all=True))
    ),
    False: SqlOnce(
        LoyaltyOutcome,
        lambda user_id: outcome_list(accounts=internal_accounts(user_id, sees_all=False)),
        user_id=int,
    ),
}


def outcome_rows(*, user: User) -> KeptRows | None:
    """outcome_list(accounts=visible_outcome_accounts(user)) as kept rows to page
    (config.sql_once.KeptRows), for an active internal user; None for anyone else (a customer's
    list is a 403: community.access.outcomes)."""
    if not (user.is_authenticated and user.is_active) or customer_membership(user) is not None:
        return None
    if sees_all_accounts(user):
        return _INTERNAL_OUTCOMES[True].rows()
    return _INTERNAL_OUTCOMES[False].rows(user_id=user.pk)


def import_batches_recent(*, limit: int = 10) -> QuerySet[ImportBatch]:
    """The latest uploads for the imports page, without their problems (not shown there)."""
    return (
        ImportBatch.objects.select_related("uploaded_by")
        .defer("errors")
        .order_by("-created_at", "-pk")[:limit]
    )
