"""Two-factor authentication: who has a second factor, and who must set one up first.

The factors themselves are django-allauth's (allauth.mfa): an authenticator app (TOTP),
security keys and passkeys (WebAuthn), and recovery codes shown once, each usable once. They
are asked for at login by allauth's login stages (accounts.views.LoginView).

With MFA_REQUIRED_FOR_STAFF (on in production), an internal user without a second factor sees
nothing but its setup (accounts.middleware.MfaRequiredMiddleware), and their API tokens are
refused until they have one (accounts.api.authentication). Customers are offered it on their
profile page.

The factors' secrets (an authenticator app's key, the recovery codes' seed) are stored
encrypted through `accounts.allauth_adapters.MfaAdapter`; `authenticator_secrets_reencrypt`
writes them again under the newest key when keys rotate (config/field_encryption.py).
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction

from accounts.access import is_internal
from accounts.models import User
from config.field_encryption import reencrypt_text

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


# The keys of allauth's authenticator data that hold a secret (through MfaAdapter.encrypt).
AUTHENTICATOR_SECRETS = {
    Authenticator.Type.TOTP: ("secret",),
    Authenticator.Type.RECOVERY_CODES: ("seed",),
}


def _reencrypted(kind: str, data: dict) -> dict:
    data = dict(data)
    for key in AUTHENTICATOR_SECRETS.get(kind, ()):
        if key in data:
            data[key] = reencrypt_text(data[key])
    if kind == Authenticator.Type.RECOVERY_CODES and isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [reencrypt_text(code) for code in data["migrated_codes"]]
    return data


def authenticator_secrets_reencrypt() -> int:
    """Every second factor's secrets encrypted again under the first key (a key rotation),
    each row locked while it is rewritten. Returns the number of authenticators."""
    rows = Authenticator.objects.filter(type__in=list(AUTHENTICATOR_SECRETS))
    count = 0
    for pk in rows.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            found = rows.select_for_update().filter(pk=pk).values_list("type", "data").first()
            if found is not None:
                rows.filter(pk=pk).update(data=_reencrypted(*found))
                count += 1
    return count
