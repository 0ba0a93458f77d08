"""Pages of the instrument designer (ideas/views/instrument.py)."""

from django.urls import path

from ideas.views import instrument as views

urlpatterns = [
    path("pilots/<int:pk>/instrument/", views.instrument_edit, name="instrument-edit"),
    path(
        "pilots/<int:pk>/instrument/questions/",
        views.instrument_question_add,
        name="instrument-question-add",
    ),
    path(
        "pilots/<int:pk>/instrument/questions/<int:question_id>/",
        views.instrument_question_edit,
        name="instrument-question-edit",
    ),
    path(
        "pilots/<int:pk>/instrument/questions/<int:question_id>/remove/",
        views.instrument_question_remove,
        name="instrument-question-remove",
    ),
    path(
        "pilots/<int:pk>/instrument/questions/<int:question_id>/move/",
        views.instrument_question_move,
        name="instrument-question-move",
    ),
    path(
        "pilots/<int:pk>/instrument/dimensions/",
        views.instrument_dimension_add,
        name="instrument-dimension-add",
    ),
    path(
        "pilots/<int:pk>/instrument/dimensions/<int:dimension_id>/",
        views.instrument_dimension_edit,
        name="instrument-dimension-edit",
    ),
    path(
        "pilots/<int:pk>/instrument/dimensions/<int:dimension_id>/remove/",
        views.instrument_dimension_remove,
        name="instrument-dimension-remove",
    ),
    path(
        "pilots/<int:pk>/instrument/dimensions/<int:dimension_id>/move/",
        views.instrument_dimension_move,
        name="instrument-dimension-move",
    ),
]
