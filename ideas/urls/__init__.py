"""Pages of the ideas app, one module per area."""

from django.urls import include, path

app_name = "ideas"

urlpatterns = [
    path("", include("ideas.urls.ideas")),
    path("", include("ideas.urls.pilots")),
    path("", include("ideas.urls.enrolment")),
    path("", include("ideas.urls.account_pilots")),
    path("", include("ideas.urls.results")),
    path("", include("ideas.urls.pilot_effect")),
    path("", include("ideas.urls.calibration")),
    path("", include("ideas.urls.instrument")),
    path("", include("ideas.urls.feedback")),
    path("", include("ideas.urls.perception_outcomes")),
]
