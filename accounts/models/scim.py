"""The models of SCIM 2.0 provisioning (accounts/provisioning.py): an account's tokens and the
people its identity provider provisioned."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models.core import Account, TimeStamped
from config.single_line import validate_single_line


class ScimToken(TimeStamped):
    """An account's token for SCIM 2.0 provisioning (`Authorization: Bearer …` at /scim/v2/),
    issued by the account's admin or a programme admin for its identity provider (Okta,
    Microsoft Entra). It reaches its own account's people only. Only a SHA-256 hash of it is
    stored (`digest`), with its first characters (`prefix`) to show it by; it is shown once and
    works until it is revoked (accounts/provisioning.py)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scim_tokens")
    name = models.CharField(
        max_length=100,
        help_text="Which identity provider uses it.",
        validators=[validate_single_line],
    )
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.account}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimPerson(TimeStamped):
    """A person an account's identity provider provisioned (SCIM): the link that outlives the
    membership while they are deactivated, so the provider can still read, reactivate or delete
    them, and the provider's own id for them (`externalId`). Deleting the person over SCIM
    deletes this link; their login stays, inactive, as after any removal."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scim_people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_person"
    )
    external_id = models.CharField(max_length=255, blank=True, validators=[validate_single_line])

    class Meta:
        ordering = ["account", "user"]

    def __str__(self) -> str:
        return f"{self.user} provisioned in {self.account}"
