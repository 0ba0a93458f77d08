"""An htmx fragment that is also a page: the part a page loads into itself, and the same part
inside the frame when its URL is opened directly (a bookmark, a link without scripts, a new
tab). Every view that answers a fragment answers through `fragment_response` (or, where the
fragment is part of its own list page, renders that page when the request is not htmx's)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for a part of a page (a history restore wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def fragment_response(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    title: str,
    parent_url: str,
    parent_label: str,
) -> HttpResponse:
    """The fragment for htmx; otherwise a page of the frame holding it, titled `title`, with
    a link to the page it belongs to (`parent_url`, named `parent_label`)."""
    if wants_fragment(request):
        response = render(request, template, context)
    else:
        page = {
            "fragment_template": template,
            "fragment_title": title,
            "parent_url": parent_url,
            "parent_label": parent_label,
        }
        response = render(request, "fragment_page.html", {**context, **page})
    patch_vary_headers(response, ["HX-Request"])
    return response
