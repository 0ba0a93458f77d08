"""How the API knows who calls with a token: django-rest-knox's `Authorization: Token …`, which
compares a hash of the token with the stored ones and refuses (401) one past its expiry, plus
the time each token was last used, which its owner sees on their profile. While
MFA_REQUIRED_FOR_STAFF is on, an internal user's token is refused (403 `mfa_required`) until
they have set up a second factor, as their session is (accounts/middleware.py). A token that
fails counts as a call by nobody against the "anon" rate (config.throttling), so guessing tokens
is throttled per IP address."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.signals import token_expired
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from accounts.mfa import SETUP_REQUIRED_MESSAGE, mfa_setup_required
from accounts.models import ApiToken
from config.throttling import anonymous_call_count

# A token's last use is written at most this often, so a busy script costs no write per call.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token authentication, recording when each token was last used."""

    def authenticate(self, request):
        try:
            found = super().authenticate(request)
        except AuthenticationFailed:
            anonymous_call_count(request)  # 429 instead of 401 past the "anon" rate
            raise
        if found is not None:
            if mfa_setup_required(found[0]):
                # The token works again once its owner has set up a second factor.
                raise PermissionDenied(SETUP_REQUIRED_MESSAGE, code="mfa_required")
            _last_used_stamp(found[1])
        return found

    def _cleanup_token(self, auth_token: ApiToken) -> bool:
        """Whether the token met is past its expiry (then deleted, and refused). knox's own
        version also reads every other token of its owner on every call, to delete the expired
        ones: a query per API call for a tidy-up that the token list's own query does (expired
        tokens are neither listed nor accepted)."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


def _last_used_stamp(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (as before knox: `tokenAuth`)."""

    target_class = "accounts.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }
