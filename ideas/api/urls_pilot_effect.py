"""REST API of a pilot's effect against matched accounts (see ideas/api/pilot_effect.py)."""

from django.urls import path

from ideas.api import pilot_effect

urlpatterns = [
    path("pilots/<int:pk>/effect/", pilot_effect.PilotEffectView.as_view(), name="pilot-effect"),
]
