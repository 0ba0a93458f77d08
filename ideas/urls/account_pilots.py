"""The pilots block of an account's engagement page (see ideas/views/account_pilots.py)."""

from django.urls import path

from ideas.views import account_pilots as views

urlpatterns = [
    # An htmx fragment: community does not import ideas.
    path("accounts/<slug:slug>/pilots/", views.account_pilots, name="account-pilots"),
]
