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
    path("pilots/<int:pk>/instrument/", views.InstrumentView.as_view(), name="instrument-detail"),
    path(
        "pilots/<int:pk>/instrument/questions/",
        views.InstrumentQuestionsView.as_view(),
        name="instrument-question-list",
    ),
    path(
        "pilots/<int:pk>/instrument/questions/<int:question_id>/",
        views.InstrumentQuestionView.as_view(),
        name="instrument-question-detail",
    ),
    path(
        "pilots/<int:pk>/instrument/questions/<int:question_id>/move/",
        views.InstrumentQuestionMoveView.as_view(),
        name="instrument-question-move",
    ),
    path(
        "pilots/<int:pk>/instrument/dimensions/",
        views.InstrumentDimensionsView.as_view(),
        name="instrument-dimension-list",
    ),
    path(
        "pilots/<int:pk>/instrument/dimensions/<int:dimension_id>/",
        views.InstrumentDimensionView.as_view(),
        name="instrument-dimension-detail",
    ),
    path(
        "pilots/<int:pk>/instrument/dimensions/<int:dimension_id>/move/",
        views.InstrumentDimensionMoveView.as_view(),
        name="instrument-dimension-move",
    ),
]
