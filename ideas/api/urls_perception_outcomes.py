"""REST API of pilot perception next to later outcomes (see ideas/api/perception_outcomes.py)."""

from django.urls import path

from ideas.api import perception_outcomes

urlpatterns = [
    path(
        "insights/pilot-perception/",
        perception_outcomes.PilotPerceptionView.as_view(),
        name="insights-pilot-perception",
    ),
]
