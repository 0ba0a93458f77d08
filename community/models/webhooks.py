"""Outgoing webhooks and their delivery log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from community.models.alerts import Alert
from config.field_encryption import EncryptedTextField
from config.single_line import validate_single_line


class WebhookEndpoint(models.Model):
    """A URL the events are posted to (JSON, signed with `secret` in the Standard Webhooks
    format: community/webhook_signing.py). The secret is shown once, when it is created or
    rotated; deactivated endpoints get nothing new but keep their delivery log.

    Until `rotation_ends_at` (a rotation period) posts are signed with `previous_secret` too,
    and still carry the old-style X-Garden-* headers."""

    url = models.URLField(max_length=500, validators=[validate_single_line])
    # Both secrets sign posts, so they are kept encrypted, not hashed (config/field_encryption.py).
    secret = EncryptedTextField()
    previous_secret = EncryptedTextField(
        blank=True,
        help_text="The secret before the last rotation: it still signs until rotation_ends_at.",
    )
    rotation_ends_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Until then, posts are signed with the previous secret too and carry the "
        "old-style X-Garden-* headers as well as the standard ones.",
    )
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
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

    def in_rotation(self, now: dt.datetime) -> bool:
        """Is `now` within a rotation period (old and new signatures both sent)?"""
        return self.rotation_ends_at is not None and now < self.rotation_ends_at


class WebhookEvent(models.TextChoices):
    """What is posted; each event's JSON is described by docs/webhooks/schemas/<event>.json."""

    ALERT_RAISED = "alert.raised", "Alert raised"
    ALERT_RESOLVED = "alert.resolved", "Alert resolved"
    LEVEL_CHANGED = "engagement.level_changed", "Engagement level changed"
    PILOT_DECIDED = "pilot.decided", "Pilot decided"
    OUTCOME_RECORDED = "outcome.recorded", "Outcome recorded"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event posted to one endpoint: at most one per endpoint, event and subject (what it
    is about), so a re-run never posts twice; every attempt carries the same `message_id`
    (the webhook-id header), so a receiver can tell a repeat. A worker claims it for a short
    lease (`locked_until`) before each attempt, once it is due (`next_attempt_at`)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    alert = models.ForeignKey(
        Alert,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
        help_text="The alert of an alert event.",
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    subject = models.CharField(
        max_length=100,
        help_text="What the event is about, one per event: the alert's, pilot's or outcome's "
        "id; for a level change the account, day and new level.",
    )
    summary = models.CharField(max_length=200, blank=True, help_text="For the delivery log.")
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
    next_attempt_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the next attempt of a pending delivery is due. One still pending long "
        "after that lost its task: the recovery beat queues it again.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "subject"], name="one_webhook_delivery_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="webhook_delivery_status"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.subject} → {self.endpoint}: {self.status}"

    @property
    def message_id(self) -> str:
        """The webhook-id header: the same at every attempt of this delivery."""
        return f"msg_{self.pk}"
