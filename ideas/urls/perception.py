"""Pilot perception next to later outcomes (see ideas/views/perception.py)."""

from django.urls import path

from ideas.views import perception as views

urlpatterns = [
    path("pilots/perception-outcomes/", views.perception_outcomes, name="perception-outcomes"),
]
