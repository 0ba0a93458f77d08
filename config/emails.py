"""What every app's emails share: a subject on one line, and which sending failures are final.

A failure no retry can mend (Django's BadHeaderError, an address or header that cannot be
encoded: each a ValueError) is recorded on the row being sent, with a short reason staff see in
the Django admin, and not raised: the row is never retried and never silently lost. Everything
else (SMTP errors and lost connections are OSErrors) is raised, and the task's retry policy
retries it; once the retries are spent the task records that too.
"""

from __future__ import annotations

from config.single_line import single_line

# Failures that sending again would only repeat.
PERMANENT_EMAIL_FAILURES = (ValueError,)

# The longest reason stored on a row (a CharField of this length).
FAILURE_REASON_LENGTH = 300


def email_subject(text: str) -> str:
    """A subject line: the text on one line whatever it holds (config.single_line)."""
    return single_line(text)


def email_failure_reason(error: BaseException) -> str:
    """A short, single-line reason for staff: the error's kind and message."""
    reason = single_line(f"{type(error).__name__}: {error}")
    if len(reason) > FAILURE_REASON_LENGTH:
        reason = reason[: FAILURE_REASON_LENGTH - 1] + "…"
    return reason
