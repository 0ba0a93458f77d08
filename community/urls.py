from django.urls import path

from community.views import (
    alerts,
    engagement_model,
    home,
    offline_events,
    outcomes,
    portfolio,
    webhooks,
)

app_name = "community"

urlpatterns = [
    path("", home.home, name="home"),
    path("gardens/", home.garden_list, name="garden-list"),
    path("gardens/<slug:slug>/", home.garden_detail, name="garden-detail"),
    path("notifications/", home.notification_list, name="notification-list"),
    path("notifications/read-all/", home.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", home.notification_read, name="notification-read"),
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path(
        "accounts/<slug:slug>/engagement/",
        portfolio.account_engagement,
        name="account-engagement",
    ),
    path("alerts/", alerts.alert_inbox, name="alert-inbox"),
    path("alerts/email/", alerts.alert_subscription, name="alert-subscription"),
    path("alerts/<int:pk>/acknowledge/", alerts.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/resolve/", alerts.alert_resolve, name="alert-resolve"),
    # Loyalty outcomes and CSV imports
    path("outcomes/", outcomes.outcome_list, name="outcome-list"),
    path("accounts/<slug:slug>/outcomes/new/", outcomes.outcome_create, name="outcome-create"),
    path("imports/", outcomes.import_upload, name="import"),
    path("imports/<int:pk>/", outcomes.import_detail, name="import-detail"),
    path("imports/<int:pk>/errors.csv", outcomes.import_errors_csv, name="import-errors"),
    # Engagement model settings
    path(
        "settings/engagement/", engagement_model.engagement_model_settings, name="engagement-model"
    ),
    # Outgoing webhooks
    path("settings/webhooks/", webhooks.webhook_settings, name="webhooks"),
    path(
        "settings/webhooks/<int:pk>/rotate/",
        webhooks.webhook_endpoint_rotate,
        name="webhook-rotate",
    ),
    path(
        "settings/webhooks/<int:pk>/deactivate/",
        webhooks.webhook_endpoint_deactivate,
        name="webhook-deactivate",
    ),
    path(
        "settings/webhooks/deliveries/<int:pk>/retry/",
        webhooks.webhook_delivery_retry,
        name="webhook-delivery-retry",
    ),
    path(
        "accounts/<slug:slug>/offline-events/new/",
        offline_events.offline_event_create,
        name="offline-event-create",
    ),
]
