"""Who may see which gardens. Invite-only gardens get their invited accounts in issue 5."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.access import access_account, customer_membership, visible_accounts
from accounts.models import Account, MemberRole, User
from community.models import Garden, GardenVisibility, Notification


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
