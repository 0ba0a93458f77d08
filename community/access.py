"""Who may see which gardens. Invite-only gardens get their invited accounts in issue 5."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import customer_membership
from accounts.models import User
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
