"""Who sees an account's engagement (and how much of the why), whose accounts the portfolio
lists, who tunes the model, who recomputes and who records offline events."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.access import (
    access_account,
    customer_membership,
    is_internal,
    manages_all_accounts,
    visible_accounts,
)
from accounts.models import Account, MemberRole, User
from community.access.outcomes import can_record_outcomes


def access_account_engagement(user: User, account_id: int | str) -> Account:
    """An account's engagement, for its account team, product managers, programme admins and
    the account's own customer admins. Other customers: 404 (the account is not visible to
    them); a member of the account who is not its admin: 403 (they see the account, not this)."""
    account = access_account(user, account_id)
    membership = customer_membership(user)
    if membership is not None and membership.role != MemberRole.ADMIN:
        raise PermissionDenied("Only the account's admins see its engagement.")
    return account


def sees_engagement_details(user: User) -> bool:
    """Internal readers see why a level is what it is, the timeline and support events;
    a customer admin sees the reduced view (level, trend, what would raise it)."""
    return is_internal(user)


def portfolio_accounts(user: User) -> QuerySet[Account]:
    """The accounts of an internal user's portfolio: assigned ones for the account team, all
    for product managers and programme admins. Customers have no portfolio (403)."""
    if customer_membership(user) is not None:
        raise PermissionDenied("The portfolio is for account teams.")
    return visible_accounts(user)


def can_tune_engagement(user: User) -> bool:
    """Programme admins change the engagement model and recompute any account (or all)."""
    return user.is_authenticated and manages_all_accounts(user)


def access_account_for_recompute(user: User, account_id: int | str) -> Account:
    """An account the user may recompute now: programme admins any, the account team its own
    accounts. Another account (or customer): 404; visible but not allowed (PMs, the account's
    own customers): 403."""
    account = access_account(user, account_id)
    if not can_record_outcomes(user, account):  # programme admins and the account's team
        raise PermissionDenied("Only the account's team and programme admins recompute it.")
    return account


def access_account_for_offline_events(user: User, account_id: int | str) -> Account:
    """An account whose offline events (workshops, referrals) the user records: its account
    team and programme admins. Another account: 404; its own customers and PMs: 403."""
    account = access_account(user, account_id)
    if not can_record_outcomes(user, account):  # programme admins and the account's team
        raise PermissionDenied("Only the account's team and programme admins record events.")
    return account


def access_account_offline_event_list(user: User, account_id: int | str) -> Account:
    """An account whose offline events (with the team's notes) the user reads: internal users
    who see it. Another account: 404; the account's own customers: 403 (the notes are
    internal; the events count in the engagement they see)."""
    account = access_account(user, account_id)
    if not sees_engagement_details(user):
        raise PermissionDenied("Offline events and their notes are for internal users.")
    return account
