"""config.routes: the frame's addresses found once per process (routes, static files) are the
resolver's and the storage's, also after the URL configuration, the script prefix or the static
files' settings change."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import NoReverseMatch, path, reverse, set_script_prefix

from config.routes import asset, route

urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="only-here")]
NAMES = ["community:home", "community:garden-list", "ideas:idea-list", "logout", "admin:index"]


@pytest.mark.parametrize("name", NAMES)
def test_a_kept_route_is_the_resolvers(name):
    assert route(name) == reverse(name)
    assert route(name) == reverse(name)  # kept: the same again


def test_another_script_prefix_gets_its_own_addresses():
    home = route("community:home")
    set_script_prefix("/garden/")
    try:
        assert route("community:home") == reverse("community:home") == "/garden" + home
    finally:
        set_script_prefix("/")
    assert route("community:home") == home


def test_another_url_configuration_forgets_what_was_kept(settings):
    route("community:home")
    settings.ROOT_URLCONF = __name__  # this module's urlpatterns: no home there

    assert route("only-here") == "/elsewhere/"
    with pytest.raises(NoReverseMatch):
        route("community:home")


@pytest.mark.parametrize("path", ["css/frame.css", "vendor/htmx/htmx.min.js", "favicon.svg"])
def test_a_kept_asset_is_the_storages_address(path):
    assert asset(path) == static(path)
    assert asset(path) == static(path)


def test_another_static_url_gets_its_own_addresses(settings):
    before = asset("css/frame.css")
    settings.STATIC_URL = "/assets-elsewhere/"

    assert asset("css/frame.css") == static("css/frame.css") != before
    assert asset("css/frame.css").startswith("/assets-elsewhere/")
