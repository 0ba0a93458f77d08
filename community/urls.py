from django.urls import path

from community import views, views_webhooks

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("gardens/", views.garden_list, name="garden-list"),
    path("gardens/<slug:slug>/", views.garden_detail, name="garden-detail"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path(
        "accounts/<slug:slug>/engagement/",
        views.account_engagement,
        name="account-engagement",
    ),
    path("alerts/", views.alert_inbox, name="alert-inbox"),
    path("alerts/email/", views.alert_subscription, name="alert-subscription"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert-resolve"),
    # Loyalty outcomes and CSV imports
    path("outcomes/", views.outcome_list, name="outcome-list"),
    path("accounts/<slug:slug>/outcomes/new/", views.outcome_create, name="outcome-create"),
    path("imports/", views.import_upload, name="import"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import-errors"),
    # Engagement model settings
    path("settings/engagement/", views.engagement_model_settings, name="engagement-model"),
    # Outgoing webhooks
    path("settings/webhooks/", views_webhooks.webhook_settings, name="webhooks"),
    path(
        "settings/webhooks/<int:pk>/rotate/",
        views_webhooks.webhook_endpoint_rotate,
        name="webhook-rotate",
    ),
    path(
        "settings/webhooks/<int:pk>/deactivate/",
        views_webhooks.webhook_endpoint_deactivate,
        name="webhook-deactivate",
    ),
    path(
        "settings/webhooks/deliveries/<int:pk>/retry/",
        views_webhooks.webhook_delivery_retry,
        name="webhook-delivery-retry",
    ),
    path(
        "accounts/<slug:slug>/offline-events/new/",
        views.offline_event_create,
        name="offline-event-create",
    ),
]
