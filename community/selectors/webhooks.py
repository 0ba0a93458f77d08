"""Reads for the webhook settings page and API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from community.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from config.sql_once import SqlOnce


def webhook_endpoints() -> QuerySet[WebhookEndpoint]:
    """Every endpoint with its delivery counts per status (one query)."""
    return WebhookEndpoint.objects.select_related("created_by").annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=WebhookDeliveryStatus.PENDING)),
        succeeded=Count("deliveries", filter=Q(deliveries__status=WebhookDeliveryStatus.SUCCEEDED)),
        failed=Count("deliveries", filter=Q(deliveries__status=WebhookDeliveryStatus.FAILED)),
    )


_ENDPOINTS = SqlOnce(WebhookEndpoint, webhook_endpoints)


def webhook_endpoint_list() -> list[WebhookEndpoint]:
    """webhook_endpoints' rows (one query, its SQL kept: config.sql_once)."""
    return _ENDPOINTS.all()


def webhook_deliveries(
    *, status: str | None = None, endpoint_id: int | None = None
) -> QuerySet[WebhookDelivery]:
    """The delivery log, newest first, with the endpoint loaded (each says what it was about
    in its `summary`)."""
    deliveries = WebhookDelivery.objects.select_related("endpoint")
    if status:
        deliveries = deliveries.filter(status=status)
    if endpoint_id:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    return deliveries
