"""Production settings refuse to start without their variables and pass `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-for-tests-only-0123456789",
    "ALLOWED_HOSTS": "garden.example.com",
    "DATABASE_URL": "postgres://garden@db.internal:5432/garden",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def _check(*extra: str, **overrides: str | None) -> subprocess.CompletedProcess:
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


def test_check_deploy_prints_no_warnings_with_the_required_variables():
    result = _check("--deploy")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY is required"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS is required"),
        ("DATABASE_URL", "DATABASE_URL is required"),
        ("REDIS_URL", "Production needs Redis"),
    ],
)
def test_production_refuses_to_start_without(missing, message):
    result = _check(**{missing: None})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_weak_secret_or_sqlite():
    assert "at least 50 characters" in _check(SECRET_KEY="short").stderr
    assert "Production needs PostgreSQL" in _check(DATABASE_URL="sqlite:////tmp/x.db").stderr


def test_a_bad_boolean_stops_the_process_naming_the_variable():
    result = _check(SECURE_SSL_REDIRECT="maybe")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT='maybe' is not a boolean" in result.stderr
