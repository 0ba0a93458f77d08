"""Which login django-axes counts wrong passwords against.

Our users log in with their email in a field named "username" (our login form and the
admin's). Axes would look for the model's USERNAME_FIELD, "email", which no form posts, and so
would never lock anything. Emails are matched without case (`UserManager.get_by_natural_key`),
so the key is lower-cased too: "Alice@Acme.example" and "alice@acme.example" share one lock.
"""

from __future__ import annotations

from axes.utils import reset
from django.http import HttpRequest


def login_lock_key(request: HttpRequest, credentials: dict | None = None) -> str | None:
    data = credentials if credentials is not None else getattr(request, "data", request.POST)
    username = data.get("username")
    return _key(username) if username else None


def login_unlock(*, email: str) -> int:
    """Forget the wrong passwords counted against this login; returns how many records went."""
    return reset(username=_key(email))


def _key(username: str) -> str:
    return str(username).strip().lower()
