"""The demo's pages: the emails it sent (404 unless DEMO_EMAILS is on)."""

from django.urls import path

from demo import views

app_name = "demo"

urlpatterns = [
    path("demo/emails/", views.sent_emails, name="sent-emails"),
    path("demo/emails/<int:pk>/", views.sent_email, name="sent-email"),
]
