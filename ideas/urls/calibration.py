"""Pages of expectation calibration (see ideas/views/calibration.py)."""

from django.urls import path

from ideas.views import calibration as views

urlpatterns = [
    path(
        "pilots/<int:pk>/results/calibration.csv",
        views.pilot_calibration_csv,
        name="pilot-calibration-csv",
    ),
]
