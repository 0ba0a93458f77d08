"""Notifications: what a person is told, in the app and by email, how each person wants each
kind delivered, and the digests that gather the ones they asked to get in a daily or weekly email.

The kinds, their labels and default delivery live in community/notification_kinds.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from community.notification_kinds import Delivery


class DigestPeriod(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class NotificationDigest(models.Model):
    """One digest email per person and period (the day, or the week starting on Monday).

    The row is the claim: the jobs insert it (unique per user, period and start, so a second or
    a concurrent run inserts nothing), then the sender claims it by an UPDATE on `claimed_at`
    (fresh claims are left alone) and sets `sent_at` once the email is out; the notifications
    it holds point at it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    period = models.CharField(max_length=10, choices=DigestPeriod.choices)
    period_start = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "period_start"], name="one_digest_per_user_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_period_display()} digest of {self.period_start}"


class Notification(models.Model):
    """Something a person is told, in the app and (unless turned off) by email.

    `email_delivery` is how its email goes, decided when it is made (from the person's
    preference for its kind): immediately (one email task), daily or weekly (a digest job
    gathers it), off, or empty (no email wanted: the caller said so, or emails were suppressed).
    `email_claimed_at` is the sender's claim, so that two runs of the task never both send."""

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
    email_delivery = models.CharField(
        max_length=12, choices=Delivery.choices, blank=True, default=""
    )
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        NotificationDigest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(
                fields=["email_delivery", "user"],
                condition=models.Q(emailed_at__isnull=True, email_delivery__in=["daily", "weekly"]),
                name="notification_digest_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"


class NotificationPreference(models.Model):
    """How one person wants the emails of one kind: immediately, in the daily or weekly digest,
    or off (the in-app notification comes in every case). No row: the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=12, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"
