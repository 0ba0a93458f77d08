"""Pages of results (see ideas/views/results.py)."""

from django.urls import path

from ideas.views import results as views

urlpatterns = [
    path("pilots/<int:pk>/results/", views.pilot_results_page, name="pilot-results"),
    path(
        "pilots/<int:pk>/results/figures.csv",
        views.pilot_results_figures_csv,
        name="pilot-results-figures-csv",
    ),
    path(
        "pilots/<int:pk>/results/responses.csv",
        views.pilot_results_csv,
        name="pilot-results-csv",
    ),
]
