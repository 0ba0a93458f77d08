"""REST API of expectation calibration (see ideas/api/calibration.py)."""

from django.urls import path

from ideas.api import calibration

urlpatterns = [
    path(
        "pilots/<int:pk>/calibration/",
        calibration.PilotCalibrationView.as_view(),
        name="pilot-calibration",
    ),
    path(
        "accounts/<slug:slug>/expectation-drift/",
        calibration.AccountExpectationDriftView.as_view(),
        name="account-expectation-drift",
    ),
]
