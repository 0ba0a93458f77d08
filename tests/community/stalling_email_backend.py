"""An email backend for tests with real worker processes, selected by EMAIL_BACKEND in the
worker's environment: each message the "server" accepts becomes one file `<n>.eml` under
EMAIL_FILE_PATH, and the hand-off of a message to MAIL_STALL_TO stalls before it is accepted (as
a slow SMTP conversation would), after writing the file MAIL_STALL_MARKER, so that the test can
kill the worker in the middle of it."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, messages) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            if os.environ.get("MAIL_STALL_TO") in message.to:
                Path(os.environ["MAIL_STALL_MARKER"]).write_text(str(os.getpid()))
                time.sleep(300)  # until the test kills the worker
            name = f"{time.time_ns()}-{uuid.uuid4().hex[:6]}"
            (folder / f"{name}.tmp").write_bytes(message.message().as_bytes())
            (folder / f"{name}.tmp").rename(folder / f"{name}.eml")  # whole files only
        return len(messages)
