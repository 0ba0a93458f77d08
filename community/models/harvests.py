"""Harvests: what was learnt in a garden (from a pilot or a discussion), carried to customers —
including accounts that are not in the garden — and who read it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from accounts.models import Account, TimeStamped
from community.models.gardens import Garden
from config.single_line import validate_single_line


class HarvestKind(models.TextChoices):
    YOU_SAID_WE_DID = "you_said_we_did", "You said, we did"
    PLAYBOOK = "playbook", "Playbook"
    RESULT = "result", "Result"


class HarvestAudience(models.TextChoices):
    GARDEN = "garden", "The garden's accounts"
    SEGMENTS = "segments", "Customer segments"
    ALL = "all", "All customers"


class Harvest(TimeStamped):
    """A learning stewards publish: "you said, we did", a playbook or a result.

    `garden` is where it comes from (none: a programme-wide harvest). `audience` says whom it
    reaches: the garden's accounts, the accounts of some `segments` (accounts.models.Segment
    values, a JSON list so it works on SQLite and PostgreSQL), or every customer account.
    A draft has no `published_at`; only published harvests reach customers."""

    title = models.CharField(max_length=200, validators=[validate_single_line])
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(
        max_length=500, help_text="One or two sentences shown in the feed and in notifications."
    )
    body = models.TextField(blank=True, help_text="Markdown (no HTML).")
    kind = models.CharField(max_length=20, choices=HarvestKind.choices)
    garden = models.ForeignKey(
        Garden,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="harvests",
        help_text="The garden it comes from.",
    )
    audience = models.CharField(
        max_length=20, choices=HarvestAudience.choices, default=HarvestAudience.GARDEN
    )
    segments = models.JSONField(
        default=list,
        blank=True,
        help_text="The accounts.models.Segment values it targets (audience: segments).",
    )
    source_thread = models.ForeignKey(
        "community.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="harvests",
        help_text="The discussion it comes from.",
    )
    source_pilot_ref = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The ideas pilot it comes from. Not a foreign key: community does not "
        "depend on ideas.",
    )
    source_url = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_single_line],
        help_text="A link to the source page (path or http(s) URL).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="harvests_created",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="harvests_published",
    )
    published_at = models.DateTimeField(null=True, blank=True, help_text="Empty: a draft.")
    inspired_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="harvests_inspired",
        help_text="The people whose feedback or posts it came from.",
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["published_at"], name="harvest_published"),
            models.Index(fields=["garden", "published_at"], name="harvest_garden_published"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def get_absolute_url(self) -> str:
        return reverse("community:harvest-detail", kwargs={"slug": self.slug})


class HarvestRead(models.Model):
    """A person read a harvest (once: the first read counts). `outside_garden`: whether the
    account took part in the harvest's garden then, so stewards see how far a harvest
    travelled even after reading it moved the account into the garden. (The account's level
    when it read is read from its engagement history, as it stands: harvest_reach.)"""

    harvest = models.ForeignKey(Harvest, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="harvest_reads"
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="harvest_reads",
        help_text="The reader's account (none for internal users).",
    )
    outside_garden = models.BooleanField(
        default=False,
        help_text="The reader's account did not take part in the harvest's garden when it read.",
    )
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["-read_at"]
        constraints = [
            models.UniqueConstraint(fields=["harvest", "user"], name="harvest_read_once")
        ]
        indexes = [models.Index(fields=["harvest", "account"], name="harvest_read_account")]

    def __str__(self) -> str:
        return f"{self.user} read {self.harvest}"
