"""Writes that happen once: a page form's one-time token and the API's `Idempotency-Key`.

Every form rendered with `{% form_token %}` (templates/_form_fields.html does it) carries a
fresh random token in the hidden field `form_token`. OnceMiddleware runs a signed-in person's
POST that carries one in a transaction that first claims the token (FormSubmission, unique per
person and token). When the view's answer is a redirect (post/redirect/get) the claim is kept
with the redirect's URL; any other answer (the form again, with its errors) gives the claim
back so the corrected form can be sent. A repeat — a double click, Back and submit again, a
reload, a retried htmx request — finds the claim and is sent to the same URL with "Already
saved." instead of saving again. Two submissions at the same moment: the database's unique
constraint makes the second wait for the first and then find its claim. A view whose success
is a page, not a redirect (a secret shown once), calls `submission_saved` to keep the claim.

An API POST with an `Idempotency-Key` header works the same way (IdempotentRequest): the first
successful (2xx) answer is stored and replayed, with `Idempotent-Replayed: true`, to a repeat
with the same key from the same caller; the same key with another method, path or body is a
422 `idempotency_key_reused`. See docs/architecture.md ("Writes happen once").

Both are kept for a while, then purged (`submissions_purge`, hourly by beat): a form's token for
FORM_TOKEN_RETENTION_DAYS (a form left open in a tab, or reached again by Back, is still a
repeat within that time), an API key for IDEMPOTENCY_KEY_RETENTION_HOURS (a client retries
within minutes; a day is the usual promise).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from accounts.models import FormSubmission, IdempotentRequest

FIELD = "form_token"
HEADER = "Idempotency-Key"
ALREADY_SAVED = "Already saved."
# What a repeat of a form that shows a secret once is told (no second secret is made).
SHOWN_ONCE = "Already created: its secret was shown once, when it was made."
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces


def form_token_new() -> str:
    """A fresh one-time token for one rendered form: 32 lowercase hex digits (no letters that
    could spell a word or a name on the page)."""
    return secrets.token_hex(16)


def submission_saved(request: HttpRequest, *, url: str, message: str = ALREADY_SAVED) -> None:
    """Tell OnceMiddleware that this POST saved what its form asked for although its answer is
    no redirect (a page that shows a secret once): a repeat goes to `url`, told `message`."""
    request._submission_saved = (url, message)  # noqa: SLF001 (read by the middleware below)


def _saved_where(request: HttpRequest, response: HttpResponse) -> tuple[str, str] | None:
    marked = getattr(request, "_submission_saved", None)
    if marked:
        return marked
    if response.status_code in (301, 302, 303) and response.get("Location"):
        return response["Location"], ALREADY_SAVED
    for header in ("HX-Redirect", "HX-Location"):
        if 200 <= response.status_code < 300 and response.get(header):
            return response[header], ALREADY_SAVED
    return None


def _claim(model, **fields):
    """Create the claim row, or None when it exists already (the repeat)."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def _form_post(request: HttpRequest, get_response: Callable, token: str) -> HttpResponse:
    user = request.user
    with transaction.atomic():
        claim = _claim(FormSubmission, user=user, token=token, path=request.path[:500])
        if claim is not None:
            response = get_response(request)
            saved = _saved_where(request, response)
            if saved is None:
                claim.delete()  # nothing saved: the corrected form may be sent with it
            else:
                claim.url, claim.message = saved[0][:500], saved[1][:300]
                claim.save(update_fields=["url", "message"])
            return response
    first = FormSubmission.objects.filter(user=user, token=token).first()
    if first is None:  # given back in the meantime: this one is a first submission after all
        return _form_post(request, get_response, token)
    messages.info(request, first.message or ALREADY_SAVED)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = first.url
        return response
    return HttpResponseRedirect(first.url)


