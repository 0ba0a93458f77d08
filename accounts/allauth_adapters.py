"""How django-allauth fits our login: nobody signs up (people join by invitation), a password
is checked under the login's lock (accounts.lockout), and the session is logged in by the same
backend as our login form's.

allauth runs what follows the password: its login stages (the second factor of allauth.mfa)
end in `AccountAdapter.login`. Single sign-on (allauth.socialaccount) ends in the same stages:
`SocialAccountAdapter` hands allauth each account's identity provider from our rows (OpenID Connect
or SAML 2.0) and the company's provider for staff from settings, and lets in only whom
accounts.single_sign_on (customers) or accounts.staff_sign_on (staff) admits. `MfaAdapter` keeps
the second factors' secrets encrypted.
"""

from __future__ import annotations

import logging

import jwt
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount import app_settings as socialaccount_settings
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import single_sign_on, staff_sign_on
from accounts.lockout import login_attempts_one_at_a_time
from accounts.sso_reauthentication import (
    SsoReauthenticationRefused,
    is_sso_reauthentication,
    sso_reauthentication_finish,
    sso_reauthentication_method,
)
from config.field_encryption import decrypt_text, encrypt_text
from config.outbound import outbound_session

logger = logging.getLogger(__name__)

_BACKEND = "accounts.permission_backend.PermissionBackend"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user) -> None:
        # A login resumed after its second factor loads the user afresh, without the backend
        # that checked the password: it is ours.
        if not hasattr(user, "backend"):
            user.backend = _BACKEND
        super().login(request, user)

    def get_reauthentication_methods(self, user) -> list[dict]:
        """allauth's (password, second factor) and signing in again at the identity provider
        the session came in by (accounts/sso_reauthentication.py): first for a person with no
        password, whom allauth would otherwise send to the login page."""
        methods = super().get_reauthentication_methods(user)
        request = context.request
        sso = sso_reauthentication_method(request) if request is not None else None
        if sso is None:
            return methods
        return [sso, *methods] if not user.has_usable_password() else [*methods, sso]

    def reauthenticate(self, user, password: str) -> bool:
        """ "Type your password again" before changing a second factor: a wrong one counts
        against the login's lock like a wrong password at the login (django-axes)."""
        with login_attempts_one_at_a_time(user.email):
            found = authenticate(context.request, username=user.email, password=password)
        return found is not None and found.pk == user.pk


class MfaAdapter(DefaultMFAAdapter):
    """allauth.mfa keeps an authenticator app's key and the recovery codes' seed in the
    database through these two hooks: encrypted, as every stored secret is
    (config/field_encryption.py)."""

    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)


# What a person is told when allauth refuses an OpenID Connect provider's answer, by the check
# that failed.
_TOKEN_REFUSALS = (
    (jwt.ExpiredSignatureError, "The identity provider's sign-in had expired. Sign in again."),
    (
        jwt.InvalidAudienceError,
        "The identity provider's answer was meant for another application (its audience is "
        "not this site's client ID).",
    ),
    (
        jwt.InvalidIssuerError,
        "The identity provider's answer came from another issuer than the one set up for "
        "your account.",
    ),
)
# The same for a SAML provider's answer, by the start of python3-saml's reason.
_SAML_REFUSALS = (
    (
        ("Could not validate timestamp: expired", "A valid SubjectConfirmation was not found"),
        "The identity provider's sign-in had expired (or was not meant for this site's "
        "address). Sign in again.",
    ),
    (
        ("is not a valid audience",),
        "The identity provider's answer was meant for another application (its audience is "
        "not this site's entity ID).",
    ),
    (
        ("Signature validation failed",),
        "The identity provider's answer was not signed by the certificate set up for your account.",
    ),
    (
        ("No Signature found", "is not signed"),
        "The identity provider's answer was not signed.",
    ),
    (
        ("Invalid issuer",),
        "The identity provider's answer came from another issuer than the one set up for "
        "your account.",
    ),
)
_UNACCEPTED = "The identity provider's answer could not be accepted. Sign in again."
REPLAYED = (
    "This sign-in was already used, or was not started from this browser. Start again from "
    "the login page."
)
_NOT_REAUTHENTICATED = (
    "The identity provider did not confirm that you signed in again, so nothing was changed. "
    "Try again, and sign in at the provider when it asks."
)


