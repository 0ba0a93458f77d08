"""Which login django-axes counts wrong passwords against.

Our users log in with their email in a field named "username" (our login form and the
admin's). Axes would look for the model's USERNAME_FIELD, "email", which no form posts, and so
would never lock anything. The lock is the *login's*: the address typed is resolved to the
person it means (`UserManager.get_by_address`, which also logs them in) and the key is their
address's key; an address that is nobody's is keyed on its own key (accounts.addresses). So
"Alice@Acme.example", "alıce@acme.example", "alice@ａｃｍｅ.example" and every other spelling
that folds into Alice's address share her one lock and her five guesses, on PostgreSQL (whose
upper() folds ı and ſ) as on SQLite.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.http import HttpRequest

from accounts.addresses import address_key
from accounts.models import User

# The first key of the PostgreSQL advisory locks taken per login ("lo" for login); the second
# is a hash of the login. Nothing else in the project takes advisory locks with this key.
_ADVISORY_LOCK_CLASS = 0x6C6F
# How often a waiting attempt asks for the lock again.
_POLL_SECONDS = 0.05


class LoginBusy(Exception):
    """Other attempts for this login held its lock longer than LOGIN_LOCK_WAIT_SECONDS."""


def login_lock_key(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the key of the login the posted address means."""
    data = credentials if credentials is not None else getattr(request, "data", request.POST)
    username = data.get("username")
    return _key(username) if username else None


def login_unlock(*, email: str) -> int:
    """Forget the wrong passwords counted against this login; returns how many records went."""
    return reset(username=_key(email))


def login_is_locked(request: HttpRequest, *, email: str) -> bool:
    """Whether this login is locked now (for a second factor's code, which axes does not see)."""
    request.axes_credentials = {"username": email}
    locked = not AxesProxyHandler.is_allowed(request, {"username": email})
    if locked:
        request.axes_locked_out = True  # AxesMiddleware answers with the lock-out page
    return locked


def login_code_failed(request: HttpRequest, *, email: str) -> None:
    """Count a wrong second-factor code (TOTP or recovery code) like a wrong password: axes
    records it under the login's key, and the failure that reaches the limit locks the login."""
    user_login_failed.send(sender=__name__, credentials={"username": email}, request=request)


@contextmanager
def login_attempts_one_at_a_time(username: str | None) -> Iterator[None]:
    """Check one password at a time per login, so that guesses sent at the same moment cannot
    all pass axes' "fewer than 5 failures?" test before any of them is counted.

    Axes checks the count before the password and records the failure after it: without this
    lock, twelve guesses posted at once are all checked. Holding a PostgreSQL advisory lock
    (session level, so that axes' own transactions commit inside it) from before the count
    until after the failure is recorded makes the fifth failure lock out the sixth guess,
    however the guesses arrive. Attempts for other logins do not wait. SQLite (dev, tests)
    serialises writes itself and takes no lock here.

    An attempt waits at most LOGIN_LOCK_WAIT_SECONDS for the lock, then raises LoginBusy: a
    flood of guesses for one login cannot pile up web workers waiting in line.
    """
    if not username or connection.vendor != "postgresql":
        yield
        return
    key = _key(username)
    deadline = time.monotonic() + settings.LOGIN_LOCK_WAIT_SECONDS
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s, hashtext(%s))", [_ADVISORY_LOCK_CLASS, key]
            )
            if cursor.fetchone()[0]:
                break
            if time.monotonic() >= deadline:
                raise LoginBusy(key)
            time.sleep(_POLL_SECONDS)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, hashtext(%s))", [_ADVISORY_LOCK_CLASS, key]
            )


def _key(username: str) -> str:
    """The lock's key: the key of the address of the person `username` resolves to, or of
    `username` itself when it is nobody's address."""
    user = User.objects.get_by_address(username)
    return address_key(user.email if user is not None else username)
