from rest_framework.routers import SimpleRouter

from community.api.views import GardenViewSet

router = SimpleRouter()
router.register("gardens", GardenViewSet, basename="garden")

urlpatterns = router.urls
