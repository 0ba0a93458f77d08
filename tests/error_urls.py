"""The site's URLs plus views that fail on purpose, for the error page tests: a page and an
API URL that raise an unexpected error, and a plain (non-DRF) API URL that refuses."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a bug")


def refused(request):
    raise PermissionDenied


urlpatterns = [
    path("broken/", broken),
    path("api/v1/broken/", broken),
    path("api/v1/refused/", refused),
    *site_urlpatterns,
]
