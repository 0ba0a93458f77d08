"""The demo's email backend: each message Django sends is kept (demo.models.SentEmail, one row
per recipient) and announced in the log with one line and the address to read it, instead of
its whole body (the console backend). The emails are made by the same code as in production
(the services' EmailMultiAlternatives); only their delivery differs. Dev and demo settings use
it when DEMO_EMAILS is on (config/settings/dev.py); the page is demo/views.py.
"""

from __future__ import annotations

import logging
from email.utils import getaddresses

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.urls import reverse

from demo.models import SentEmail

logger = logging.getLogger(__name__)


def _parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a message (either may be empty)."""
    if message.content_subtype == "html":
        return "", str(message.body)
    alternatives = getattr(message, "alternatives", [])
    html = next((str(content) for content, kind in alternatives if kind == "text/html"), "")
    return str(message.body), html


def _addresses(message: EmailMessage) -> list[str]:
    found = [address.strip().lower() for _, address in getaddresses(message.recipients())]
    return list(dict.fromkeys(address for address in found if address))


class SentEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            recipients = _addresses(message)
            if not recipients:
                continue
            text, html = _parts(message)
            to = ", ".join(str(address) for address in message.to)
            rows = SentEmail.objects.bulk_create(
                SentEmail(
                    recipient=recipient,
                    to=to,
                    from_email=str(message.from_email or settings.DEFAULT_FROM_EMAIL),
                    subject=str(message.subject)[:1000],
                    text=text,
                    html=html,
                )
                for recipient in recipients
            )
            first = rows[0].pk  # set by bulk_create on PostgreSQL and SQLite
            where = ("demo:sent-email", [first]) if first else ("demo:sent-emails", [])
            url = settings.SITE_URL + reverse(where[0], args=where[1])
            logger.info("Email to %s: %s (read it at %s)", to, message.subject, url)
            sent += 1
        return sent
