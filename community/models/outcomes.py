"""Loyalty outcomes and the CSV imports that bring them (and accounts) in."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import Account, TimeStamped
from config.single_line import validate_single_line


class OutcomeKind(models.TextChoices):
    RENEWED = "renewed", "Renewed"
    EXPANDED = "expanded", "Expanded"
    CONTRACTED = "contracted", "Contracted"
    CHURNED = "churned", "Churned"
    REFERRED = "referred", "Referred"
    ADVOCATED = "advocated", "Advocated (reference call, case study)"


# Outcomes whose amount (the change in annual contract value) must be given; others have none.
OUTCOME_KINDS_WITH_AMOUNT = (OutcomeKind.EXPANDED, OutcomeKind.CONTRACTED)


class OutcomeSource(models.TextChoices):
    MANUAL = "manual", "Recorded by hand"
    IMPORT = "import", "Imported"


class LoyaltyOutcome(TimeStamped):
    """A loyalty behaviour of an account (B in A → C → B), recorded by its team or imported.

    One outcome per account, kind, day and external id: an import matches a row to an outcome
    by these four (the CRM's id when it has one, else "" — then one such outcome per day), so
    importing the same file again changes nothing."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="loyalty_outcomes")
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    occurred_on = models.DateField()
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The change in annual contract value; only for expanded and contracted.",
    )
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(
        max_length=10, choices=OutcomeSource.choices, default=OutcomeSource.MANUAL
    )
    external_id = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text="The id in the system it was imported from.",
    )

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "occurred_on", "external_id"],
                name="one_outcome_per_account_kind_day_external_id",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind__in=[k.value for k in OUTCOME_KINDS_WITH_AMOUNT],
                        amount__isnull=False,
                        amount__gt=0,
                    )
                    | (
                        ~models.Q(kind__in=[k.value for k in OUTCOME_KINDS_WITH_AMOUNT])
                        & models.Q(amount__isnull=True)
                    )
                ),
                name="outcome_amount_only_for_expanded_contracted",
            ),
        ]
        indexes = [models.Index(fields=["occurred_on"], name="outcome_occurred_on")]

    def __str__(self) -> str:
        return f"{self.account} {self.get_kind_display()} on {self.occurred_on}"

    @property
    def change_in_value(self):
        """The change in annual contract value as pages show it: a contraction is negative (the
        stored amount is always the size of the change, more than 0); None without an amount."""
        if self.amount is None:
            return None
        return -self.amount if self.kind == OutcomeKind.CONTRACTED else self.amount

    def clean(self) -> None:
        if self.kind in OUTCOME_KINDS_WITH_AMOUNT:
            if self.amount is None:
                raise ValidationError(
                    {"amount": "Give the amount for an expansion or contraction."}
                )
            if self.amount <= 0:
                raise ValidationError({"amount": "The amount must be more than 0."})
        elif self.amount is not None:
            raise ValidationError({"amount": "Only expansions and contractions have an amount."})


class ImportKind(models.TextChoices):
    OUTCOMES = "outcomes", "Loyalty outcomes"
    ACCOUNTS = "accounts", "Accounts (CRM export)"
    BAD_TIMES = "bad_times", "Bad times (incidents)"


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", "Imported"
    REJECTED = "rejected", "Rejected (nothing imported)"


class ImportBatch(models.Model):
    """One CSV upload and what became of it. A rejected file imports nothing; its row-level
    problems are kept here for the downloadable error report: the first 1,000 in `errors`
    (community.services.import_reading), all of them counted in `error_count`."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    status = models.CharField(max_length=20, choices=ImportStatus.choices)
    file_name = models.CharField(max_length=255, blank=True, validators=[validate_single_line])
    file_sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="The first problems: [{row, column, problem}]."
    )
    error_count = models.PositiveIntegerField(default=0, help_text="Every problem found.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.created_at:%Y-%m-%d %H:%M}: {self.status}"

    @property
    def imported(self) -> bool:
        return self.status == ImportStatus.IMPORTED

    @property
    def problems_summary(self) -> str:
        """What a rejected file's answer says, on the page, in the API and the error report:
        how many problems it lists of how many, and what to do."""
        shown, total = len(self.errors), max(self.error_count, len(self.errors))
        if shown < total:
            return f"{shown:,} of {total:,} problems shown; fix these and upload the file again."
        problems = "the problem" if total == 1 else f"the {total:,} problems"
        return f"Fix {problems} and upload the file again."
