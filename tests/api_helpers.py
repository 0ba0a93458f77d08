"""Small helpers shared by the API tests."""

from __future__ import annotations

from accounts.models import User


def api_login(api, user) -> None:
    """Authenticate as a fresh copy of `user`, so no permission or membership cache carries
    over from an earlier request (as with a real session, which loads the user per request)."""
    api.force_authenticate(User.objects.get(pk=user.pk) if user else None)


def api_error(response) -> dict:
    """The one error of an error response, flattened: {type, code, detail, attr}."""
    body = response.json()
    assert len(body["errors"]) == 1, body
    return {"type": body["type"], **body["errors"][0]}
