"""Alerts for account teams and how they reach people."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.formats import format_date
from accounts.models import Account
from community.models.engagement import LEVEL_LABELS


class AlertReason(models.TextChoices):
    LEVEL_DROPPED = "level_dropped", "Level dropped"
    SCORE_FELL = "score_fell", "Score fell sharply"
    SILENT_BEFORE_RENEWAL = "silent_before_renewal", "Silent before renewal"


class AlertResolution(models.TextChoices):
    BY_PERSON = "person", "Resolved by a person"
    NO_LONGER_TRUE = "no_longer_true", "No longer true"


class Alert(models.Model):
    """Something an account team should act on, raised by the engine after a recompute
    (community.services.alerts). At most one open alert per account and reason; a person
    acknowledges it ("seen, on it") and resolves it with a note, or the engine resolves it as
    no longer true (`resolution`), with the reason in words as its note.

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
    resolution = models.CharField(
        max_length=20,
        choices=AlertResolution.choices,
        blank=True,
        help_text="How it was resolved: by a person, or by the engine as no longer true.",
    )

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
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolution="")
                | (models.Q(resolved_at__isnull=False) & ~models.Q(resolution="")),
                name="resolved_alert_says_how",
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
    def resolved_as_no_longer_true(self) -> bool:
        return self.resolution == AlertResolution.NO_LONGER_TRUE

    @property
    def summary(self) -> str:
        """The alert in words, from its details (what was true when it was raised)."""
        return alert_summary(reason=self.reason, details=self.details or {})


def alert_summary(*, reason: str, details: dict) -> str:
    """An alert in words from its details; the inbox passes the present last activity for
    "silent since" (community.selectors.alerts.alert_status)."""
    d = details
    if reason == AlertReason.LEVEL_DROPPED:
        before = alert_level_label(d.get("from_level"))
        after = alert_level_label(d.get("to_level"))
        return f"Level dropped from {before} to {after} on {alert_day_label(d.get('day'))}."
    if reason == AlertReason.SCORE_FELL:
        return (
            f"Score fell {d.get('points', '?')} points in {d.get('days', '?')} days "
            f"(from {d.get('peak_score', '?')} to {d.get('score', '?')})."
        )
    if reason == AlertReason.SILENT_BEFORE_RENEWAL:
        last = d.get("last_activity")
        days = d.get("silent_days", "?")
        silent = f"since {alert_day_label(last)} ({days}+ days)" if last else "yet"
        return (
            f"No customer activity {silent}; renewal on {alert_day_label(d.get('renewal_date'))}."
        )
    return AlertReason(reason).label if reason in AlertReason.values else reason


def alert_level_label(level: str | None) -> str:
    label = LEVEL_LABELS.get(level) if isinstance(level, str) else None
    return label if label is not None else str(level)


def alert_day_label(day: dt.date | str | None) -> str:
    """A day as alerts write it: 3 Dec 2026 (ISO strings of the details too)."""
    return format_date(day, empty="?")


class AlertDigestMark(models.Model):
    """How far one person's daily digest of engagement alerts has got: the next one lists the
    alerts raised after `last_digest_at` (and after the person chose the digest). Written by the
    digest job only, as its bookkeeping; whether the person wants the digest at all is their
    NotificationPreference for "engagement_alert" (delivery "daily"), the one store of that
    choice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_digest_mark"
    )
    last_digest_at = models.DateTimeField(
        null=True, blank=True, help_text="The last digest covered the alerts raised until then."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user"]

    def __str__(self) -> str:
        return f"{self.user}: alert digest until {self.last_digest_at or 'never'}"
