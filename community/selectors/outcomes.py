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
# those who see every account, one for an account team (by the user's id). These count it.
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


# A row of `outcome_values`: what the API's list shows of an outcome, its account's and its
# recorder's (community.api.outcomes.OutcomeSerializer).
OUTCOME_VALUES = (
    "id",
    "account__slug",
    "account__name",
    "kind",
    "occurred_on",
    "amount",
    "note",
    "source",
    "external_id",
    "recorded_by__email",
    "created_at",
)
# The same lists as plain values (OUTCOME_VALUES), one kept SQL per branch as above.
_INTERNAL_OUTCOME_VALUES = {
    True: SqlOnce(
        LoyaltyOutcome,
        lambda: outcome_list(accounts=internal_accounts(0, sees_all=True)).values_list(
            *OUTCOME_VALUES
        ),
    ),
    False: SqlOnce(
        LoyaltyOutcome,
        lambda user_id: outcome_list(
            accounts=internal_accounts(user_id, sees_all=False)
        ).values_list(*OUTCOME_VALUES),
        user_id=int,
    ),
}


def outcome_values(*, user: User) -> KeptRows | None:
    """outcome_list(accounts=visible_outcome_accounts(user)) as kept rows to page
    (config.sql_once.KeptRows) of tuples of `OUTCOME_VALUES`, counted as the queryset is
    counted (its rows alone, without the values' joins), for an active internal user; None for
    anyone else (a customer's list is a 403: community.access.outcomes)."""
    if not (user.is_authenticated and user.is_active) or customer_membership(user) is not None:
        return None
    sees_all = sees_all_accounts(user)
    values = {} if sees_all else {"user_id": user.pk}
    counted_by = _INTERNAL_OUTCOMES[sees_all]
    return _INTERNAL_OUTCOME_VALUES[sees_all].rows(counted_by=counted_by, **values)


def import_batches_recent(*, limit: int = 10) -> QuerySet[ImportBatch]:
    """The latest uploads for the imports page, without their problems (not shown there)."""
    return (
        ImportBatch.objects.select_related("uploaded_by")
        .defer("errors")
        .order_by("-created_at", "-pk")[:limit]
    )
