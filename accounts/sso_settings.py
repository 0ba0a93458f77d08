"""An account's single sign-on settings, as its settings page (accounts/sso_views.py) and the
API (accounts/api/sso.py) change them, under one set of rules:

- an OpenID Connect provider's discovery document is fetched and checked first, through the
  outbound rule (accounts/oidc_discovery.py), outside any transaction: nothing is saved for a
  provider the server may not reach or whose document is wrong (a field error on `issuer`);
  a SAML provider needs its entity ID, sign-in URL and certificate, read from its metadata
  (accounts/saml_metadata.py) when only the metadata URL is given;
- a domain is a plain lower-case name and belongs to one account (`domains` / `domain`);
  only a programme admin sets an account's domains (`accounts.access.can_set_email_domains`,
  asked by the callers);
- single sign-on can be required only of an account with domains, and its last domain is not
  removed while it is;
- the client secret is stored encrypted and never shown again (the callers keep the saved one
  when none is given).

The writes themselves are accounts/single_sign_on.py's (`identity_provider_save`,
`email_domain_claim`).
"""

from __future__ import annotations

from dataclasses import fields, replace

from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Account, EmailDomain, IdentityProvider, IdentityProviderKind
from accounts.oidc_discovery import discovery_check
from accounts.saml_metadata import certificate_pem, metadata_fetch, metadata_read
from accounts.single_sign_on import (
    ProviderSettings,
    email_domain_claim,
    email_domain_clean,
    identity_provider_save,
)

LAST_DOMAIN_MESSAGE = (
    "Single sign-on is required for {account}, so it keeps at least one email domain: turn "
    "the requirement off first."
)


def provider_settings(provider: IdentityProvider) -> ProviderSettings:
    """The settings a provider has now (a change starts from them)."""
    return ProviderSettings(
        **{field.name: getattr(provider, field.name) for field in fields(ProviderSettings)}
    )


def provider_settings_changed(provider: IdentityProvider | None, **changes) -> ProviderSettings:
    """The settings after `changes` (model field names; the client secret kept when it is not
    among them); a new provider's defaults are the model's."""
    if provider is None:
        provider = IdentityProvider()
    return replace(provider_settings(provider), **changes)


def _required(settings: ProviderSettings, names: tuple[str, ...], protocol: str) -> None:
    missing = [name for name in names if not getattr(settings, name)]
    if missing:
        raise ValidationError({name: f"{protocol} needs this." for name in missing})


def _saml_checked(settings: ProviderSettings) -> ProviderSettings:
    """A SAML provider's settings, its entity ID, sign-in URL and certificate read from its
    metadata URL when they are not given (the settings page reads pasted metadata itself)."""
    if settings.metadata_url and not settings.entity_id:
        try:
            idp = metadata_read(metadata_fetch(settings.metadata_url))
        except ValidationError as error:
            raise ValidationError({"metadata_url": error.error_list}) from None
        return replace(
            settings, entity_id=idp.entity_id, sso_url=idp.sso_url, x509cert=idp.x509cert
        )
    _required(settings, ("entity_id", "sso_url", "x509cert"), "SAML, without metadata,")
    try:
        return replace(settings, x509cert=certificate_pem(settings.x509cert))
    except ValidationError as error:
        raise ValidationError({"x509cert": error.error_list}) from None


def identity_provider_check(settings: ProviderSettings) -> ProviderSettings:
    """The settings as they will be saved, or ValidationError with field errors when the
    provider cannot be used as given (OpenID Connect: its discovery document, fetched now;
    SAML: its metadata or the three fields it gives)."""
    if settings.kind == IdentityProviderKind.SAML:
        return _saml_checked(settings)
    _required(settings, ("issuer", "client_id"), "OpenID Connect")
    try:
        discovery_check(settings.issuer)
    except ValidationError as error:
        raise ValidationError({"issuer": error.error_list}) from None
    return settings


def identity_provider_set(
    *, account: Account, settings: ProviderSettings, domains: list[str] | None = None
) -> IdentityProvider:
    """Check the provider (its discovery document, fetched now), then save it and, when given,
    the account's domains; ValidationError with field errors, nothing saved, otherwise."""
    settings = identity_provider_check(settings)
    return identity_provider_save(account=account, settings=settings, domains=domains)


@transaction.atomic
def identity_provider_delete(*, provider: IdentityProvider) -> None:
    """The account's single sign-on ends: its provider, and the sign-in links people had through
    it (its email domains stay the account's). Nobody is required to use it any more."""
    SocialAccount.objects.filter(provider=provider.provider_id).delete()
    provider.delete()


@transaction.atomic
def email_domain_add(*, account: Account, domain: str) -> EmailDomain:
    """Another email domain of the account; ValidationError({"domain": …}) for a name that is
    not a domain, one the account has, or one another account has."""
    try:
        domain = email_domain_clean(domain)
        if account.email_domains.filter(domain=domain).exists():
            raise ValidationError(f"{domain} is already one of the account's domains.")
        return email_domain_claim(account=account, domain=domain)
    except ValidationError as error:
        raise ValidationError({"domain": error.error_list}) from None


@transaction.atomic
def email_domain_remove(*, email_domain: EmailDomain) -> None:
    """The domain is no longer the account's (its people keep their logins and membership);
    refused for the last domain of an account that requires single sign-on."""
    account = email_domain.account
    required = IdentityProvider.objects.select_for_update().filter(
        account=account, sso_required=True
    )
    if required.exists() and account.email_domains.count() <= 1:
        raise ValidationError(LAST_DOMAIN_MESSAGE.format(account=account.name), code="required")
    email_domain.delete()
