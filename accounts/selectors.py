"""Reads of the accounts app, shaped for their screens. Lists take a queryset the caller fetched
through accounts.access (visible accounts); the reads of one account take that account."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.models import Account, AccountTeamAssignment, MemberRole, Membership


def account_list(
    *,
    accounts: QuerySet[Account],
    q: str = "",
    segment: str = "",
    tier: str = "",
    sort: str = "name",
) -> QuerySet[Account]:
    """Accounts with their member count, filtered and sorted for the account table."""
    accounts = accounts.annotate(members=Count("memberships", distinct=True))
    if q:
        accounts = accounts.filter(name__icontains=q)
    if segment:
        accounts = accounts.filter(segment=segment)
    if tier:
        accounts = accounts.filter(tier=tier)
    allowed = {"name", "renewal_date", "-annual_contract_value", "-members"}
    return accounts.order_by(sort if sort in allowed else "name", "pk")


def account_members(*, account: Account) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(account=account)
        .select_related("user")
        .order_by("role", "user__first_name", "user__email")  # "admin" sorts first
    )


def account_team(*, account: Account) -> QuerySet[AccountTeamAssignment]:
    return AccountTeamAssignment.objects.filter(account=account).select_related("user")


def account_admin_count(*, account: Account) -> int:
    return Membership.objects.filter(account=account, role=MemberRole.ADMIN).count()


def accounts_renewing(*, accounts: QuerySet[Account], within_days: int = 90) -> QuerySet[Account]:
    today = timezone.localdate()
    return accounts.filter(
        renewal_date__gte=today, renewal_date__lte=today + timedelta(days=within_days)
    ).order_by("renewal_date")
