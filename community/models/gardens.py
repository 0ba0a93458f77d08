"""Gardens: the topic spaces customers join."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from accounts.models import TimeStamped


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

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    theme = models.CharField(max_length=30, choices=GardenTheme.choices)
    custom_theme = models.CharField(
        max_length=100, blank=True, help_text="The theme's name when the theme is Custom."
    )
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=20, choices=GardenVisibility.choices, default=GardenVisibility.OPEN
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def theme_label(self) -> str:
        if self.theme == GardenTheme.CUSTOM and self.custom_theme:
            return self.custom_theme
        return self.get_theme_display()

    def get_absolute_url(self) -> str:
        return reverse("community:garden-detail", kwargs={"slug": self.slug})
