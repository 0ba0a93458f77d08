"""REST API of feedback (see ideas/api/feedback.py)."""

from django.urls import path

from ideas.api import feedback as views

urlpatterns = [
    path("check-ins/<int:pk>/", views.CheckInView.as_view(), name="check-in-detail"),
    path(
        "check-ins/<int:pk>/response/",
        views.CheckInResponseView.as_view(),
        name="check-in-response",
    ),
    path(
        "check-ins/<int:pk>/response/submit/",
        views.CheckInResponseSubmitView.as_view(),
        name="check-in-response-submit",
    ),
]
