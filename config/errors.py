"""Errors raised before a view runs, in the API's one error format for `/api/` URLs.

- a URL that matches no route (`/api/v1/ideas/0.5/`): Django's 404, as JSON under `/api/`;
- a NUL character in the path or the query string: 400 before any view or query runs
  (PostgreSQL stores no NUL in text, so such a value could only fail deep in a query).
  NUL in a JSON body is refused by config.parsers.JSONParser.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _error(status: int, type_: str, code: str, detail: str, attr: str | None) -> JsonResponse:
    body = {"type": type_, "errors": [{"code": code, "detail": detail, "attr": attr}]}
    return JsonResponse(body, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: JSON for the API, Django's page for everything else."""
    if _is_api(request):
        return _error(404, "client_error", "not_found", "Not found.", None)
    return defaults.page_not_found(request, exception)


class NulCharactersMiddleware:
    """Answers 400 to a request whose path or query string holds a NUL character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found, attr = self._nul_found(request)
        if found:
            detail = "Null characters are not allowed."
            if not _is_api(request):
                return HttpResponseBadRequest(detail)
            return _error(400, "validation_error", "null_characters_not_allowed", detail, attr)
        return self.get_response(request)

    @staticmethod
    def _nul_found(request: HttpRequest) -> tuple[bool, str | None]:
        """Whether the request holds a NUL, and the query parameter that does (None: path)."""
        if "\x00" in request.path:
            return True, None
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True, key.replace("\x00", "")
        return False, None
