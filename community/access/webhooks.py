"""Webhook endpoints and deliveries are for programme admins only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import (
    manages_all_accounts,
)
from accounts.models import User
from community.models import (
    WebhookDelivery,
    WebhookEndpoint,
)

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
