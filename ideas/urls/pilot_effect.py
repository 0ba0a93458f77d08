"""A pilot's effect against matched accounts (see ideas/views/pilot_effect.py)."""

from django.urls import path

from ideas.views import pilot_effect as views

urlpatterns = [
    path("pilots/<int:pk>/effect/", views.pilot_effect_page, name="pilot-effect"),
    path("pilots/<int:pk>/effect/accounts.csv", views.pilot_effect_csv, name="pilot-effect-csv"),
]
