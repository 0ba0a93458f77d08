from django.urls import path
from rest_framework.routers import SimpleRouter

from community.api import engagement
from community.api.views import GardenViewSet, NotificationViewSet

router = SimpleRouter()
router.register("gardens", GardenViewSet, basename="garden")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    *router.urls,
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
]
