"""/api/v1/me/tokens/: the caller's own API tokens (never the tokens themselves, which are not
stored), and revoking one with DELETE. Nobody lists or revokes anyone else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from tests.api_helpers import api_error, api_login

TOKENS = "/api/v1/me/tokens/"


def _with_token(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_person_lists_their_own_working_tokens_newest_first(api, member_a, admin_a):
    old, _ = services.api_token_create(user=member_a, name="CRM sync")
    ApiToken.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=3))
    new, _ = services.api_token_create(user=member_a, name="Reporting")
    gone, _ = services.api_token_create(user=member_a, name="Expired")
    ApiToken.objects.filter(pk=gone.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    services.api_token_create(user=admin_a, name="Anna's script")
    api_login(api, member_a)

    response = api.get(TOKENS)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == ["Reporting", "CRM sync"]
    assert set(rows[0]) == {"token_key", "name", "created_at", "last_used_at", "expires_at"}
    assert rows[0]["token_key"] == new.token_key
    assert rows[0]["last_used_at"] is None
    assert dt.datetime.fromisoformat(rows[0]["expires_at"]) == new.expiry


def test_a_script_revokes_a_token_and_it_stops_working_at_once(member_a):
    row, token = services.api_token_create(user=member_a, name="Old laptop")
    _, other = services.api_token_create(user=member_a, name="CRM sync")
    api = _with_token(other)

    response = api.delete(f"{TOKENS}{row.token_key}/")

    assert response.status_code == 204
    assert _with_token(token).get("/api/v1/me/").status_code == 401
    assert api.get("/api/v1/me/").status_code == 200
    assert [r["name"] for r in api.get(TOKENS).json()["results"]] == ["CRM sync"]


def test_a_token_may_revoke_itself(member_a):
    row, token = services.api_token_create(user=member_a, name="Leaked")
    api = _with_token(token)

    assert api.delete(f"{TOKENS}{row.token_key}/").status_code == 204
    assert api.get(TOKENS).status_code == 401


@pytest.mark.parametrize("persona", ["member_b", "admin_a", "programme_admin"])
def test_nobody_lists_or_revokes_another_persons_token(request, api, member_a, persona):
    row, token = services.api_token_create(user=member_a, name="Alice's ZQX script")
    api_login(api, request.getfixturevalue(persona))

    listed = api.get(TOKENS)
    response = api.delete(f"{TOKENS}{row.token_key}/")

    assert listed.status_code == 200
    assert "ZQX" not in listed.content.decode()
    assert response.status_code == 404
    assert api_error(response)["code"] == "not_found"
    assert _with_token(token).get("/api/v1/me/").status_code == 200


def test_anonymous_callers_are_refused(api, member_a):
    row, _ = services.api_token_create(user=member_a, name="CRM sync")

    assert api.get(TOKENS).status_code == 401
    assert api.delete(f"{TOKENS}{row.token_key}/").status_code == 401
    assert ApiToken.objects.count() == 1


def test_an_expired_token_answers_401_in_the_apis_error_format(member_a):
    row, token = services.api_token_create(user=member_a, name="CRM sync")
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))

    response = _with_token(token).get(TOKENS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert api_error(response) == {
        "type": "client_error",
        "code": "authentication_failed",
        "detail": "Invalid token.",
        "attr": None,
    }
    assert not ApiToken.objects.exists()  # knox deletes an expired token it meets


def test_a_call_with_a_token_reads_only_that_token_not_its_owners_others(member_a):
    """One query finds the token (and its owner); knox's tidy-up of the owner's other tokens on
    every call is left out, as the expired ones are neither listed nor accepted anyway."""
    _row, token = services.api_token_create(user=member_a, name="CRM sync")
    gone, _ = services.api_token_create(user=member_a, name="Old script")
    ApiToken.objects.filter(pk=gone.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))

    with CaptureQueriesContext(connection) as queries:
        response = _with_token(token).get("/api/v1/me/")

    assert response.status_code == 200
    token_reads = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "accounts_apitoken"."digest"')
    ]
    assert len(token_reads) == 1, token_reads
