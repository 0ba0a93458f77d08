"""Who sees and records an account's loyalty outcomes, and who imports them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.access import (
    access_account,
    customer_membership,
    is_internal,
    manages_all_accounts,
    visible_accounts,
)
from accounts.models import Account, AccountTeamAssignment, User
from community.models import (
    ImportBatch,
)

# Outcomes are internal: customers never see them, not even their own account's (403). The
# account team sees and records its accounts' outcomes; product managers see all (read-only);
# programme admins see and record all, and alone import CSV files.


def visible_outcome_accounts(user: User) -> QuerySet[Account]:
    """The accounts whose loyalty outcomes the user sees; customers: 403."""
    if customer_membership(user) is not None:
        raise PermissionDenied("Loyalty outcomes are for internal users.")
    return visible_accounts(user)


def company_outcome_accounts(user: User) -> QuerySet[Account]:
    """Every account, for figures over the whole company that name no account (loyalty over
    time's company-wide context for an account team, whose own few accounts are too few for a
    curve): every internal user; customers: 403."""
    visible_outcome_accounts(user)  # customers: 403
    return Account.objects.all()


def access_account_for_outcomes(
    user: User, account_id: int | str, *, for_write: bool = False
) -> Account:
    """The account, if the user may see (or, for_write, record) its outcomes. Another account's
    customer: 404; the account's own customers: 403; product managers writing: 403."""
    account = access_account(user, account_id)
    if customer_membership(user) is not None:
        raise PermissionDenied("Loyalty outcomes are for internal users.")
    if for_write and not can_record_outcomes(user, account):
        raise PermissionDenied("Only the account's team and programme admins record outcomes.")
    return account


def can_record_outcomes(user: User, account: Account) -> bool:
    return manages_all_accounts(user) or (
        is_internal(user)
        and AccountTeamAssignment.objects.filter(user=user, account=account).exists()
    )


def can_import(user: User) -> bool:
    return user.is_authenticated and manages_all_accounts(user)


def access_import_batch(user: User, batch_id: int) -> ImportBatch:
    if not can_import(user):
        raise PermissionDenied("Only programme admins import files.")
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise Http404("No such import.")
    return batch
