"""Two-factor authentication: who has a second factor, and who must set one up first.

The factors themselves are django-allauth's (allauth.mfa): an authenticator app (TOTP),
security keys and passkeys (WebAuthn), and recovery codes shown once, each usable once. They
are asked for at login by allauth's login stages (accounts.views.LoginView).

With MFA_REQUIRED_FOR_STAFF (on in production), an internal user without a second factor sees
nothing but its setup (accounts.middleware.MfaRequiredMiddleware), and their API tokens are
refused until they have one (accounts.api.authentication). Customers are offered it on their
profile page.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings

from accounts.access import is_internal
from accounts.models import User

# The kinds that are a second factor on their own (recovery codes only come with one of them).
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

# The message the pages and the API give an internal user who must set one up first.
SETUP_REQUIRED_MESSAGE = (
    "Internal users protect their login with a second factor: set up an authenticator app "
    "or a security key before you continue."
)


def mfa_enabled(user: User) -> bool:
    """Whether this person logs in with a second factor (an authenticator app or a key)."""
    if not user.is_authenticated:
        return False
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


def mfa_setup_required(user: User) -> bool:
    """The one answer to "must this person set up a second factor before anything else?"."""
    return settings.MFA_REQUIRED_FOR_STAFF and is_internal(user) and not mfa_enabled(user)