def _caller(request: HttpRequest) -> str:
    """Whose key it is: the credentials sent (an API token), else the signed-in person; "" for
    no one (the API refuses such a write anyway, and nothing is kept for it)."""
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()[:64]
    user = request.user
    return f"user:{user.pk}" if user.is_authenticated else ""


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(stored: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(stored.body, status=stored.status, content_type=stored.content_type)
    if stored.location:
        response["Location"] = stored.location
    response["Idempotent-Replayed"] = "true"
    return response


def _error(status: int, kind: str, code: str, detail: str, attr: str | None) -> HttpResponse:
    """An answer in the API's one error format (config.api)."""
    error = {"type": kind, "errors": [{"code": code, "detail": detail, "attr": attr}]}
    return HttpResponse(json.dumps(error), status=status, content_type="application/json")


def _key_reused() -> HttpResponse:
    detail = f"This {HEADER} was sent before with another request; use a new key for it."
    return _error(422, "client_error", "idempotency_key_reused", detail, None)


def _key_invalid() -> HttpResponse:
    detail = f"An {HEADER} is 1 to 255 printable ASCII characters (a UUID, say), no spaces."
    return _error(400, "validation_error", "invalid", detail, HEADER)


def _api_post(request: HttpRequest, get_response: Callable, key: str) -> HttpResponse:
    caller, fingerprint = _caller(request), _fingerprint(request)
    if not caller:
        return get_response(request)
    with transaction.atomic():
        claim = _claim(IdempotentRequest, caller=caller, key=key, fingerprint=fingerprint)
        if claim is not None:
            response = get_response(request)
            if not 200 <= response.status_code < 300 or getattr(response, "streaming", False):
                claim.delete()  # refused or failed: the client may try again with the key
                return response
            claim.status = response.status_code
            claim.content_type = response.get("Content-Type", "")[:100]
            claim.location = response.get("Location", "")[:500]
            claim.body = response.content.decode(errors="replace")
            claim.save(update_fields=["status", "content_type", "location", "body"])
            return response
    stored = IdempotentRequest.objects.filter(caller=caller, key=key).first()
    if stored is None:
        return _api_post(request, get_response, key)
    if stored.fingerprint != fingerprint:
        return _key_reused()
    return _replay(stored)


class OnceMiddleware:
    """Runs a POST carrying a form token or an `Idempotency-Key` once (see the module)."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self.get_response(request)
        key = request.headers.get(HEADER, "").strip()
        if key and request.path.startswith("/api/"):
            if not _KEY.fullmatch(key):
                return _key_invalid()
            return _api_post(request, self.get_response, key)
        api = request.path.startswith("/api/")  # the API's bodies are left to DRF to read
        token = _form_token(request) if request.user.is_authenticated and not api else ""
        if token:
            return _form_post(request, self.get_response, token)
        return self.get_response(request)


def _form_token(request: HttpRequest) -> str:
    """The POST's form token, read only from a form body of a size Django keeps in memory: a
    larger upload is left for its view to refuse before anything parses it."""
    if not request.content_type.startswith(("multipart/form-data", "application/x-www-form")):
        return ""
    size = request.META.get("CONTENT_LENGTH") or "0"
    if not size.isdigit() or int(size) > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
        return ""
    token = request.POST.get(FIELD, "")
    return token if _TOKEN.fullmatch(token) else ""  # anything else: as if it had none


PURGE_CHUNK = 5000  # rows deleted per statement


def _purge_older(model, cutoff) -> int:
    deleted = 0
    while True:
        chunk = list(
            model.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:PURGE_CHUNK]
        )
        if not chunk:
            return deleted
        deleted += model.objects.filter(pk__in=chunk).delete()[0]


def submissions_purge() -> tuple[int, int]:
    """Delete the form tokens older than FORM_TOKEN_RETENTION_DAYS and the API's idempotency
    keys older than IDEMPOTENCY_KEY_RETENTION_HOURS, a chunk at a time; returns how many of
    each. Running it twice deletes nothing more."""
    now = timezone.now()
    tokens = _purge_older(FormSubmission, now - timedelta(days=settings.FORM_TOKEN_RETENTION_DAYS))
    keys = _purge_older(
        IdempotentRequest, now - timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    )
    return tokens, keys
