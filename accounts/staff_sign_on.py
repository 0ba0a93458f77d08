"""Staff single sign-on: internal people sign in through the company's own identity provider,
OpenID Connect or SAML 2.0, configured by settings (`STAFF_SSO_*`, README), not by a row.

The rule of who comes in (`staff_admit`): the provider must vouch for an address in one of the
company's domains (`STAFF_SSO_DOMAINS`) that is already the login of an active internal person
(`accounts.access.is_internal`: no customer membership). Nobody is created through it: a new
colleague gets a login and a role from a programme admin first, as before, and the provider
only replaces their password step. A customer member, a deactivated login or an unknown
address is refused, logged, and nothing changes. After the provider, the login goes on through
allauth's stages as any other: a second factor is asked for when the person has one, and
`MFA_REQUIRED_FOR_STAFF` sends one who has none to set it up before any other page.
"""

from __future__ import annotations

from django.conf import settings

from accounts.access import is_internal
from accounts.models import User
from accounts.single_sign_on import email_domain, refusal, saml_app_settings

STAFF_PROVIDER_ID = "staff"
STAFF_NAME = "Customer Garden staff"
_PROTOCOLS = {"oidc": "openid_connect", "saml": "saml"}


def staff_sso_enabled() -> bool:
    return bool(settings.STAFF_SSO_PROTOCOL)


def staff_address(address: str) -> bool:
    """Is this an address of the company's own (staff single sign-on on)?"""
    return staff_sso_enabled() and email_domain(address) in settings.STAFF_SSO_DOMAINS


def staff_apps(provider: str | None = None) -> list:
    """The company's provider as allauth's SocialApp (from settings), when it is on and
    `provider` is None, its protocol or "staff"."""
    from allauth.socialaccount.models import SocialApp

    protocol = _PROTOCOLS.get(settings.STAFF_SSO_PROTOCOL)
    if protocol is None or provider not in (None, protocol, STAFF_PROVIDER_ID):
        return []
    if protocol == "saml":
        app = SocialApp(
            provider="saml",
            provider_id=STAFF_PROVIDER_ID,
            name=STAFF_NAME,
            client_id=STAFF_PROVIDER_ID,
            settings=saml_app_settings(
                entity_id=settings.STAFF_SSO_SAML_ENTITY_ID,
                sso_url=settings.STAFF_SSO_SAML_SSO_URL,
                x509cert=settings.STAFF_SSO_SAML_X509CERT,
            ),
        )
    else:
        app = SocialApp(
            provider="openid_connect",
            provider_id=STAFF_PROVIDER_ID,
            name=STAFF_NAME,
            client_id=settings.STAFF_SSO_CLIENT_ID,
            secret=settings.STAFF_SSO_CLIENT_SECRET,
            settings={
                "server_url": settings.STAFF_SSO_ISSUER,
                "openid_configuration_overrides": {"issuer": settings.STAFF_SSO_ISSUER},
            },
        )
    return [app]


def staff_admit(*, email: str, email_verified: bool | None) -> User:
    """The internal person the company's provider vouches for; SsoRefused (logged, nothing
    changed) for anyone else."""
    if not email:
        raise refusal(STAFF_PROVIDER_ID, email, "The identity provider did not tell us your email.")
    if email_verified is False:
        raise refusal(
            STAFF_PROVIDER_ID, email, "The identity provider has not verified your email."
        )
    if not staff_address(email):
        raise refusal(
            STAFF_PROVIDER_ID,
            email,
            f"{email_domain(email)} is not one of the company's domains, so this address cannot "
            "sign in through the staff identity provider.",
        )
    user = User.objects.get_by_address(email)
    if user is None or not user.is_active or not is_internal(user):
        raise refusal(
            STAFF_PROVIDER_ID,
            email,
            "There is no staff login for this address. A programme admin adds new colleagues "
            "before they can sign in.",
        )
    return user
