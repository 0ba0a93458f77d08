from django.urls import path
from rest_framework.routers import SimpleRouter

from community.api import alerts, engagement, engagement_admin, outcomes, webhooks
from community.api.views import GardenViewSet, NotificationViewSet

router = SimpleRouter()
router.register("gardens", GardenViewSet, basename="garden")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("alerts", alerts.AlertViewSet, basename="alert")

urlpatterns = [
    *router.urls,
    path("outcomes/", outcomes.OutcomeListView.as_view(), name="outcome-list"),
    path("imports/", outcomes.ImportView.as_view(), name="import"),
    path(
        "accounts/<slug:slug>/engagement/",
        engagement.AccountEngagementView.as_view(),
        name="account-engagement",
    ),
    path(
        "accounts/<slug:slug>/engagement/history/",
        engagement.EngagementHistoryView.as_view(),
        name="account-engagement-history",
    ),
    path(
        "engagement/recompute/",
        engagement_admin.RecomputeView.as_view(),
        name="engagement-recompute",
    ),
    path(
        "engagement/models/",
        engagement_admin.EngagementModelListView.as_view(),
        name="engagement-models",
    ),
    path("webhooks/", webhooks.WebhookEndpointListView.as_view(), name="webhook-list"),
    path(
        "webhooks/deliveries/",
        webhooks.WebhookDeliveryListView.as_view(),
        name="webhook-delivery-list",
    ),
    path(
        "accounts/<slug:slug>/offline-events/",
        engagement_admin.OfflineEventCreateView.as_view(),
        name="offline-event-create",
    ),
]
