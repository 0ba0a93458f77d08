"""Taking part in a pilot: the accounts invited, the agreement (versioned) each account's
admin accepts, and the members enrolled."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Account
from config.single_line import validate_single_line
from ideas.models.pilots import Pilot


class PilotInvitation(models.Model):
    """An account invited to a pilot; only invited accounts see and join it."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="invitations")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pilot_invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["account__name"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "account"], name="one_invitation_per_pilot"),
        ]

    def __str__(self) -> str:
        return f"{self.account} invited to {self.pilot}"


class Agreement(models.Model):
    """The NDA or terms of a pilot, versioned; each version is accepted once per account."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveIntegerField()
    title = models.CharField(
        max_length=200, default="Pilot agreement", validators=[validate_single_line]
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pilot", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "version"], name="one_agreement_version"),
        ]

    def __str__(self) -> str:
        return f"{self.pilot} agreement v{self.version}"


class AgreementAcceptance(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="acceptances")
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "account"], name="one_acceptance_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} accepted {self.agreement}"


class Enrolment(models.Model):
    """A member taking part in a pilot for their account."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="enrolments")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "user"], name="one_enrolment_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.pilot}"
