"""Activity events: what the engagement engine computes from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Account


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
    # Offline, recorded by the account team for the customer (OfflineEvent).
    REFERENCE_CALL = "reference_call", "Reference call"
    EXECUTIVE_MEETING = "executive_meeting", "Executive meeting"
    # Support only: an internal user closed the loop on an account's idea ("you said, we did").
    LOOP_CLOSED = "loop_closed", "Loop closed"


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


class OfflineEvent(models.Model):
    """What a customer did outside the product (attended a workshop, took a reference call,
    met our executives), as its account team recorded it. The engagement engine counts the
    `event` (a customer event, not a support one); this row keeps who recorded it and why."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="offline_events")
    event = models.OneToOneField(
        ActivityEvent, on_delete=models.CASCADE, related_name="offline_record"
    )
    kind = models.CharField(max_length=30, choices=ActivityKind.choices)
    occurred_on = models.DateField()
    note = models.TextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offline_events_recorded",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.account} on {self.occurred_on}"
