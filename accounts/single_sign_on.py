"""Single sign-on through each account's own identity provider, OpenID Connect or SAML 2.0:
which account an address belongs to (its email domain), the provider as allauth sees it,
whether a person must sign in through it, and who may come in through it.

The one rule of who comes in (`sso_admit`), the same for both protocols: the provider must
vouch for an address in one of *its* account's domains, and that address is either nobody's
yet (the person joins the account as a member, just in time) or a member of that same account.
Anyone else — an address outside the domains, a member of another account, an internal person
— is refused, logged, and nothing is created. allauth and python3-saml check the provider's
answer itself before any of this runs: for OpenID Connect the ID token's issuer, audience and
expiry and a code used twice; for SAML the signature by the configured certificate, the
audience, the validity window, and that the answer answers a request of ours, once (a replayed
assertion finds its request gone). Staff sign in through the company's provider instead
(accounts/staff_sign_on.py).

The module keeps the domain's writes too (`identity_provider_save`, `email_domain_claim`,
`sso_member_join`), as accounts/lockout.py and accounts/mfa.py keep theirs: single sign-on reads
and writes only its own rows and one membership. What the settings page and the API call, with
the provider's discovery document checked first, is accounts/sso_settings.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, transaction

from accounts.addresses import address_plain
from accounts.formats import end_sentence
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
# allauth's provider names, by our kind of identity provider.
PROTOCOLS = {"openid_connect": IdentityProviderKind.OIDC, "saml": IdentityProviderKind.SAML}
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


# How a SAML provider's attributes are read (allauth's SAML provider): its defaults, with the
# names Microsoft Entra ID, Okta and Google Workspace send by default.
SAML_ATTRIBUTES = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
        "mail",
    ],
    "first_name": [
        "urn:oid:2.5.4.42",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "firstName",
        "givenName",
    ],
    "last_name": [
        "urn:oid:2.5.4.4",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "lastName",
        "sn",
    ],
}
# python3-saml's checks (allauth passes them on): strict, so the response's destination, the
# audience (our entity ID), the issuer, the validity window and the signature (of the response
# or the assertion, by the configured certificate) must all hold; no SHA-1; no sign-in the
# provider starts on its own (each answer must answer a request of ours, once).
SAML_ADVANCED = {
    "strict": True,
    "reject_idp_initiated_sso": True,
    "reject_deprecated_algorithm": True,
    "want_attribute_statement": False,
    # python3-saml checks the URLs' shape; an intranet host (https://adfs/…) or localhost is
    # a single label.
    "allow_single_label_domains": True,
}


def saml_app_settings(*, entity_id: str, sso_url: str, x509cert: str) -> dict:
    """allauth's SAML app settings for an identity provider."""
    return {
        "idp": {"entity_id": entity_id, "sso_url": sso_url, "x509cert": x509cert},
        "attribute_mapping": SAML_ATTRIBUTES,
        "advanced": SAML_ADVANCED,
    }


def _social_app(provider: IdentityProvider):
    from allauth.socialaccount.models import SocialApp

    if provider.kind == IdentityProviderKind.SAML:
        # allauth's SAML URLs name the app by its client ID: /auth/saml/account-<pk>/acs/.
        return SocialApp(
            provider="saml",
            provider_id=provider.provider_id,
            name=provider.account.name,
            client_id=provider.provider_id,
            settings=saml_app_settings(
                entity_id=provider.entity_id, sso_url=provider.sso_url, x509cert=provider.x509cert
            ),
        )
    return SocialApp(
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


def social_apps(provider: str | None = None) -> list:
    """The accounts' providers as allauth's SocialApp (unsaved: our rows are the
    configuration), all of them or those of one protocol ("openid_connect", "saml") or one
    provider ID. An OpenID Connect issuer is pinned to the one configured, so a token must name
    it; a SAML assertion must come from the configured entity ID, signed by its certificate."""
    providers = IdentityProvider.objects.select_related("account")
    if provider in PROTOCOLS:
        providers = providers.filter(kind=PROTOCOLS[provider])
    elif provider is not None:
        found = provider_from_id(provider)
        providers = providers.filter(pk=found.pk if found else None)
    return [_social_app(row) for row in providers]


@dataclass(frozen=True)
class ProviderSettings:
    """An identity provider's settings as the page and the API give them: each is the model
    field of the same name (identity_provider_save writes them all)."""

    kind: str
    issuer: str
    client_id: str
    client_secret: str
    sso_required: bool
    metadata_url: str = ""
    entity_id: str = ""
    sso_url: str = ""
    x509cert: str = ""


_DOMAIN = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    "Write each domain as a plain lower-case name, such as acme.example.",
    code="invalid_domain",
)
DOMAIN_REQUIRED_MESSAGE = "Add the account's email domains first."


