"""URLs of the community API under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from community.api import alerts, engagement, outcomes, robustness, webhooks
from community.api.discussions import PostViewSet, ThreadViewSet
from community.api.engagement import OfflineEventListCreateView, RecomputeView
from community.api.engagement_model import EngagementModelListView
from community.api.gardens import GardenInvitationViewSet, GardenViewSet
from community.api.harvests import HarvestViewSet
from community.api.insights import OutcomeRatesView
from community.api.loyalty import LoyaltyOverTimeView
from community.api.notifications import (
    NotificationPreferenceDetailView,
    NotificationPreferenceListView,
    NotificationViewSet,
)
from community.api.recognition import PersonProfileView
from community.api.value_exchanged import AccountValueExchangedView

router = SimpleRouter()
router.register("gardens", GardenViewSet, basename="garden")
router.register("garden-invitations", GardenInvitationViewSet, basename="garden-invitation")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("alerts", alerts.AlertViewSet, basename="alert")
router.register("harvests", HarvestViewSet, basename="harvest")
router.register("threads", ThreadViewSet, basename="thread")
router.register("posts", PostViewSet, basename="post")

urlpatterns = [
    *router.urls,
    path(
        "notification-preferences/",
        NotificationPreferenceListView.as_view(),
        name="notification-preference-list",
    ),
    path(
        "notification-preferences/<str:kind>/",
        NotificationPreferenceDetailView.as_view(),
        name="notification-preference-detail",
    ),
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
        "accounts/<slug:slug>/value-exchanged/",
        AccountValueExchangedView.as_view(),
        name="account-value-exchanged",
    ),
    path(
        "engagement/recompute/",
        RecomputeView.as_view(),
        name="engagement-recompute",
    ),
    path(
        "engagement/models/",
        EngagementModelListView.as_view(),
        name="engagement-models",
    ),
    path("webhooks/", webhooks.WebhookEndpointListView.as_view(), name="webhook-list"),
    path(
        "webhooks/deliveries/",
        webhooks.WebhookDeliveryListView.as_view(),
        name="webhook-delivery-list",
    ),
    path(
        "webhooks/<int:pk>/deactivate/",
        webhooks.WebhookEndpointDeactivateView.as_view(),
        name="webhook-deactivate",
    ),
    path(
        "webhooks/<int:pk>/reactivate/",
        webhooks.WebhookEndpointReactivateView.as_view(),
        name="webhook-reactivate",
    ),
    path(
        "webhooks/deliveries/<int:pk>/retry/",
        webhooks.WebhookDeliveryRetryView.as_view(),
        name="webhook-delivery-retry",
    ),
    path(
        "accounts/<slug:slug>/offline-events/",
        OfflineEventListCreateView.as_view(),
        name="offline-event-create",
    ),
    path("people/<int:pk>/profile/", PersonProfileView.as_view(), name="person-profile"),
    path("insights/outcome-rates/", OutcomeRatesView.as_view(), name="insights-outcome-rates"),
    path(
        "accounts/<slug:slug>/robustness/",
        robustness.AccountRobustnessView.as_view(),
        name="account-robustness",
    ),
    path(
        "accounts/<slug:slug>/bad-times/",
        robustness.BadTimeCreateView.as_view(),
        name="bad-time-create",
    ),
    path(
        "insights/robustness/",
        robustness.RobustnessByLevelView.as_view(),
        name="insights-robustness",
    ),
    path("insights/loyalty/", LoyaltyOverTimeView.as_view(), name="insights-loyalty"),
]