def refusal_response(request: HttpRequest, reason: str) -> HttpResponse:
    """The refusal page of a single sign-on (403), saying why."""
    return render(request, "registration/sso_refused.html", {"reason": reason}, status=403)


def _refusal(request: HttpRequest, reason: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(refusal_response(request, reason))


def _refusal_reason(exception, extra_context) -> str:
    cause = exception.__cause__ if exception is not None else None
    for kind, text in _TOKEN_REFUSALS:
        if isinstance(cause, kind):
            return text
    saml_reason = (extra_context or {}).get("saml_last_error_reason") or ""
    for starts, text in _SAML_REFUSALS:
        if any(start in saml_reason for start in starts):
            return text
    return _UNACCEPTED


def _vouched_for(sociallogin) -> dict:
    """What the provider said of the person: email, whether it is verified (None: not said),
    first and last name."""
    if sociallogin.provider.id == "saml":  # attributes, read by the app's attribute mapping
        user = sociallogin.user
        return {
            "email": user.email or "",
            "email_verified": None,
            "first_name": user.first_name or "",
            "last_name": user.last_name or "",
        }
    claims = {
        **sociallogin.account.extra_data.get("userinfo", {}),
        **sociallogin.account.extra_data.get("id_token", {}),
    }
    return {
        "email": claims.get("email") or "",
        "email_verified": claims.get("email_verified"),
        "first_name": claims.get("given_name") or "",
        "last_name": claims.get("family_name") or "",
    }


def _admit(provider_id: str, vouched: dict):
    """The one person this sign-in is for: staff through the company's provider, a customer
    through their account's; SsoRefused for anyone else."""
    if provider_id == staff_sign_on.STAFF_PROVIDER_ID:
        return staff_sign_on.staff_admit(
            email=vouched["email"], email_verified=vouched["email_verified"]
        )
    return single_sign_on.sso_admit(provider_id=provider_id, **vouched)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on: each account's own provider (accounts.IdentityProvider) and the
    company's for staff (settings), and nobody in but whom `single_sign_on.sso_admit` or
    `staff_sign_on.staff_admit` admits; allauth's sign-up stays closed."""

    def list_apps(self, request, provider=None, client_id=None):
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        ours = single_sign_on.social_apps(provider) + staff_sign_on.staff_apps(provider)
        return apps + [app for app in ours if client_id in (None, app.client_id)]

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return False

    def get_requests_session(self):
        """Every request allauth makes to a provider (its discovery document, the token, the
        keys, the user info) goes through the outbound rule (config/outbound.py)."""
        return outbound_session(timeout=socialaccount_settings.REQUESTS_TIMEOUT)

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        if is_sso_reauthentication(sociallogin):
            try:
                sso_reauthentication_finish(request, sociallogin)
            except SsoReauthenticationRefused:
                raise _refusal(request, _NOT_REAUTHENTICATED) from None
            return  # allauth then goes back to the page that asked, logging nobody in or out
        try:
            user = _admit(sociallogin.account.provider, _vouched_for(sociallogin))
        except single_sign_on.SsoRefused as refused:
            raise _refusal(request, str(refused)) from None
        if sociallogin.is_existing:
            if sociallogin.user.pk != user.pk:
                logger.warning(
                    "Single sign-on refused (%s): its subject %r is another person's login",
                    sociallogin.account.provider,
                    sociallogin.account.uid,
                )
                raise _refusal(request, _UNACCEPTED)
            return
        sociallogin.connect(request, user)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        logger.warning(
            "Single sign-on refused (%s): %s %r (caused by %r) %s",
            getattr(provider, "sub_id", provider),
            error,
            exception,
            exception.__cause__ if exception is not None else None,
            (extra_context or {}).get("saml_last_error_reason") or "",
        )
        raise _refusal(request, _refusal_reason(exception, extra_context))
