"""config/env.py: the one typed reader of the environment fails loudly, naming the variable.

A typo in production's environment ("DEBUG=ture", "DATABASE_URL=postgress://…") must stop the
process at start-up with a message that says which variable is wrong, instead of quietly
running with a default.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

VAR = "CG_TEST_SETTING"
BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def setenv(monkeypatch):
    """`setenv("value")` sets the test variable; the variable is unset otherwise."""
    monkeypatch.delenv(VAR, raising=False)

    def _set(value: str) -> None:
        monkeypatch.setenv(VAR, value)

    return _set


# --- Strings and required variables -----------------------------------------------------------


def test_a_missing_required_variable_is_named(setenv):
    with pytest.raises(
        ImproperlyConfiguredEnv, match=f"^The environment variable {VAR} is required"
    ):
        env_str(VAR)


def test_a_missing_optional_variable_gives_its_default(setenv):
    assert env_str(VAR, "fallback") == "fallback"
    assert env_bool(VAR, True) is True
    assert env_int(VAR, 7) == 7
    assert env_list(VAR, ["a"]) == ["a"]
    assert env_redis_url(VAR, None) is None


def test_an_empty_string_is_a_value_not_a_missing_variable(setenv):
    setenv("")

    assert env_str(VAR, "fallback") == ""
    assert env_bool(VAR, True) is False


# --- Booleans ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "True", "YES", "on", " on "])
def test_booleans_accept_the_usual_spellings_of_true(setenv, raw):
    setenv(raw)

    assert env_bool(VAR, False) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "no", "off"])
def test_booleans_accept_the_usual_spellings_of_false(setenv, raw):
    setenv(raw)

    assert env_bool(VAR, True) is False


@pytest.mark.parametrize("raw", ["ture", "perhaps", "2", "y", "enabled"])
def test_a_boolean_that_does_not_parse_fails_naming_the_variable(setenv, raw):
    setenv(raw)

    with pytest.raises(ImproperlyConfiguredEnv) as error:
        env_bool(VAR, False)

    assert str(error.value) == (
        f"{VAR}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


# --- Whole numbers ----------------------------------------------------------------------------


def test_whole_numbers_are_read_as_ints(setenv):
    setenv(" 42 ")

    assert env_int(VAR, 0, minimum=1) == 42


@pytest.mark.parametrize("raw", ["forty", "1.5", "", "10s"])
def test_a_number_that_does_not_parse_fails_naming_the_variable(setenv, raw):
    setenv(raw)

    with pytest.raises(ImproperlyConfiguredEnv) as error:
        env_int(VAR, 5)

    assert str(error.value) == f"{VAR}={raw!r} is not a whole number."


def test_a_number_below_its_minimum_fails_naming_the_variable(setenv):
    setenv("0")

    with pytest.raises(ImproperlyConfiguredEnv) as error:
        env_int(VAR, 5, minimum=1)

    assert str(error.value) == f"{VAR}=0 must be at least 1."


# --- Lists ------------------------------------------------------------------------------------


def test_lists_are_split_on_commas_without_blanks(setenv):
    setenv(" garden.example, www.garden.example ,, ")

    assert env_list(VAR) == ["garden.example", "www.garden.example"]


# --- URLs -------------------------------------------------------------------------------------


def test_a_postgres_url_becomes_djangos_database_settings(setenv):
    setenv("postgres://garden:s3cret@db.internal:5433/customer_garden")

    config = env_database(VAR)

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == (
        "customer_garden",
        "garden",
        "s3cret",
    )
    assert (config["HOST"], int(config["PORT"])) == ("db.internal", 5433)


def test_a_sqlite_url_is_accepted(setenv):
    setenv("sqlite:////tmp/garden.sqlite3")

    assert env_database(VAR)["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "mysql://root@localhost/garden",
            f"{VAR} must be a postgres:// (or sqlite://) URL, not 'mysql'.",
        ),
        (
            "postgress://u@h/garden",
            f"{VAR} must be a postgres:// (or sqlite://) URL, not 'postgress'.",
        ),
        ("garden", f"{VAR} must be a postgres:// (or sqlite://) URL, not 'garden'."),
        ("postgres://garden@db.internal:5432", f"{VAR} names no database: add /<name> to the URL."),
        (
            "postgres://garden@db.internal:5432/",
            f"{VAR} names no database: add /<name> to the URL.",
        ),
    ],
)
def test_a_database_url_that_will_not_work_fails_naming_the_variable(setenv, raw, message):
    setenv(raw)

    with pytest.raises(ImproperlyConfiguredEnv) as error:
        env_database(VAR)

    assert str(error.value) == message


@pytest.mark.parametrize("raw", ["redis://localhost:6379/0", "rediss://cache.internal:6380/1"])
def test_redis_urls_are_accepted(setenv, raw):
    setenv(raw)

    assert env_redis_url(VAR) == raw


@pytest.mark.parametrize("raw", ["localhost:6379", "http://localhost:6379", "amqp://broker//"])
def test_a_redis_url_that_will_not_work_fails_naming_the_variable(setenv, raw):
    setenv(raw)

    with pytest.raises(ImproperlyConfiguredEnv) as error:
        env_redis_url(VAR)

    assert str(error.value) == f"{VAR} must be a redis:// or rediss:// URL."


# --- The settings modules use the reader: a bad value stops start-up --------------------------
# (Production's required variables are tested in tests/test_production_settings.py.)


def _load_settings(module: str, **environ: str | None) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh interpreter, as `manage.py` or gunicorn would."""
    env = {**os.environ}
    for name, value in environ.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_app_refuses_to_start_with_a_debug_flag_it_cannot_read(tmp_path):
    result = _load_settings("config.settings.dev", DEBUG="ture", VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfiguredEnv: DEBUG='ture' is not a boolean" in result.stderr


def test_development_starts_with_none_of_its_variables_set(tmp_path):
    result = _load_settings(
        "config.settings.dev",
        DEBUG=None,
        DATABASE_URL=None,
        REDIS_URL=None,
        SECRET_KEY=None,
        VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"STAFF_SSO_PROTOCOL": "ldap"}, "STAFF_SSO_PROTOCOL='ldap': use oidc, saml"),
        (
            {"STAFF_SSO_PROTOCOL": "saml", "STAFF_SSO_DOMAINS": "garden.example"},
            "STAFF_SSO_PROTOCOL=saml needs STAFF_SSO_SAML_ENTITY_ID, STAFF_SSO_SAML_SSO_URL, "
            "STAFF_SSO_SAML_X509CERT.",
        ),
        (
            {"STAFF_SSO_PROTOCOL": "oidc", "STAFF_SSO_ISSUER": "https://login.garden.example"},
            "STAFF_SSO_PROTOCOL=oidc needs STAFF_SSO_DOMAINS, STAFF_SSO_CLIENT_ID.",
        ),
    ],
    ids=["unknown-protocol", "saml-incomplete", "oidc-incomplete"],
)
def test_staff_single_sign_on_that_cannot_work_stops_start_up(tmp_path, environ, message):
    result = _load_settings("config.settings.dev", VAR_DIR=str(tmp_path), **environ)

    assert result.returncode != 0
    assert message in result.stderr
