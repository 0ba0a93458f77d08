"""Gardens and the activity events engagement is computed from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, TimeStamped


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


class ActivityKind(models.TextChoices):
    VISIT = "visit", "Visit"
    HARVEST_READ = "harvest_read", "Harvest read"
    VOTE = "vote", "Vote"
    COMMENT = "comment", "Comment"
    DISCUSSION_POST = "discussion_post", "Discussion post"
    EXPECTATION_GIVEN = "expectation_given", "Expectation given"
    PILOT_ENROLLED = "pilot_enrolled", "Pilot enrolled"
    WORKSHOP_ATTENDED = "workshop_attended", "Workshop attended"
    IDEA_PROPOSED = "idea_proposed", "Idea proposed"
    FEEDBACK_GIVEN = "feedback_given", "Feedback given"
    REFERRAL = "referral", "Referral"


class ActivityEvent(models.Model):
    """One meaningful action of an account's people. Engagement is computed from these alone.

    `is_support` marks the account team's own actions for the account, kept apart from the
    customer's engagement. No weight is stored: weights belong to the engagement model.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activity_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity_events",
    )
    kind = models.CharField(max_length=30, choices=ActivityKind.choices)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    is_support = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["account", "occurred_at"], name="activity_account_time"),
            models.Index(fields=["occurred_at"], name="activity_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.account} at {self.occurred_at:%Y-%m-%d}"


class EngagementLevel(models.TextChoices):
    """Levels of PRODUCT.md, lowest first; the threshold is the score at which a level starts."""

    DORMANT = "dormant", "Dormant"
    OBSERVING = "observing", "Observing"
    PARTICIPATING = "participating", "Participating"
    CONTRIBUTING = "contributing", "Contributing"
    CO_CREATING = "co_creating", "Co-creating"

    @classmethod
    def rank(cls, level: str | None) -> int:
        """0 for Dormant (and for an account not computed yet) up to 4 for Co-creating."""
        return cls.values.index(level) if level in cls.values else 0


class EngagementSnapshot(models.Model):
    """An account's engagement on one day, as computed by the engine (see issue 4)."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="engagement_snapshots"
    )
    day = models.DateField()
    score = models.DecimalField(max_digits=4, decimal_places=1)
    level = models.CharField(max_length=20, choices=EngagementLevel.choices)
    activity = models.FloatField()
    breadth = models.FloatField()
    co_creation = models.FloatField()
    model_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["account", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="one_snapshot_per_account_day"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="snapshot_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.day}: {self.score} ({self.get_level_display()})"


class Notification(models.Model):
    """Something a person is told, in the app and (unless turned off) by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"
