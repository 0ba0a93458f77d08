"""Bad times: moments that test an account's relationship (an incident, a pilot that fell short
of what the account expected, one of its ideas declined), from which its robustness is read
(community/selectors/robustness.py; docs/product.md, "Robustness after bad times")."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Account, TimeStamped
from config.single_line import validate_single_line


class BadTimeKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    PILOT_GAP = "pilot_gap", "Pilot fell short of expectations"
    IDEA_DECLINED = "idea_declined", "Idea declined"


class BadTimeSource(models.TextChoices):
    MANUAL = "manual", "Recorded by hand"
    IMPORT = "import", "Imported"
    AUTOMATIC = "automatic", "Recorded by the product"


class BadTime(TimeStamped):
    """One bad time of one account. `reference` tells bad times of a kind apart: the incident's
    id in the team's ticket system (the day, when none is given), `pilot:<id>` or `idea:<id>`.
    One bad time per account, kind and reference, so that recording it again (a double submit,
    a re-import, a hook run twice) adds nothing."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bad_times")
    kind = models.CharField(max_length=20, choices=BadTimeKind.choices)
    occurred_on = models.DateField()
    reference = models.CharField(max_length=100, validators=[validate_single_line])
    note = models.TextField(blank=True)
    source = models.CharField(
        max_length=10, choices=BadTimeSource.choices, default=BadTimeSource.MANUAL
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "reference", "account"],
                name="one_bad_time_per_kind_reference_account",
            ),
            models.CheckConstraint(
                condition=~models.Q(reference=""), name="bad_time_reference_given"
            ),
        ]
        indexes = [models.Index(fields=["occurred_on"], name="bad_time_occurred_on")]

    def __str__(self) -> str:
        return f"{self.account} {self.get_kind_display()} on {self.occurred_on}"
