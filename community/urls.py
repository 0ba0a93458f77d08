from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("gardens/", views.garden_list, name="garden-list"),
    path("gardens/<slug:slug>/", views.garden_detail, name="garden-detail"),
]
