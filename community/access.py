"""Who may see which gardens. Invite-only gardens get their invited accounts in issue 5."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.access import (
    access_account,
    customer_membership,
    manages_all_accounts,
    visible_accounts,
)
from accounts.models import Account, AccountTeamAssignment, MemberRole, User
from community.models import (
    Alert,
    Garden,
    GardenVisibility,
    ImportBatch,
    Notification,
    WebhookDelivery,
    WebhookEndpoint,
)


def visible_gardens(user: User) -> QuerySet[Garden]:
    if not user.is_authenticated or not user.is_active:
        return Garden.objects.none()
    if customer_membership(user) is None:
        return Garden.objects.all()  # internal users see every garden
    return Garden.objects.filter(visibility=GardenVisibility.OPEN)


def access_garden(user: User, slug: str) -> Garden:
    garden = visible_gardens(user).filter(slug=slug).first()
    if garden is None:
        raise Http404("No such garden.")
    return garden


def access_notification(user: User, notification_id: int) -> Notification:
    """A person's own notification; anyone else's does not exist for them."""
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


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
    return customer_membership(user) is None


def portfolio_accounts(user: User) -> QuerySet[Account]:
    """The accounts of an internal user's portfolio: assigned ones for the account team, all
    for product managers and programme admins. Customers have no portfolio (403)."""
    if customer_membership(user) is not None:
        raise PermissionDenied("The portfolio is for account teams.")
    return visible_accounts(user)


# --- Loyalty outcomes and imports (issue 4) ------------------------------------------------
# Outcomes are internal: customers never see them, not even their own account's (403). The
# account team sees and records its accounts' outcomes; product managers see all (read-only);
# programme admins see and record all, and alone import CSV files.


def visible_outcome_accounts(user: User) -> QuerySet[Account]:
    """The accounts whose loyalty outcomes the user sees; customers: 403."""
    if customer_membership(user) is not None:
        raise PermissionDenied("Loyalty outcomes are for internal users.")
    return visible_accounts(user)


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
        customer_membership(user) is None
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


# --- Alerts (issue 4) ------------------------------------------------------------------------
# Alerts are internal: customers get 403 on every alert route. The account team sees its
# accounts' alerts, product managers and programme admins see all; acknowledging and resolving
# is for the account's team and programme admins (product managers read only: 403).


def visible_alerts(user: User) -> QuerySet[Alert]:
    """The alerts of the accounts the user sees; customers: 403."""
    if customer_membership(user) is not None:
        raise PermissionDenied("Alerts are for account teams.")
    if not user.is_authenticated or not user.is_active:
        return Alert.objects.none()
    return Alert.objects.filter(account__in=visible_accounts(user))


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


# --- Engagement model settings, recomputes and offline events (issue 4) ----------------------


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


# --- Webhooks (issue 4) ----------------------------------------------------------------------
# Outgoing webhooks are programme admins' settings: everyone else gets 403.


def require_webhook_admin(user: User) -> None:
    if not (user.is_authenticated and user.is_active and manages_all_accounts(user)):
        raise PermissionDenied("Only programme admins manage webhooks.")


def access_webhook_endpoint(user: User, endpoint_id: int) -> WebhookEndpoint:
    require_webhook_admin(user)
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def access_webhook_delivery(user: User, delivery_id: int) -> WebhookDelivery:
    require_webhook_admin(user)
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such webhook delivery.")
    return delivery


def access_account_for_offline_events(user: User, account_id: int | str) -> Account:
    """An account whose offline events (workshops, referrals) the user records: its account
    team and programme admins. Another account: 404; its own customers and PMs: 403."""
    account = access_account(user, account_id)
    if not can_record_outcomes(user, account):  # programme admins and the account's team
        raise PermissionDenied("Only the account's team and programme admins record events.")
    return account
