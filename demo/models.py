"""What the demo keeps: the emails it sent (demo/mail.py), so they can be read in the browser
at /demo/emails/ instead of in the log. Nothing of the product reads or writes this table."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SentEmail(models.Model):
    """One email as one recipient got it (an email to two people is two rows, each shown only
    to its own recipient): its headers, its plain text and its HTML part, if it had one."""

    recipient = models.EmailField(max_length=254, db_index=True)  # the address, lower case
    to = models.TextField()  # the To header as sent (every recipient's address)
    from_email = models.CharField(max_length=300)
    subject = models.CharField(max_length=1000)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"
