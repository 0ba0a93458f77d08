"""REST API of the instrument designer (see ideas/api/instrument.py)."""

from django.urls import path

from ideas.api import instrument as views

urlpatterns = [
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
