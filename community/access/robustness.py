"""Who sees an account's robustness after bad times and who records its incidents. Bad times
and their notes are internal, as loyalty outcomes are (community.access.outcomes): the
account's team and programme admins record them, internal users who see the account read them,
customers never (their own account: 403; another: 404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import Account, User
from community.access.outcomes import (
    access_account_for_outcomes,
    can_record_outcomes,
    visible_outcome_accounts,
)


def visible_robustness_accounts(user: User) -> QuerySet[Account]:
    """The accounts whose bad times the user reads (insights by level); customers: 403."""
    return visible_outcome_accounts(user)


def access_account_robustness(user: User, account_id: int | str) -> Account:
    """An account whose bad times and robustness the user reads: internal users who see it."""
    return access_account_for_outcomes(user, account_id)


def can_record_bad_times(user: User, account: Account) -> bool:
    """The account's team and programme admins, as for outcomes and offline events."""
    return can_record_outcomes(user, account)


def access_account_for_bad_times(user: User, account_id: int | str) -> Account:
    """An account whose incidents the user records. Another account: 404; its own customers
    and product managers (and account managers of other accounts who see it): 403."""
    account = access_account_for_outcomes(user, account_id)
    if not can_record_bad_times(user, account):
        raise PermissionDenied("Only the account's team and programme admins record incidents.")
    return account
