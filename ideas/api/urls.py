"""REST API of the ideas app, one module per area."""

from django.urls import include, path

urlpatterns = [
    path("", include("ideas.api.urls_ideas")),
    path("", include("ideas.api.urls_pilots")),
    path("", include("ideas.api.urls_results")),
    path("", include("ideas.api.urls_pilot_effect")),
    path("", include("ideas.api.urls_calibration")),
    path("", include("ideas.api.urls_instrument")),
    path("", include("ideas.api.urls_feedback")),
    path("", include("ideas.api.urls_perception_outcomes")),
]
