"""Gardens: the topic spaces customers join."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, TimeStamped
from config.single_line import validate_single_line


class GardenTheme(models.TextChoices):
    CUSTOMER_JOURNEY = "customer_journey", "Customer journey"
    CONTEXT_OF_USE = "context_of_use", "Context of use"
    DEEP_PURPOSE = "deep_purpose", "Deep purpose"
    CUSTOMER_SUCCESS = "customer_success", "Customer success"
    COST_AND_REVENUE = "cost_and_revenue", "Cost and revenue"
    ADAPTATION = "adaptation", "Adaptation"
    DATA_SUPPLY = "data_supply", "Data supply"
    LONG_TERM_FIT = "long_term_fit", "Long-term fit"
    ROBUSTNESS = "robustness", "Robustness"
    CUSTOM = "custom", "Custom"


class GardenVisibility(models.TextChoices):
    OPEN = "open", "Open to all customer accounts"
    INVITE_ONLY = "invite_only", "Invite-only"


class Garden(TimeStamped):
    """A topic space where ideas, scenarios and services are tried out with customers."""

    name = models.CharField(max_length=200, validators=[validate_single_line])
    slug = models.SlugField(max_length=200, unique=True)
    theme = models.CharField(max_length=30, choices=GardenTheme.choices)
    custom_theme = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text="The theme's name when the theme is Custom.",
    )
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=20, choices=GardenVisibility.choices, default=GardenVisibility.OPEN
    )
    charter = models.TextField(
        blank=True,
        help_text="How ideas are proposed and decided here, what participants give and get.",
    )
    stewards = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="stewarded_gardens",
        help_text="Internal users who look after the garden: moderate, publish harvests.",
    )
    shows_other_members = models.BooleanField(
        default=False,
        help_text="Members of other accounts see each other by first name and account. "
        "Off: customers see no one of another account.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gardens_created",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def theme_label(self) -> str:
        return theme_label(self.theme, self.custom_theme)

    def get_absolute_url(self) -> str:
        return reverse("community:garden-detail", kwargs={"slug": self.slug})


# A theme's label (as get_theme_display gives it: the value itself for an unknown one).
_THEME_LABELS = dict(GardenTheme.choices)


def theme_label(theme: str, custom_theme: str) -> str:
    """How a garden's theme is named: a custom theme by its own name (when it has one), every
    other by its label."""
    if theme == GardenTheme.CUSTOM and custom_theme:
        return custom_theme
    return _THEME_LABELS.get(theme, theme)


class GardenAccountStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class GardenAccount(TimeStamped):
    """An account's place in an invite-only garden: invited by a programme admin or steward,
    accepted (or declined) by the account's admin for the whole account. Open gardens need no
    row: every customer account may take part."""

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="garden_accounts")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="garden_accounts")
    status = models.CharField(
        max_length=20, choices=GardenAccountStatus.choices, default=GardenAccountStatus.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["garden", "account"]
        constraints = [
            models.UniqueConstraint(fields=["garden", "account"], name="garden_account_once")
        ]

    def __str__(self) -> str:
        return f"{self.account} in {self.garden}: {self.get_status_display()}"


class GardenMembership(models.Model):
    """A customer who joined a garden (they join and leave themselves). Internal users need no
    membership: they see every garden."""

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="garden_memberships"
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="garden_memberships",
        help_text="The member's account when they joined (tenancy filters use it).",
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["garden", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["garden", "user"], name="garden_member_once")
        ]
        indexes = [models.Index(fields=["account", "garden"], name="garden_member_account")]

    def __str__(self) -> str:
        return f"{self.user} in {self.garden}"
