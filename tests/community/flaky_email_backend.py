"""An email backend that fails its first `failures` sends like a dropped SMTP connection, for
the notification modules' retry tests (select it with EMAIL_BACKEND)."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """Fails the first `failures` sends like a dropped SMTP connection, then delivers."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
