"""Pages of pilots (see ideas/views/pilots.py)."""

from django.urls import path

from ideas.views import pilots as views

urlpatterns = [
    path("pilots/", views.pilot_list, name="pilot-list"),
    path("gardens/<slug:slug>/pilots/", views.garden_pilots, name="garden-pilots"),
    path("ideas/<int:pk>/pilots/new/", views.pilot_create, name="pilot-create"),
    path("pilots/<int:pk>/", views.pilot_detail, name="pilot-detail"),
    path("pilots/<int:pk>/edit/", views.pilot_edit, name="pilot-edit"),
    path("pilots/<int:pk>/state/", views.pilot_state, name="pilot-state"),
    path("pilots/<int:pk>/publish/", views.pilot_publish, name="pilot-publish"),
    path("pilots/<int:pk>/decision/", views.pilot_decide, name="pilot-decide"),
]
