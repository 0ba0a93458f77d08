"""REST API of results."""

from django.urls import path

from ideas.api import results

urlpatterns = [
    path("pilots/<int:pk>/results/", results.PilotResultsView.as_view(), name="pilot-results"),
]
