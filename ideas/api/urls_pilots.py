"""REST API of pilots (see ideas/api/pilots.py)."""

from rest_framework.routers import SimpleRouter

from ideas.api import pilots

router = SimpleRouter()
router.register("pilots", pilots.PilotViewSet, basename="pilot")

urlpatterns = router.urls
