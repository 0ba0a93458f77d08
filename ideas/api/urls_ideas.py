"""REST API of ideas (see ideas/api/ideas.py)."""

from rest_framework.routers import SimpleRouter

from ideas.api.ideas import IdeaViewSet

router = SimpleRouter()
router.register("ideas", IdeaViewSet, basename="idea")

urlpatterns = router.urls
