"""Pages of feedback: the check-in form (ideas/views/feedback.py)."""

from django.urls import path

from ideas.views import feedback as views

urlpatterns = [
    path("check-ins/<int:pk>/", views.check_in_answer, name="check-in-answer"),
]
