"""No answer of the site's views is kept by a cache: `Cache-Control: private, no-store`.

Pages, htmx fragments, CSV exports and API answers show what one person may see; a browser's
cache or a proxy that kept them would show them to the next person at that computer, or after
logout. So every answer that comes from a view carries `private, no-store` (merged with what
the view said, such as the login page's `never_cache`).

The public pages get it too, on purpose: the login and password pages gain nothing from a
cache, and the token links (an invitation, a password reset, an unsubscribe link) show a
person's address or account. Static files are the exception: WhiteNoise serves them above this
middleware (settings.MIDDLEWARE), so they keep their long-lived caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Marks every answer below it `private, no-store`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, private=True, no_store=True)
        return response
