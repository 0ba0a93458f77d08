"""Second factors for tests: an authenticator app's codes computed here (RFC 6238, not with
allauth's code), at a clock the test holds still and moves on by whole periods."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from types import SimpleNamespace

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache

PERIOD = 30


def totp_code(secret: str, at: float) -> str:
    """What an authenticator app shows at `at` (SHA-1, 6 digits, 30-second periods)."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at) // PERIOD), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def wrong_code(secret: str, at: float) -> str:
    """A code that is not the right one at `at`."""
    return f"{(int(totp_code(secret, at)) + 1) % 1_000_000:06d}"


class Clock:
    """The time allauth's TOTP check reads: the test's own time, held still until moved on."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def next_period(self) -> None:
        self.now += PERIOD


def clock_install(monkeypatch) -> Clock:
    """The `clock` fixture (tests/conftest.py): allauth's TOTP check reads this clock."""
    clock = Clock()
    monkeypatch.setattr("allauth.mfa.totp.internal.auth.time", SimpleNamespace(time=clock.time))
    # Used codes and allauth's rate limits live in the cache: no test sees another's.
    cache.clear()
    return clock


def totp_activate(user) -> str:
    """Give `user` an authenticator app (as its setup page does); returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def recovery_codes_activate(user) -> list[str]:
    return RecoveryCodes.activate(user).get_unused_codes()


def authenticator_kinds(user) -> set[str]:
    return set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
