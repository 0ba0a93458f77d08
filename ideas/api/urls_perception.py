"""REST API of pilot perception next to later outcomes (see ideas/api/perception.py)."""

from django.urls import path

from ideas.api import perception

urlpatterns = [
    path(
        "insights/pilot-perception/",
        perception.PilotPerceptionView.as_view(),
        name="insights-pilot-perception",
    ),
]
