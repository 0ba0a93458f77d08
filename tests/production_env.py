"""The production settings as a test sees them: the variables production requires, `manage.py
check` run with them in a fresh process, and settings read from a fresh import (a settings
module reads the environment once, at import). Used by the settings, session and header tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-for-tests-only-0123456789",
    "ALLOWED_HOSTS": "garden.example.com",
    "DATABASE_URL": "postgres://garden@db.internal:5432/garden",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "FIELD_ENCRYPTION_KEYS": "eqDTqYYkB2H92ITTydomlwIDjG9qFFZKmCFd2VfJxxM=",  # a test's own key
}


def manage_check(*extra: str, **overrides: str | None) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in GOOD and k not in ("DEBUG", "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update({k: v for k, v in {**GOOD, **overrides}.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", "check", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


_COOKIE_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS",
    "SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS",
]


def production_settings(*, names: list[str] = _COOKIE_SETTINGS, **overrides: str) -> dict:
    """The named settings of config.settings.production (by default the cookie and session
    ones), imported in a fresh process with the variables production requires (a settings
    module reads the environment once, at import); `overrides` are environment variables."""
    code = (
        "import json, config.settings.production as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    env = {"PATH": "/usr/bin:/bin", **GOOD, **overrides}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
