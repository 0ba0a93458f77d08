"""Reminders sent for due check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ideas.models.feedback import CheckIn


class Reminder(models.Model):
    """A reminder sent for a due check-in (for the 3-day spacing and the 30-day cap)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_reminders"
    )
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["user", "sent_at"], name="reminder_user_time")]

    def __str__(self) -> str:
        return f"Reminder to {self.user} for {self.check_in_id}"
