"""One typed reader of the environment.

Every setting that comes from the environment is read here, and a value that does not parse
stops the process with a message naming the variable (in the spirit of healthchecks' envbool).
"""

from __future__ import annotations

import os
import re
from typing import Any

import environ


class ImproperlyConfiguredEnv(Exception):
    """A variable of the environment is missing or has a value we cannot read."""


_MISSING: Any = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: Any) -> str | Any:
    value = os.environ.get(name)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfiguredEnv(f"The environment variable {name} is required.")
        return default
    return value


def env_str(name: str, default: Any = _MISSING) -> str:
    return _raw(name, default)


def env_bool(name: str, default: Any = _MISSING) -> bool:
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(
        f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: Any = _MISSING, *, minimum: int | None = None) -> int:
    value = _raw(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfiguredEnv(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfiguredEnv(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default: Any = _MISSING) -> list[str]:
    value = _raw(name, default)
    if isinstance(value, list):
        return value
    return [item.strip() for item in value.split(",") if item.strip()]


_RATE = re.compile(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)")


def env_rate(name: str, default: Any = _MISSING) -> str:
    """A rate as DRF's throttling reads it: "<calls>/<second|minute|hour|day>" ("60/minute")."""
    value = _raw(name, default).strip()
    if not _RATE.fullmatch(value):
        raise ImproperlyConfiguredEnv(
            f"{name}={value!r} is not a rate: write calls/period, such as 60/minute "
            "(periods: second, minute, hour, day)."
        )
    return value


def env_database(name: str = "DATABASE_URL", default: Any = _MISSING) -> dict[str, Any] | Any:
    """Parse a database URL (postgres://user:pass@host:5432/name) into Django's dict."""
    value = _raw(name, default)
    if not isinstance(value, str):
        return value
    if not value.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfiguredEnv(
            f"{name} must be a postgres:// (or sqlite://) URL, not {value.split(':', 1)[0]!r}."
        )
    config = environ.Env.db_url_config(value)
    if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfiguredEnv(f"{name} names no database: add /<name> to the URL.")
    return config


def env_redis_url(name: str = "REDIS_URL", default: Any = _MISSING) -> str | Any:
    value = _raw(name, default)
    if isinstance(value, str) and not value.startswith(("redis://", "rediss://")):
        raise ImproperlyConfiguredEnv(f"{name} must be a redis:// or rediss:// URL.")
    return value


def env_fernet_keys(name: str, default: Any = _MISSING) -> list[str]:
    """Comma-separated Fernet keys (32 random bytes in URL-safe base64 each, as
    `Fernet.generate_key()` makes them), the first one first; stops at one that is not a key."""
    from cryptography.fernet import Fernet

    keys = env_list(name, default)
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfiguredEnv(
                f"{name}: key {position} is not a Fernet key (32 bytes in URL-safe base64; "
                'make one with python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())").'
            ) from None
    return keys
