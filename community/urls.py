"""URLs of the community pages (namespace `community`): home, gardens, discussions, harvests,
notifications, portfolio, account engagement and the value exchanged, alerts, outcomes and
imports, insights, robustness after bad times, webhooks, chat channels, people's profiles."""

from django.urls import path

from community.views import (
    alerts,
    chat_channels,
    discussions,
    engagement,
    engagement_model,
    gardens,
    harvests,
    home,
    insights,
    loyalty,
    notifications,
    outcomes,
    portfolio,
    recognition,
    robustness,
    value_exchanged,
    webhooks,
)

app_name = "community"

urlpatterns = [
    path("", home.home, name="home"),
    # Gardens (community/views/gardens.py)
    path("gardens/", gardens.garden_list, name="garden-list"),
    path("gardens/new/", gardens.garden_create, name="garden-create"),
    path("gardens/<slug:slug>/", gardens.garden_detail, name="garden-detail"),
    path("gardens/<slug:slug>/edit/", gardens.garden_edit, name="garden-edit"),
    path("gardens/<slug:slug>/join/", gardens.garden_join, name="garden-join"),
    path("gardens/<slug:slug>/leave/", gardens.garden_leave, name="garden-leave"),
    path(
        "gardens/<slug:slug>/invitations/",
        gardens.garden_invitations,
        name="garden-invitations",
    ),
    path(
        "gardens/<slug:slug>/invitations/<int:pk>/remove/",
        gardens.garden_invitation_remove,
        name="garden-invitation-remove",
    ),
    path(
        "gardens/<slug:slug>/invitation/",
        gardens.garden_invitation_answer,
        name="garden-invitation",
    ),
    # Notifications (community/views/notifications.py)
    path("notifications/", notifications.notification_list, name="notification-list"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification-read"),
    path(
        "notifications/settings/",
        notifications.notification_preferences,
        name="notification-preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.notification_unsubscribe,
        name="notification-unsubscribe",
    ),
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path(
        "accounts/<slug:slug>/engagement/",
        engagement.account_engagement,
        name="account-engagement",
    ),
    path(
        "accounts/<slug:slug>/value-exchanged/",
        value_exchanged.account_value_exchanged,
        name="account-value-exchanged",
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
        "settings/webhooks/<int:pk>/reactivate/",
        webhooks.webhook_endpoint_reactivate,
        name="webhook-reactivate",
    ),
    path(
        "settings/webhooks/deliveries/<int:pk>/retry/",
        webhooks.webhook_delivery_retry,
        name="webhook-delivery-retry",
    ),
    # Chat channels of an account's team and of a garden (community/views/chat_channels.py)
    path(
        "accounts/<slug:slug>/channels/",
        chat_channels.account_chat_channels,
        name="account-chat-channels",
    ),
    path(
        "gardens/<slug:slug>/channels/",
        chat_channels.garden_chat_channels,
        name="garden-chat-channels",
    ),
    path("channels/<int:pk>/", chat_channels.chat_channel_edit, name="chat-channel-edit"),
    path(
        "channels/<int:pk>/delete/", chat_channels.chat_channel_delete, name="chat-channel-delete"
    ),
    path("channels/<int:pk>/test/", chat_channels.chat_channel_test, name="chat-channel-test"),
    path(
        "accounts/<slug:slug>/offline-events/new/",
        engagement.offline_event_create,
        name="offline-event-create",
    ),
    # Robustness after bad times (community/views/robustness.py)
    path(
        "accounts/<slug:slug>/bad-times/new/",
        robustness.bad_time_create,
        name="bad-time-create",
    ),
    path(
        "accounts/<slug:slug>/robustness.csv",
        robustness.account_robustness_csv,
        name="account-robustness-csv",
    ),
    path(
        "insights/robustness.csv",
        robustness.insights_robustness_csv,
        name="insights-robustness-csv",
    ),
    # People's profiles: contributions and badges (community/views/recognition.py)
    path("people/me/", recognition.my_profile, name="my-profile"),
    path("people/<int:pk>/", recognition.profile, name="person-profile"),
    # Insights across accounts: outcome rates by level at the time (community/views/insights.py)
    path("insights/", insights.insights_page, name="insights"),
    # …and loyalty over time by level, the section it loads (community/views/loyalty.py)
    path("insights/loyalty/", loyalty.insights_loyalty, name="insights-loyalty"),
    # Harvests: the feed, a harvest, writing, publishing, reach (community/views/harvests.py)
    path("harvests/", harvests.harvest_list, name="harvest-list"),
    path("harvests/new/", harvests.harvest_create_view, name="harvest-create"),
    path("harvests/<slug:slug>/", harvests.harvest_detail, name="harvest-detail"),
    path("harvests/<slug:slug>/edit/", harvests.harvest_edit, name="harvest-edit"),
    path("harvests/<slug:slug>/publish/", harvests.harvest_publish_view, name="harvest-publish"),
    path("harvests/<slug:slug>/reach/", harvests.harvest_reach_view, name="harvest-reach"),
    # Discussions: threads and posts in a garden (community/views/discussions.py)
    path("gardens/<slug:slug>/threads/", discussions.thread_list, name="thread-list"),
    path("gardens/<slug:slug>/threads/new/", discussions.thread_create, name="thread-create"),
    path(
        "gardens/<slug:slug>/threads/flagged/",
        discussions.thread_flagged,
        name="thread-flagged",
    ),
    path("gardens/<slug:slug>/threads/<int:pk>/", discussions.thread_detail, name="thread-detail"),
    path(
        "gardens/<slug:slug>/threads/<int:pk>/reply/",
        discussions.thread_reply,
        name="thread-reply",
    ),
    path(
        "gardens/<slug:slug>/threads/<int:pk>/posts/<int:post_pk>/",
        discussions.post_link,
        name="post-link",
    ),
    path(
        "gardens/<slug:slug>/threads/<int:pk>/posts/<int:post_pk>/edit/",
        discussions.post_edit,
        name="post-edit",
    ),
    path(
        "gardens/<slug:slug>/threads/<int:pk>/posts/<int:post_pk>/history/",
        discussions.post_history,
        name="post-history",
    ),
    path(
        "gardens/<slug:slug>/threads/<int:pk>/posts/<int:post_pk>/react/",
        discussions.post_react,
        name="post-react",
    ),
    path(
        "gardens/<slug:slug>/threads/<int:pk>/posts/<int:post_pk>/flag/",
        discussions.post_flag,
        name="post-flag",
    ),
    path(
        "gardens/<slug:slug>/threads/<int:pk>/posts/<int:post_pk>/hide/",
        discussions.post_hide,
        name="post-hide",
    ),
    path(
        "gardens/<slug:slug>/threads/<int:pk>/posts/<int:post_pk>/unhide/",
        discussions.post_unhide,
        name="post-unhide",
    ),
    path(
        "gardens/<slug:slug>/threads/<int:pk>/posts/<int:post_pk>/dismiss-flags/",
        discussions.post_flags_dismiss,
        name="post-flags-dismiss",
    ),
]
