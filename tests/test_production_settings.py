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


@pytest.mark.parametrize("name", ["OUTBOUND_ALLOW_LOOPBACK", "WEBHOOK_ALLOW_LOOPBACK"])
def test_production_never_reaches_loopback_whatever_the_settings_name(name):
    assert production_settings(names=["OUTBOUND_ALLOW_LOOPBACK"]) == {
        "OUTBOUND_ALLOW_LOOPBACK": False
    }
    result = manage_check(**{name: "true"})
    assert result.returncode != 0
    assert "OUTBOUND_ALLOW_LOOPBACK (or WEBHOOK_ALLOW_LOOPBACK) is for development" in (
        result.stderr
    )


def test_production_requires_its_own_encryption_keys():
    missing = manage_check(FIELD_ENCRYPTION_KEYS=None)
    bad = manage_check(FIELD_ENCRYPTION_KEYS="eqDTqYYkB2H92ITTydomlwIDjG9qFFZKmCFd2VfJxxM=,nope")

    assert missing.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is required" in missing.stderr
    assert bad.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key 2 is not a Fernet key" in bad.stderr
    keys = production_settings(
        names=["FIELD_ENCRYPTION_KEYS"],
        FIELD_ENCRYPTION_KEYS="llAQR3TWm6gzyyjezzmt4xt1Y4i2P0MU9G8N1Ruq27c=, "
        "eqDTqYYkB2H92ITTydomlwIDjG9qFFZKmCFd2VfJxxM=",
    )
    assert keys == {
        "FIELD_ENCRYPTION_KEYS": [
            "llAQR3TWm6gzyyjezzmt4xt1Y4i2P0MU9G8N1Ruq27c=",
            "eqDTqYYkB2H92ITTydomlwIDjG9qFFZKmCFd2VfJxxM=",
        ]
    }
