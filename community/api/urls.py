from rest_framework.routers import SimpleRouter

from community.api.views import GardenViewSet, NotificationViewSet

router = SimpleRouter()
router.register("gardens", GardenViewSet, basename="garden")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
