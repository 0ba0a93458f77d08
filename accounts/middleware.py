"""Session rules: time limits (below), a second factor first for internal users where required
(`MfaRequiredMiddleware`), signing in again at the identity provider before a second factor
changes, for people with no password (`SsoReauthenticationMiddleware`), and the request the
audit trail records changes by (`AuditRequestMiddleware`).

Session time limits: internal users are logged out after 30 minutes without a request and
12 hours after they logged in, whatever they do (settings SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS
and SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS).

Internal users (account managers, product managers, programme admins) see every account they
serve, so a forgotten browser tab of theirs is worth more to an attacker than a customer's.
Customers keep Django's session age (SESSION_COOKIE_AGE, two weeks, renewed when their session
is saved): they come back now and then to give feedback, and logging them out every half hour
would cost the engagement the product exists for. Logging out, a password change or a reset
ends anyone's sessions.

The hot path costs no query. At login (`session_times_start`, connected to `user_logged_in` in
accounts.apps) the session gets the login time, the last-seen time and whether the user is
internal; a customer's session is then never looked at again. An internal user's last-seen time
is written at most once a minute, so their session is saved at most once a minute (the idle
limit is therefore kept to within a minute). Times are whole seconds since the epoch, taken
from `timezone.now()`.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.internal.flows.reauthentication import suspend_request
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import is_internal
from accounts.mfa import SETUP_REQUIRED_MESSAGE, mfa_setup_required
from accounts.models.audit import audit_request
from accounts.sso_reauthentication import sso_login_record, sso_reauthentication_due

# Session keys: when the person logged in, when they were last seen, and whether the limits of
# internal users apply to them.
LOGIN_AT_SESSION_KEY = "accounts_login_at"
SEEN_AT_SESSION_KEY = "accounts_seen_at"
INTERNAL_SESSION_KEY = "accounts_internal"

# The last-seen time is rewritten only when it is at least this old (seconds).
_SEEN_AT_GRANULARITY = 60

IDLE_MESSAGE = "You were logged out after {duration} without activity. Please log in again."
ABSOLUTE_MESSAGE = "You were logged out {duration} after logging in. Please log in again."


def _duration(seconds: int) -> str:
    """A limit as the messages name it: 12 hours, 30 minutes, 1 minute."""
    number, unit = (seconds // 3600, "hour") if seconds % 3600 == 0 else (seconds // 60, "minute")
    return f"{number} {unit}{'' if number == 1 else 's'}"


def _now() -> int:
    return int(timezone.now().timestamp())


def _stamp(request: HttpRequest, *, internal: bool) -> None:
    now = _now()
    request.session[LOGIN_AT_SESSION_KEY] = now
    request.session[SEEN_AT_SESSION_KEY] = now
    request.session[INTERNAL_SESSION_KEY] = internal


def session_times_start(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """`user_logged_in` receiver: record when this session began and whether it is limited."""
    if request is None or not hasattr(request, "session"):
        return
    internal = is_internal(user)
    _stamp(request, internal=internal)
    if internal:
        # The cookie and the stored session do not outlive the absolute limit either.
        request.session.set_expiry(settings.SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS)


def _expiry_message(session) -> str | None:
    """Why this internal user's session is over, or None while it is still valid."""
    now = _now()
    idle = settings.SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS
    absolute = settings.SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS
    if now - session[LOGIN_AT_SESSION_KEY] >= absolute:
        return ABSOLUTE_MESSAGE.format(duration=_duration(absolute))
    if now - session[SEEN_AT_SESSION_KEY] >= idle:
        return IDLE_MESSAGE.format(duration=_duration(idle))
    if now - session[SEEN_AT_SESSION_KEY] >= _SEEN_AT_GRANULARITY:
        session[SEEN_AT_SESSION_KEY] = now
    return None


class SessionTimeoutMiddleware:
    """Ends an internal user's session when it has been idle or open too long: logs them out
    and sends them to the login page with a message (an htmx request is redirected by htmx; an
    API request carries on as anonymous and gets the API's 401/403). Must come after the
    session, authentication and message middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            if LOGIN_AT_SESSION_KEY not in session:
                # A session that began before these limits existed: they start now.
                _stamp(request, internal=is_internal(request.user))
            elif session[INTERNAL_SESSION_KEY]:
                message = _expiry_message(session)
                if message is not None:
                    return self._end(request, message)
        return self.get_response(request)

    def _end(self, request: HttpRequest, message: str) -> HttpResponse:
        logout(request)
        if request.path_info.startswith("/api/"):
            return self.get_response(request)  # the API answers an anonymous caller itself
        messages.info(request, message)
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path())


class MfaRequiredMiddleware:
    """With MFA_REQUIRED_FOR_STAFF, an internal user logged in without a second factor reaches
    only its setup (the pages under /auth/), logging out and the health check: every other
    page sends them to the setup, and the API answers their session 403 `mfa_required`.
    Customers are never stopped. Must come after the authentication and message middleware.
    Costs one query per request of an internal user while the setting is on."""

    _OPEN_PREFIXES = ("/auth/", "/logout/", "/healthz/", "/static/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.MFA_REQUIRED_FOR_STAFF
            and request.user.is_authenticated
            and not request.path_info.startswith(self._OPEN_PREFIXES)
            and mfa_setup_required(request.user)
        ):
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "client_error",
                    "errors": [
                        {"code": "mfa_required", "detail": SETUP_REQUIRED_MESSAGE, "attr": None}
                    ],
                },
                status=403,
            )
        setup = reverse("mfa_index")
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(setup)
        messages.warning(request, SETUP_REQUIRED_MESSAGE)
        return redirect(setup)


class SsoReauthenticationMiddleware:
    """Before a second factor is set up, changed or removed (allauth's pages for it), a person
    allauth would not ask to prove it is them (no usable password and no second factor yet, as
    everyone single sign-on created) signs in again at the identity provider their session came
    in by (accounts/sso_reauthentication.py); a POST is kept and resumed afterwards, as
    allauth's own reauthentication does. Without such a provider the change is refused."""

    CHANGES = frozenset(
        {
            "mfa_activate_totp",
            "mfa_deactivate_totp",
            "mfa_add_webauthn",
            "mfa_remove_webauthn",
            "mfa_edit_webauthn",
            "mfa_generate_recovery_codes",
        }
    )
    NO_PROVIDER_MESSAGE = (
        "Log out and sign in again through your organisation's single sign-on: it confirms it "
        "is you before a second factor is set up."
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.url_name not in self.CHANGES:
            return None
        if not sso_reauthentication_due(request):
            return None
        if sso_login_record(request) is None:
            raise PermissionDenied(self.NO_PROVIDER_MESSAGE)
        return suspend_request(request, reverse("accounts:sso-reauthenticate"))


class AuditRequestMiddleware:
    """The changes made while a request is served are recorded in the audit trail as the
    request's: by its person (or its SCIM token, known once the API has authenticated it) and
    from its address (accounts/models/audit.py). Costs no query: who it was is read only when a
    row is written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_request(request):
            return self.get_response(request)
