"""Outgoing webhooks and their delivery log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from community.models.alerts import Alert
from config.single_line import validate_single_line


class WebhookEndpoint(models.Model):
    """A URL new alerts are posted to (JSON, signed with `secret`: community.services.webhooks).
    The secret is shown once, when it is created or rotated; deactivated endpoints get nothing
    new but keep their delivery log."""

    url = models.URLField(max_length=500, validators=[validate_single_line])
    secret = models.CharField(max_length=100)
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


class WebhookEvent(models.TextChoices):
    ALERT_RAISED = "alert.raised", "Alert raised"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event posted to one endpoint: at most one per endpoint, alert and event, so a
    re-run of the engine never posts twice. A worker claims it for a short lease
    (`locked_until`) before each attempt, once it is due (`next_attempt_at`)."""

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
                fields=["endpoint", "alert", "event"], name="one_webhook_delivery_per_event"
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
        return f"{self.event} #{self.alert_id} → {self.endpoint}: {self.status}"