def email_domain_clean(name: str) -> str:
    """A typed domain as it is kept (lower case, no spaces), or ValidationError."""
    domain = str(name).strip().lower()
    _DOMAIN(domain)
    return domain


def _domains_taken(account: Account, wanted: set[str]) -> None:
    taken = EmailDomain.objects.filter(domain__in=wanted).exclude(account=account)
    if taken.exists():
        names = ", ".join(sorted(taken.values_list("domain", flat=True)))
        raise ValidationError(f"Another account already has {names}.", code="domain_taken")


def email_domain_claim(*, account: Account, domain: str) -> EmailDomain:
    """The account's row for `domain`, made if needed; ValidationError when another account
    has it (also when it claims it at the same moment: the unique constraint decides)."""
    _domains_taken(account, {domain})
    try:
        with transaction.atomic():
            return EmailDomain.objects.get_or_create(account=account, domain=domain)[0]
    except IntegrityError:
        raise ValidationError(
            f"Another account already has {domain}.", code="domain_taken"
        ) from None


@transaction.atomic
def identity_provider_save(
    *, account: Account, settings: ProviderSettings, domains: list[str] | None = None
) -> IdentityProvider:
    """Set the account's identity provider (and, when given, its email domains: a domain
    belongs to one account). Single sign-on can be required only of an account with domains.
    The caller has checked the provider (accounts.sso_settings fetches an OpenID Connect
    provider's discovery document; the settings form reads a SAML provider's metadata)."""
    provider, _ = IdentityProvider.objects.update_or_create(
        account=account,
        defaults={field.name: getattr(settings, field.name) for field in fields(settings)},
    )
    if domains is not None:
        try:
            wanted = {email_domain_clean(domain) for domain in domains if domain.strip()}
            _domains_taken(account, wanted)
        except ValidationError as error:
            raise ValidationError({"domains": error.error_list}) from None
        EmailDomain.objects.filter(account=account).exclude(domain__in=wanted).delete()
        for domain in sorted(wanted):
            try:
                email_domain_claim(account=account, domain=domain)
            except ValidationError as error:
                raise ValidationError({"domains": error.error_list}) from None
    if settings.sso_required and not account.email_domains.exists():
        raise ValidationError({"sso_required": DOMAIN_REQUIRED_MESSAGE}, code="no_domains")
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


def refusal(provider_id: str, email: str, reason: str) -> SsoRefused:
    """A refusal to raise, logged with the provider and the address."""
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
        raise refusal(provider_id, email, "This identity provider is no longer set up.")
    if not email:
        raise refusal(provider_id, email, "The identity provider did not tell us your email.")
    if email_verified is False:
        raise refusal(provider_id, email, "The identity provider has not verified your email.")
    account = provider.account
    if not account.email_domains.filter(domain=email_domain(email)).exists():
        raise refusal(
            provider_id,
            email,
            f"{email_domain(email)} is not one of {account.name}'s email domains, so this "
            "address cannot sign in through its identity provider.",
        )
    try:
        address_plain(email)
    except ValidationError as error:
        raise refusal(provider_id, email, error.messages[0]) from None
    user = User.objects.get_by_address(email)
    if user is None:
        user = sso_member_join(
            account=account, email=email, first_name=first_name, last_name=last_name
        )
        logger.info("Single sign-on: %r joined %s (%s)", email, account.slug, provider_id)
        return user
    membership = Membership.objects.filter(user=user).first()
    if membership is None or membership.account_id != account.pk or not user.is_active:
        raise refusal(
            provider_id,
            email,
            "This address already has a login that is not a member of "
            f"{end_sentence(account.name)} Log in with your password, or ask your programme admin.",
        )
    return user
