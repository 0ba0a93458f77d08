"""Pages of taking part in a pilot (see ideas/views/enrolment.py)."""

from django.urls import path

from ideas.views import enrolment as views

urlpatterns = [
    path("pilots/<int:pk>/invitations/", views.pilot_invite, name="pilot-invite"),
    path(
        "pilots/<int:pk>/invite-supporters/",
        views.pilot_invite_supporters,
        name="pilot-invite-supporters",
    ),
    path("pilots/<int:pk>/agreements/", views.agreement_publish, name="pilot-agreement-publish"),
    path(
        "pilots/<int:pk>/agreement/accept/",
        views.agreement_accept,
        name="pilot-agreement-accept",
    ),
    path("pilots/<int:pk>/enrol/", views.pilot_enrol, name="pilot-enrol"),
]
