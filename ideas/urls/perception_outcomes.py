"""Pilot perception next to later outcomes (see ideas/views/perception_outcomes.py)."""

from django.urls import path

from ideas.views import perception_outcomes as views

urlpatterns = [
    path("pilots/perception-outcomes/", views.perception_outcomes, name="perception-outcomes"),
]
