"""The models of single sign-on (accounts/single_sign_on.py): each account's identity provider
and the email domains that belong to the account."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.models.core import Account, TimeStamped
from config.field_encryption import EncryptedTextField
from config.single_line import validate_single_line


class IdentityProviderKind(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class IdentityProvider(TimeStamped):
    """An account's own identity provider: its people sign in through it (single sign-on), and
    a person it vouches for, with an address in one of the account's email domains, becomes a
    member of this account on first sign-in (accounts/single_sign_on.py)."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="identity_provider"
    )
    kind = models.CharField(
        max_length=10, choices=IdentityProviderKind.choices, default=IdentityProviderKind.OIDC
    )
    issuer = models.URLField(
        "issuer",
        max_length=500,
        blank=True,
        help_text="OpenID Connect: the provider's issuer URL; its discovery document is at "
        "<issuer>/.well-known/openid-configuration.",
        validators=[validate_single_line],
    )
    client_id = models.CharField(
        "client ID", max_length=255, blank=True, validators=[validate_single_line]
    )
    client_secret = EncryptedTextField(
        "client secret",
        blank=True,
        validators=[validate_single_line],
        help_text="Encrypted in the database (config/field_encryption.py); never shown again.",
    )
    # SAML 2.0: the identity provider as its metadata describes it, read when the settings are
    # saved (accounts/saml_metadata.py); a login never fetches the metadata.
    metadata_url = models.URLField(
        "metadata URL",
        max_length=500,
        blank=True,
        help_text="SAML: where the provider publishes its metadata (read again on each save).",
        validators=[validate_single_line],
    )
    entity_id = models.CharField(
        "entity ID",
        max_length=500,
        blank=True,
        help_text="SAML: the provider's entity ID, the issuer its assertions must name.",
        validators=[validate_single_line],
    )
    sso_url = models.URLField(
        "single sign-on URL",
        max_length=500,
        blank=True,
        help_text="SAML: where people are sent to sign in (HTTP-Redirect binding).",
        validators=[validate_single_line],
    )
    x509cert = models.TextField(
        "signing certificate",
        blank=True,
        help_text="SAML: the X.509 certificate (PEM) whose key signs the provider's assertions.",
    )
    sso_required = models.BooleanField(
        "single sign-on required",
        default=False,
        help_text="The account's people may not log in or reset a password with a password.",
    )

    class Meta:
        ordering = ["account__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["oidc", "saml"]), name="identity_provider_kind_known"
            ),
            # What each protocol cannot sign anyone in without.
            models.CheckConstraint(
                condition=~Q(kind="oidc") | (~Q(issuer="") & ~Q(client_id="")),
                name="identity_provider_oidc_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="saml") | (~Q(entity_id="") & ~Q(sso_url="") & ~Q(x509cert="")),
                name="identity_provider_saml_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.account}"

    @property
    def provider_id(self) -> str:
        """allauth's name for this provider, in its login and callback URLs."""
        return f"account-{self.pk}"


class EmailDomain(TimeStamped):
    """A domain of email addresses that belongs to one account: its provider's people with an
    address there join that account, and no other account may claim the domain."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(max_length=253, unique=True, validators=[validate_single_line])

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain=Lower("domain")),
                name="email_domain_lowercase",
            ),
        ]

    def __str__(self) -> str:
        return self.domain
