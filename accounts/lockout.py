"""Which login django-axes counts wrong passwords against.

Our users log in with their email in a field named "username" (Django's login form and the
admin's), while the user model's USERNAME_FIELD is "email" — axes' default key — so without
this axes found no username at all and never locked anything. Emails are matched without case
(`UserManager.get_by_natural_key`), so the key is lower-cased too: "Alice@Acme.example" and
"alice@acme.example" share one lock.
"""

from __future__ import annotations

from django.http import HttpRequest


def login_lock_key(request: HttpRequest, credentials: dict | None = None) -> str | None:
    data = credentials if credentials is not None else getattr(request, "data", request.POST)
    username = data.get("username") or data.get("email")
    return str(username).strip().lower() if username else None
