"""Email backends for the notification modules' failure tests (select one with EMAIL_BACKEND):
one fails its first `failures` sends like a dropped SMTP connection (retried), the other
refuses every message like a header Django refuses (a failure no retry can mend)."""

from __future__ import annotations

import smtplib

from django.core.mail import BadHeaderError
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


class RefusingBackend(EmailBackend):
    """Refuses every message as Django refuses a header with a line break in it."""

    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        raise BadHeaderError("Header values can't contain newlines")
