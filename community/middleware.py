"""Visits: a customer who uses the product's pages on a day records one visit that day.

The hot path costs no query: the day of the last recorded visit is kept in the session (which
the authentication middleware has loaded already), so only a person's first page of the day
asks the database (`community.services.engagement.visit_record`, which locks their membership row
so that two requests at the same moment record one visit).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.access import customer_membership
from community.services.engagement import visit_record

# The session key holding the site-time-zone day (ISO) of the person's visit already recorded.
VISIT_DAY_SESSION_KEY = "community_visit_day"

# Not the product's pages: the API (and its docs), the Django admin, health checks, files.
_NOT_PAGES = ("/api/", "/admin/", "/healthz/")


def _is_page_view(request: HttpRequest, response: HttpResponse) -> bool:
    """A whole HTML page that a signed-in person opened (a GET answered with 200)."""
    if request.method != "GET" or response.status_code != 200:
        return False
    if request.headers.get("HX-Request"):  # a fragment of a page already opened
        return False
    path = request.path_info
    if path.startswith(_NOT_PAGES) or path.startswith(settings.STATIC_URL):
        return False
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return False  # CSV exports and other downloads
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class VisitMiddleware:
    """Records a customer's visit once per calendar day (site time zone), after the page is
    rendered. Internal users record none (their own actions for an account are support events,
    recorded by the actions themselves)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_page_view(request, response):
            self._record(request)
        return response

    def _record(self, request: HttpRequest) -> None:
        today = timezone.localdate(timezone=timezone.get_default_timezone()).isoformat()
        if request.session.get(VISIT_DAY_SESSION_KEY) == today:
            return  # recorded already: no query
        # The page's navigation has fetched the membership already (it is cached on the user).
        membership = customer_membership(request.user)
        if membership is None:
            return  # internal users record no visit
        visit_record(user=request.user, account=membership.account)
        request.session[VISIT_DAY_SESSION_KEY] = today
