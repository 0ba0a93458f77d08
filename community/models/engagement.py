"""The engagement model (versioned), its runs and the daily snapshots per account."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import Account
from community.models.activity import ActivityKind


class EngagementLevel(models.TextChoices):
    """Levels of docs/product.md, lowest first; a threshold is the score at which a level starts."""

    DORMANT = "dormant", "Dormant"
    OBSERVING = "observing", "Observing"
    PARTICIPATING = "participating", "Participating"
    CONTRIBUTING = "contributing", "Contributing"
    CO_CREATING = "co_creating", "Co-creating"

    @classmethod
    def rank(cls, level: str | None) -> int:
        """0 for Dormant (and for an account not computed yet) up to 4 for Co-creating."""
        return _LEVEL_RANKS.get(level, 0) if isinstance(level, str) else 0


# Each level's rank, its place among the levels (read once: `EngagementLevel.values` builds
# its list again on every read).
_LEVEL_RANKS: dict[str, int] = {level: rank for rank, level in enumerate(EngagementLevel.values)}
# Each level's label, read once for the same reason.
LEVEL_LABELS: dict[str, str] = {level.value: level.label for level in EngagementLevel}


DEFAULT_ACTIVITY_WEIGHTS: dict[str, float] = {
    ActivityKind.VISIT: 1,
    ActivityKind.HARVEST_READ: 1,
    ActivityKind.VOTE: 2,
    ActivityKind.COMMENT: 3,
    ActivityKind.DISCUSSION_POST: 4,
    ActivityKind.EXPECTATION_GIVEN: 4,
    ActivityKind.PILOT_ENROLLED: 5,
    ActivityKind.WORKSHOP_ATTENDED: 6,
    ActivityKind.IDEA_PROPOSED: 6,
    ActivityKind.FEEDBACK_GIVEN: 8,
    ActivityKind.REFERRAL: 10,
    # Offline kinds not in the first list of weights (see docs/product.md): weighed like the
    # nearest kind there (a reference call like a referral, an executive meeting like a
    # workshop). Kinds a version leaves out weigh 0.
    ActivityKind.REFERENCE_CALL: 10,
    ActivityKind.EXECUTIVE_MEETING: 6,
}


def _default_activity_weights() -> dict[str, float]:
    return {str(kind): weight for kind, weight in DEFAULT_ACTIVITY_WEIGHTS.items()}


# The note of version 1, as the versions list shows it.
DEFAULTS_NOTE = "The product's defaults (docs/product.md, “The engagement model”)."


class EngagementModelManager(models.Manager):
    def active(self) -> EngagementModel:
        """The active version. There is always one: version 1, with the defaults of
        docs/product.md, is made by a migration, and made again here should the table have
        been emptied (a flushed test database)."""
        model = self.filter(is_active=True).first()
        if model is None:
            model, _ = self.get_or_create(
                version=1,
                defaults={
                    "is_active": True,
                    "note": DEFAULTS_NOTE,
                    "activated_at": timezone.now(),
                },
            )
        return model


class EngagementModel(models.Model):
    """One version of the engagement model of docs/product.md: every number of the computation.

    Versions are never edited: a change is a new row (see `community.services.engagement_model`),
    and exactly one version is active. Snapshots record the version they were computed with.
    """

    version = models.PositiveIntegerField(unique=True)
    is_active = models.BooleanField(default=False)
    weights = models.JSONField(
        default=_default_activity_weights,
        help_text="Weight per activity kind; kinds left out weigh 0.",
    )
    half_life_days = models.FloatField(default=30)
    window_days = models.PositiveIntegerField(default=180, help_text="Activity window.")
    activity_scale = models.FloatField(default=40)
    breadth_window_days = models.PositiveIntegerField(default=30)
    breadth_min_members = models.PositiveIntegerField(default=3)
    breadth_share = models.FloatField(default=0.30)
    co_creation_window_days = models.PositiveIntegerField(default=365)
    weight_activity = models.FloatField(default=0.5)
    weight_breadth = models.FloatField(default=0.25)
    weight_co_creation = models.FloatField(default=0.25)
    threshold_observing = models.FloatField(default=10)
    threshold_participating = models.FloatField(default=30)
    threshold_contributing = models.FloatField(default=50)
    threshold_co_creating = models.FloatField(default=70)
    low_water_ratio = models.FloatField(
        default=0.9, help_text="Demotion only below this share of the current level's threshold."
    )
    hold_days = models.PositiveIntegerField(
        default=14, help_text="…and only once the current level has held this many days."
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    activated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When this version became the active one: it computes the days from then on.",
    )

    objects = EngagementModelManager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_engagement_model",
            ),
            models.CheckConstraint(
                condition=models.Q(half_life_days__gt=0, activity_scale__gt=0),
                name="engagement_model_positive_scales",
            ),
        ]

    def __str__(self) -> str:
        return f"Engagement model v{self.version}" + (" (active)" if self.is_active else "")

    @property
    def thresholds(self) -> list[float]:
        """The score at which each level starts, lowest level (Dormant, 0) first."""
        return [
            0.0,
            self.threshold_observing,
            self.threshold_participating,
            self.threshold_contributing,
            self.threshold_co_creating,
        ]

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        weights = self.weights if isinstance(self.weights, dict) else None
        if weights is None:
            errors.setdefault("weights", []).append("Give a weight per activity kind.")
        else:
            unknown = sorted(set(weights) - set(ActivityKind.values))
            if unknown:
                errors.setdefault("weights", []).append(
                    f"Unknown activity kinds: {', '.join(unknown)}."
                )
            for kind, weight in weights.items():
                if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0:
                    errors.setdefault("weights", []).append(
                        f"The weight of {kind} must be a number of 0 or more."
                    )
        for name in ("half_life_days", "activity_scale"):
            if getattr(self, name) is not None and getattr(self, name) <= 0:
                errors.setdefault(name, []).append("Must be more than 0.")
        for name in ("window_days", "breadth_window_days", "co_creation_window_days"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                errors.setdefault(name, []).append("Must be at least one day.")
        for name in ("breadth_share", "low_water_ratio"):
            value = getattr(self, name)
            if value is not None and not 0 < value <= 1:
                errors.setdefault(name, []).append("Must be more than 0 and at most 1.")
        components = ("weight_activity", "weight_breadth", "weight_co_creation")
        values = [getattr(self, name) for name in components]
        for name, value in zip(components, values, strict=True):
            if value is not None and value < 0:
                errors.setdefault(name, []).append("Must be 0 or more.")
        if None not in values and abs(sum(values) - 1) > 1e-9:
            errors.setdefault("weight_activity", []).append(
                "The three component weights must add up to 1."
            )
        thresholds = self.thresholds[1:]
        if None not in thresholds:
            if not 0 < thresholds[0] < thresholds[1] < thresholds[2] < thresholds[3] <= 100:
                errors.setdefault("threshold_observing", []).append(
                    "Level thresholds must increase, from more than 0 up to at most 100."
                )
        if errors:
            raise ValidationError(errors)


class EngagementRunKind(models.TextChoices):
    FULL = "full", "Full"
    INCREMENTAL = "incremental", "Incremental"
    ACCOUNTS = "accounts", "Chosen accounts"


class EngagementRun(models.Model):
    """A recompute started (its chunks run as Celery tasks). The incremental run takes the
    accounts with events created since the previous run started."""

    kind = models.CharField(max_length=20, choices=EngagementRunKind.choices)
    day = models.DateField()
    accounts = models.PositiveIntegerField(default=0)
    chunks = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at", "-pk"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} recompute for {self.day} ({self.accounts} accounts)"


# A snapshot on the day its level changed, or from before level_since was kept (then it may be).
LEVEL_CHANGE = models.Q(day=models.F("level_since")) | models.Q(level_since__isnull=True)


class EngagementSnapshot(models.Model):
    """An account's engagement on one day, as computed by the engine."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="engagement_snapshots"
    )
    day = models.DateField()
    score = models.DecimalField(max_digits=4, decimal_places=1)
    level = models.CharField(max_length=20, choices=EngagementLevel.choices)
    activity = models.FloatField()
    breadth = models.FloatField()
    co_creation = models.FloatField()
    model_version = models.PositiveIntegerField(help_text="The EngagementModel version used.")
    level_since = models.DateField(
        null=True, blank=True, help_text="The first day of the run of days at this level."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    computed_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text="When the engine last computed it: events recorded later are not in it yet.",
    )

    class Meta:
        ordering = ["account", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="one_snapshot_per_account_day"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="snapshot_score_0_100"
            ),
        ]
        indexes = [
            # Every account's score on one day, read as one range of this index without a
            # visit to the table's rows (a pilot's effect reads those of thousands of accounts
            # on the two ends of the 90 days before the pilot). `include` is PostgreSQL's.
            models.Index(
                fields=["day", "account"], include=["score"], name="snapshot_day_account_score"
            ),
            # The days an account's level changed (the engine sets level_since to the day of a
            # change), with the level: which levels an account held in a period is read from
            # these few rows instead of every day's (community.selectors.insights).
            models.Index(
                fields=["day"],
                include=["account", "level"],
                condition=LEVEL_CHANGE,
                name="snapshot_level_change_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.day}: {self.score} ({self.get_level_display()})"


class EngagementRepair(models.Model):
    """An account whose snapshots from `since` on no longer match its events: an event dated
    before today was recorded, or a person who counted in its past left. The scheduled runs
    recompute it from `since` to today and then delete the row (unless it was marked again
    meanwhile: `marked_at` tells)."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="engagement_repair"
    )
    since = models.DateField(help_text="The first day whose snapshot must be recomputed.")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["since", "account"]

    def __str__(self) -> str:
        return f"{self.account_id}: recompute from {self.since}"


# The fields of EngagementModel that make a version (copied into a new one, compared by the
# preview); the rest is bookkeeping.
MODEL_FIELDS = [
    "weights",
    "half_life_days",
    "window_days",
    "activity_scale",
    "breadth_window_days",
    "breadth_min_members",
    "breadth_share",
    "co_creation_window_days",
    "weight_activity",
    "weight_breadth",
    "weight_co_creation",
    "threshold_observing",
    "threshold_participating",
    "threshold_contributing",
    "threshold_co_creating",
    "low_water_ratio",
    "hold_days",
]
