"""Production settings refuse to start without their variables and pass `check --deploy`."""

from __future__ import annotations

import pytest

from tests.production_env import manage_check, production_settings


def test_check_deploy_prints_no_warnings_with_the_required_variables():
    result = manage_check("--deploy")
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
    result = manage_check(**{missing: None})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_weak_secret_or_sqlite():
    assert "at least 50 characters" in manage_check(SECRET_KEY="short").stderr
    assert "Production needs PostgreSQL" in manage_check(DATABASE_URL="sqlite:////tmp/x.db").stderr


def test_a_bad_boolean_stops_the_process_naming_the_variable():
    result = manage_check(SECURE_SSL_REDIRECT="maybe")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT='maybe' is not a boolean" in result.stderr


def test_production_installs_no_demo_data_or_benchmark_commands():
    installed = production_settings(names=["INSTALLED_APPS"])["INSTALLED_APPS"]
    assert "demo" not in installed
    assert {"accounts", "community", "ideas"} <= set(installed)


def test_production_webhooks_never_reach_loopback():
    assert production_settings(names=["WEBHOOK_ALLOW_LOOPBACK"]) == {
        "WEBHOOK_ALLOW_LOOPBACK": False
    }
    result = manage_check(WEBHOOK_ALLOW_LOOPBACK="true")
    assert result.returncode != 0
    assert "WEBHOOK_ALLOW_LOOPBACK is for development and tests only" in result.stderr
