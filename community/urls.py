from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
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
]
