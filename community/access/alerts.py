"""Who sees and handles which alerts: the account teams of the account, and those who see all
accounts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.access import (
    customer_membership,
    internal_accounts,
    manages_all_accounts,
    sees_all_accounts,
)
from accounts.models import AccountTeamAssignment, User
from community.models import (
    Alert,
)

# Alerts are internal: customers get 403 on every alert route. The account team sees its
# accounts' alerts, product managers and programme admins see all; acknowledging and resolving
# is for the account's team and programme admins (product managers read only: 403).


def visible_alerts(user: User) -> QuerySet[Alert]:
    """The alerts of the accounts the user sees; customers: 403."""
    if customer_membership(user) is not None:
        raise PermissionDenied("Alerts are for account teams.")
    if not user.is_authenticated or not user.is_active:
        return Alert.objects.none()
    return internal_alerts(user.pk, sees_all=sees_all_accounts(user))


def internal_alerts(user_id: int, *, sees_all: bool) -> QuerySet[Alert]:
    """visible_alerts' rule for an active internal user, by id (as internal_accounts)."""
    return Alert.objects.filter(account__in=internal_accounts(user_id, sees_all=sees_all))


def access_alert(user: User, alert_id: int, *, for_write: bool = False) -> Alert:
    """An alert of a visible account (else 404); for_write: the account's team or a programme
    admin (else 403)."""
    alert = visible_alerts(user).select_related("account").filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert.")
    if for_write and not (
        manages_all_accounts(user)
        or AccountTeamAssignment.objects.filter(user=user, account_id=alert.account_id).exists()
    ):
        raise PermissionDenied("Only the account's team and programme admins act on alerts.")
    return alert
