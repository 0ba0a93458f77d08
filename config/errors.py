"""The site's error answers: a page inside the frame with a way back for people, the API's one
error format for `/api/` URLs (SCIM's error document under `/scim/`).

- handler400, handler403, handler404 and handler500 (config/urls.py), and CSRF_FAILURE_VIEW:
  `bad_request`, `permission_denied`, `page_not_found`, `server_error`, `csrf_failure`.
  Their templates (templates/400.html …) extend templates/errors/error.html, which extends
  base.html; the 500 page is rendered with no request, so no context processor (no query)
  runs for it. A PermissionDenied raised with a sentence ("Only programme admins import
  files.") shows that sentence; a 404 never shows its exception's text.
- 405 of a page (an action's address opened as a page): `MethodNotAllowedPageMiddleware`.
- 429: the API's throttling answers itself (config.throttling); the pages' lock-outs render
  templates/429.html (allauth's rate limits) and registration/locked_out.html (axes).
- `NulCharactersMiddleware`: a NUL character in the path or the query string is a 400 before
  any view or query runs (PostgreSQL stores no NUL in text, so such a value could only fail
  deep in a query). NUL in a JSON body is refused by config.parsers.JSONParser.
"""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

API_PREFIX = "/api/"
SCIM_PREFIX = "/scim/"
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

# status: (the API's error type, its code, its detail)
_API_ERRORS = {
    400: ("client_error", "bad_request", "Bad request."),
    403: ("client_error", "permission_denied", "You do not have permission to do this."),
    404: ("client_error", "not_found", "Not found."),
    500: ("server_error", "error", "A server error occurred."),
}
_CSRF_DETAIL = "CSRF check failed: send the CSRF token with a session's write."


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _is_scim(request: HttpRequest) -> bool:
    return request.path.startswith(SCIM_PREFIX)


def _error(status: int, type_: str, code: str, detail: str, attr: str | None) -> JsonResponse:
    body = {"type": type_, "errors": [{"code": code, "detail": detail, "attr": attr}]}
    return JsonResponse(body, status=status)


def _machine_error(request: HttpRequest, status: int, detail: str = "") -> HttpResponse | None:
    """The JSON answer for an API or SCIM URL; None for a page."""
    type_, code, default = _API_ERRORS[status]
    if _is_api(request):
        return _error(status, type_, code, detail or default, None)
    if _is_scim(request):
        body = {"schemas": [SCIM_ERROR], "status": str(status), "detail": detail or default}
        return JsonResponse(body, status=status, content_type="application/scim+json")
    return None


def previous_page(request: HttpRequest) -> str:
    """The page the person came from (the Referer), when it is one of ours and not this one."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 of a request for another host: no way back through it
        return ""
    if not referer or referer == request.build_absolute_uri():
        return ""
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    )
    return referer if safe else ""


def _page(request: HttpRequest, status: int, template: str, **context) -> HttpResponse:
    context.setdefault("message", "")
    context["back_url"] = previous_page(request)
    context["here"] = request.get_full_path()
    return render(request, template, context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (a SuspiciousOperation or BadRequest raised anywhere)."""
    return _machine_error(request, 400) or _page(request, 400, "400.html")


def _user_message(exception: Exception | None) -> str:
    """The sentence a PermissionDenied was raised with (the project's are written for the
    person refused); empty when it was raised bare."""
    if exception is None or not exception.args:
        return ""
    text = str(exception.args[0]).strip()
    return text if text and text != "None" else ""


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: why, when the refusal said why, and the ways back."""
    message = _user_message(exception)
    return _machine_error(request, 403, message) or _page(request, 403, "403.html", message=message)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the exception's text is for developers ("No Idea matches…"), never shown."""
    return _machine_error(request, 404) or _page(request, 404, "404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: rendered without the request, so it needs neither the database nor a
    context processor; the frame shows as to a visitor who is not signed in."""
    machine = _machine_error(request, 500)
    if machine is not None:
        return machine
    html = loader.get_template("500.html").render({"home_url": "/"})
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page too old (or from another tab's session)."""
    if _is_api(request) or _is_scim(request):
        return _error(403, "client_error", "permission_denied", _CSRF_DETAIL, None)
    return _page(request, 403, "403_csrf.html", form_page=previous_page(request))


class MethodNotAllowedPageMiddleware:
    """An action's address (POST only) opened as a page — a bookmark, a link, the way back
    from the login after a session ended — answers 405 with the frame and a way back instead
    of Django's empty body. The API (DRF answers its own 405) and htmx requests pass."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or response.content
            or _is_api(request)
            or _is_scim(request)
            or request.headers.get("HX-Request")
        ):
            return response
        page = _page(request, 405, "405.html")
        page["Allow"] = response.get("Allow", "")
        return page


class NulCharactersMiddleware:
    """Answers 400 to a request whose path or query string holds a NUL character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found, attr = self._nul_found(request)
        if found:
            detail = "Null characters are not allowed."
            if not _is_api(request):
                return _page(request, 400, "400.html", message=detail)
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
