"""Helpers for the PostgreSQL race tests (the concurrency modules of community and ideas)."""

from __future__ import annotations

import time

from django.db import connection


def someone_waits_for_a_lock(timeout: float = 10.0) -> bool:
    """True once another connection waits for a lock (polled, not slept through)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False
