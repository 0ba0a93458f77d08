"""Gardens and the activity events engagement is computed from."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
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
    pilot_ref = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="For pilot events (enrolled, expectation or feedback given): the id of the "
        "ideas pilot they belong to. Not a foreign key: community does not depend on ideas.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["account", "occurred_at"], name="activity_account_time"),
            models.Index(fields=["occurred_at"], name="activity_time"),
            # The incremental recompute looks for events recorded since its last run.
            models.Index(fields=["created_at"], name="activity_recorded"),
            # The engagement engine reads a chunk of accounts' events from indexes alone
            # (index-only scans): everything it needs is in the keys.
            models.Index(
                fields=["account", "occurred_at", "kind", "user", "is_support"],
                name="activity_engagement",
            ),
            models.Index(
                fields=["account", "occurred_at", "kind", "pilot_ref", "is_support"],
                condition=models.Q(pilot_ref__isnull=False),
                name="activity_pilot_events",
            ),
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
}


def _default_activity_weights() -> dict[str, float]:
    return {str(kind): weight for kind, weight in DEFAULT_ACTIVITY_WEIGHTS.items()}


class EngagementModel(models.Model):
    """One version of the engagement model of PRODUCT.md: every number of the computation.

    Versions are never edited: a change is a new row (see `community.engagement`), and
    exactly one version is active. Snapshots record the version they were computed with.
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
    model_version = models.PositiveIntegerField(help_text="The EngagementModel version used.")
    level_since = models.DateField(
        null=True, blank=True, help_text="The first day of the run of days at this level."
    )
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


# --- Loyalty outcomes and CSV imports (issue 4) -------------------------------------------


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
        max_length=100, blank=True, help_text="The id in the system it was imported from."
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


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", "Imported"
    REJECTED = "rejected", "Rejected (nothing imported)"


class ImportBatch(models.Model):
    """One CSV upload and what became of it. A rejected file imports nothing; its row-level
    problems are kept here for the downloadable error report."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    status = models.CharField(max_length=20, choices=ImportStatus.choices)
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, problem}]")
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


# --- Alerts ----------------------------------------------------------------------------------


class AlertReason(models.TextChoices):
    LEVEL_DROPPED = "level_dropped", "Level dropped"
    SCORE_FELL = "score_fell", "Score fell sharply"
    SILENT_BEFORE_RENEWAL = "silent_before_renewal", "Silent before renewal"


class Alert(models.Model):
    """Something an account team should act on, raised by the engine after a recompute
    (community.alerts). At most one open alert per account and reason; a person acknowledges
    it ("seen, on it") and resolves it with a note.

    `fingerprint` names the situation (the day of a level drop, the peak a score fell from,
    the renewal an account is silent before): a resolved situation is not raised again, a new
    one is."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="alerts")
    reason = models.CharField(max_length=30, choices=AlertReason.choices)
    details = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=100, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reason"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_alert_per_account_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True) | ~models.Q(resolution_note=""),
                name="resolved_alert_has_note",
            ),
        ]
        indexes = [
            models.Index(
                fields=["raised_at"],
                condition=models.Q(resolved_at__isnull=True),
                name="alert_open_raised",
            ),
            models.Index(fields=["account", "reason", "fingerprint"], name="alert_situation"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.account}"

    @property
    def state(self) -> str:
        if self.resolved_at:
            return "resolved"
        if self.acknowledged_at:
            return "acknowledged"
        return "new"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def summary(self) -> str:
        """The alert in words, from its details."""
        d = self.details or {}
        if self.reason == AlertReason.LEVEL_DROPPED:
            before = _alert_level_label(d.get("from_level"))
            after = _alert_level_label(d.get("to_level"))
            return f"Level dropped from {before} to {after} on {d.get('day', '?')}."
        if self.reason == AlertReason.SCORE_FELL:
            return (
                f"Score fell {d.get('points', '?')} points in {d.get('days', '?')} days "
                f"(from {d.get('peak_score', '?')} to {d.get('score', '?')})."
            )
        if self.reason == AlertReason.SILENT_BEFORE_RENEWAL:
            last = d.get("last_activity") or "never"
            return (
                f"No customer activity for {d.get('silent_days', '?')}+ days (last: {last}); "
                f"renewal on {d.get('renewal_date', '?')}."
            )
        return self.get_reason_display()


def _alert_level_label(level: str | None) -> str:
    return EngagementLevel(level).label if level in EngagementLevel.values else str(level)


class AlertSubscription(models.Model):
    """A person's choice of how new alerts reach them: one email each (default) or one daily
    digest email (the in-app notifications come either way)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscription"
    )
    daily_digest = models.BooleanField(default=False)
    last_digest_at = models.DateTimeField(
        null=True, blank=True, help_text="The digest covers alerts raised after this moment."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user"]

    def __str__(self) -> str:
        return f"{self.user}: {'daily digest' if self.daily_digest else 'each alert'}"


# --- Webhooks --------------------------------------------------------------------------------


class WebhookEndpoint(models.Model):
    """A URL new alerts are posted to (JSON, signed with `secret`: community.webhooks).
    The secret is shown once, when it is created or rotated; deactivated endpoints get nothing
    new but keep their delivery log."""

    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-active", "url", "pk"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookEvent(models.TextChoices):
    ALERT_RAISED = "alert.raised", "Alert raised"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event posted to one endpoint: at most one per endpoint, alert and event, so a
    re-run of the engine never posts twice. A worker claims it for a short lease
    (`locked_until`) before each attempt."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="webhook_deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "alert", "event"], name="one_webhook_delivery_per_event"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="webhook_delivery_status")]

    def __str__(self) -> str:
        return f"{self.event} #{self.alert_id} → {self.endpoint}: {self.status}"
