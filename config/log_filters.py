"""Filters of the site's log (LOGGING in config/settings/base.py).

A refused request (403, 404, 405, 400…) is an ordinary event: Django logs it as a warning and,
for a PermissionDenied or a SuspiciousOperation, with the exception's traceback. The warning
stays, on one line ("Forbidden (Permission denied): /ideas/board/"); the traceback is dropped.
Server errors (5xx) keep theirs.
"""

from __future__ import annotations

import logging

_REQUEST_LOGGERS = ("django.request", "django.security")


class ClientErrorsOnOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        client_error = status is not None and 400 <= status < 500
        security = record.name.startswith("django.security")
        if record.name.startswith(_REQUEST_LOGGERS) and (client_error or security):
            record.exc_info = None
            record.exc_text = None
        return True
