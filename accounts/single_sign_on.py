"""Single sign-on through each account's own identity provider: which account an address
belongs to (its email domain), the provider as allauth sees it, whether a person must sign in
through it, and who may come in through it.

The one rule of who comes in (`sso_admit`): the provider must vouch for an address in one of
*its* account's domains, and that address is either nobody's yet (the person joins the account
as a member, just in time) or a member of that same account. Anyone else — an address outside
the domains, a member of another account, an internal person — is refused, logged, and nothing
is created. allauth checks the provider's answer itself (issuer, audience, expiry, a token used
twice) before any of this runs.

The module keeps the domain's writes too (`identity_provider_save`, `sso_member_join`), as
accounts/lockout.py and accounts/mfa.py keep theirs: single sign-on reads and writes only its
own rows and one membership.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.addresses import address_plain
from accounts.models import (
    Account,
    EmailDomain,
    IdentityProvider,
    IdentityProviderKind,
    MemberRole,
    Membership,
    User,
)
from accounts.models.audit import audit_acting

logger = logging.getLogger(__name__)

PROVIDER_PREFIX = "account-"
DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_KEYS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
SSO_REQUIRED_MESSAGE = (
    "Your organisation signs in with single sign-on: use “Sign in with single sign-on” on the "
    "login page. Passwords are not used for its people."
)


class SsoRefused(Exception):
    """A sign-in through an identity provider that is refused; the text says why."""


def email_domain(address: str) -> str:
    return str(address).rpartition("@")[2].strip().lower()


def domain_account(address: str) -> Account | None:
    """The account an address belongs to by its domain, or None."""
    row = EmailDomain.objects.select_related("account").filter(domain=email_domain(address))
    found = row.first()
    return found.account if found else None


def provider_for_address(address: str) -> IdentityProvider | None:
    """The identity provider of the account the address's domain belongs to, or None."""
    return (
        IdentityProvider.objects.select_related("account")
        .filter(account__email_domains__domain=email_domain(address))
        .first()
    )


def provider_from_id(provider_id: str) -> IdentityProvider | None:
    """The provider behind allauth's name for it ("account-<pk>"), or None."""
    pk = provider_id.removeprefix(PROVIDER_PREFIX)
    if not provider_id.startswith(PROVIDER_PREFIX) or not pk.isdigit():
        return None
    return IdentityProvider.objects.select_related("account").filter(pk=int(pk)).first()


def sso_required(*, address: str, user: User | None = None) -> bool:
    """Must this person sign in through single sign-on (no password login, no reset)? Yes when
    the address's domain belongs to an account that requires it, or the person is a member of
    one (whatever their address)."""
    by_domain = IdentityProvider.objects.filter(
        sso_required=True, account__email_domains__domain=email_domain(address)
    )
    if by_domain.exists():
        return True
    if user is None or user.pk is None:
        return False
    return IdentityProvider.objects.filter(
        sso_required=True, account__memberships__user=user
    ).exists()


def social_apps(provider_id: str | None = None):
    """The accounts' OpenID Connect providers as allauth's SocialApp (unsaved: our rows are the
    configuration). The issuer is pinned to the one configured, so a token must name it."""
    from allauth.socialaccount.models import SocialApp

    providers = IdentityProvider.objects.select_related("account").filter(
        kind=IdentityProviderKind.OIDC
    )
    if provider_id is not None:
        found = provider_from_id(provider_id)
        providers = providers.filter(pk=found.pk if found else None)
    return [
        SocialApp(
            provider="openid_connect",
            provider_id=provider.provider_id,
            name=provider.account.name,
            client_id=provider.client_id,
            secret=provider.client_secret,
            settings={
                "server_url": provider.issuer,
                "openid_configuration_overrides": {"issuer": provider.issuer},
            },
        )
        for provider in providers
    ]


