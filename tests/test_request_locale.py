"""Each request runs with its language and time zone activated
(config.request_locale.SiteLocaleMiddleware): the site's, or those active before it, which are
the active ones after it."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from config.request_locale import SiteLocaleMiddleware


def _seen(request):
    # What the view sees: activated (an attribute of the thread's state), not a fallback.
    response = HttpResponse()
    response.language = trans_real._active.value.to_language()
    response.zone = timezone._active.value
    return response


def test_a_request_runs_with_the_sites_language_and_zone_activated(rf):
    assert "config.request_locale.SiteLocaleMiddleware" in settings.MIDDLEWARE
    response = SiteLocaleMiddleware(_seen)(rf.get("/"))
    assert response.language == settings.LANGUAGE_CODE == "en-gb"
    assert response.zone == timezone.get_default_timezone() == zoneinfo.ZoneInfo(settings.TIME_ZONE)
    assert not hasattr(timezone._active, "value")  # and nothing is left active after it


def test_a_language_and_zone_active_before_a_request_are_its_own_and_active_after_it(rf):
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    with translation.override("de"), timezone.override(paris):
        response = SiteLocaleMiddleware(_seen)(rf.get("/"))
        assert (response.language, response.zone) == ("de", paris)
        assert translation.get_language() == "de"
        assert timezone.get_current_timezone() == paris
    assert not hasattr(timezone._active, "value")