def discovery_check(issuer: str) -> dict:
    """The provider's discovery document, or ValidationError saying what is wrong with it."""
    url = issuer.rstrip("/") + DISCOVERY_PATH
    try:
        response = requests.get(url, timeout=5)
    except requests.RequestException as error:
        logger.info("Discovery document of %s not fetched: %r", issuer, error)
        raise ValidationError(
            f"The provider's discovery document could not be fetched from {url}: no answer.",
            code="unreachable",
        ) from None
    if response.status_code != 200:
        raise ValidationError(
            f"The provider answered {response.status_code} at {url}, not its discovery document.",
            code="unreachable",
        )
    try:
        document = response.json()
    except ValueError:
        raise ValidationError(
            f"What the provider serves at {url} is not a JSON discovery document.",
            code="bad_metadata",
        ) from None
    missing = [key for key in DISCOVERY_KEYS if not isinstance(document.get(key), str)]
    if not isinstance(document, dict) or missing:
        raise ValidationError(
            f"The provider's discovery document lacks {', '.join(missing) or 'its fields'}.",
            code="bad_metadata",
        )
    if document["issuer"] != issuer:
        raise ValidationError(
            f"The provider calls itself {document['issuer']!r}, not {issuer!r}: the issuer "
            "must be exactly the one in its discovery document.",
            code="issuer_mismatch",
        )
    return document


@dataclass(frozen=True)
class ProviderSettings:
    kind: str
    issuer: str
    client_id: str
    client_secret: str
    sso_required: bool


@transaction.atomic
def identity_provider_save(
    *, account: Account, settings: ProviderSettings, domains: list[str] | None = None
) -> IdentityProvider:
    """Set the account's identity provider (and, when given, its email domains: a domain
    belongs to one account). The caller has checked the provider's discovery document."""
    provider, _ = IdentityProvider.objects.update_or_create(
        account=account,
        defaults={
            "kind": settings.kind,
            "issuer": settings.issuer,
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
            "sso_required": settings.sso_required,
        },
    )
    if domains is not None:
        wanted = {domain.strip().lower() for domain in domains if domain.strip()}
        taken = EmailDomain.objects.filter(domain__in=wanted).exclude(account=account)
        if taken.exists():
            names = ", ".join(sorted(taken.values_list("domain", flat=True)))
            raise ValidationError(f"Another account already has {names}.", code="domain_taken")
        EmailDomain.objects.filter(account=account).exclude(domain__in=wanted).delete()
        for domain in sorted(wanted):
            EmailDomain.objects.get_or_create(account=account, domain=domain)
    return provider


@transaction.atomic
def sso_member_join(*, account: Account, email: str, first_name: str, last_name: str) -> User:
    """Just-in-time membership: a login with no password, a member of the account (in the
    audit trail, made by the account's identity provider)."""
    with audit_acting(label=f"Single sign-on of {account.name}"):
        user = User.objects.create_user(
            email=address_plain(email), first_name=first_name.strip(), last_name=last_name.strip()
        )
        Membership.objects.create(user=user, account=account, role=MemberRole.MEMBER)
    return user


def _refuse(provider_id: str, email: str, reason: str) -> SsoRefused:
    logger.warning("Single sign-on refused (%s) for %r: %s", provider_id, email, reason)
    return SsoRefused(reason)


def sso_admit(
    *,
    provider_id: str,
    email: str,
    email_verified: bool | None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """The person this provider's sign-in is for, made a member of its account if they are
    new; SsoRefused (logged, nothing created) for anyone else."""
    provider = provider_from_id(provider_id)
    if provider is None:
        raise _refuse(provider_id, email, "This identity provider is no longer set up.")
    if not email:
        raise _refuse(provider_id, email, "The identity provider did not tell us your email.")
    if email_verified is False:
        raise _refuse(provider_id, email, "The identity provider has not verified your email.")
    account = provider.account
    if not account.email_domains.filter(domain=email_domain(email)).exists():
        raise _refuse(
            provider_id,
            email,
            f"{email_domain(email)} is not one of {account.name}'s email domains, so this "
            "address cannot sign in through its identity provider.",
        )
    try:
        address_plain(email)
    except ValidationError as error:
        raise _refuse(provider_id, email, error.messages[0]) from None
    user = User.objects.get_by_address(email)
    if user is None:
        user = sso_member_join(
            account=account, email=email, first_name=first_name, last_name=last_name
        )
        logger.info("Single sign-on: %r joined %s (%s)", email, account.slug, provider_id)
        return user
    membership = Membership.objects.filter(user=user).first()
    if membership is None or membership.account_id != account.pk or not user.is_active:
        raise _refuse(
            provider_id,
            email,
            f"This address already has a login that is not a member of {account.name}. Log "
            "in with your password, or ask your programme admin.",
        )
    return user
