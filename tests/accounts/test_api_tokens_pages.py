"""API tokens on the profile page: a person makes named tokens (several, one per script), sees
each one's start, when it was made, last used and expires, and revokes any of them; a token
stops working after API_TOKEN_TTL_DAYS (90 by default). Only a hash of a token is stored."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from accounts.services import API_TOKENS_PER_PERSON

_SHOWN_ONCE = re.compile(r"<pre><code>([0-9a-f]{64})</code></pre>")


def _me(token: str):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api.get("/api/v1/me/")


def _create(client, name: str) -> str:
    response = client.post("/profile/api-token/", {"name": name})
    assert response.status_code == 200, response.content.decode()[:500]
    return _SHOWN_ONCE.search(response.content.decode()).group(1)


def test_a_member_makes_a_named_token_shown_once_that_logs_their_scripts_in(client_for, member_a):
    client = client_for(member_a)

    token = _create(client, "CRM sync")

    row = ApiToken.objects.get(user=member_a)
    assert row.name == "CRM sync"
    assert row.digest != token and token not in row.digest  # only a hash is kept
    assert token.startswith(row.token_key)
    me = _me(token)
    assert me.status_code == 200
    assert me.json()["user"]["email"] == member_a.email
    page = client.get("/profile/").content.decode()
    assert token not in page  # never shown again…
    assert "CRM sync" in page and f"{row.token_key}…" in page  # …but listed by its start


def test_a_person_holds_several_tokens_and_each_works(client_for, member_a):
    client = client_for(member_a)

    first, second = _create(client, "CRM sync"), _create(client, "Reporting")

    assert first != second
    assert _me(first).status_code == 200
    assert _me(second).status_code == 200
    assert list(ApiToken.objects.filter(user=member_a).values_list("name", flat=True)) == [
        "Reporting",
        "CRM sync",
    ]


def test_the_list_shows_when_each_token_was_made_last_used_and_expires(client_for, member_a):
    client = client_for(member_a)
    token = _create(client, "CRM sync")
    _create(client, "Unused")
    before = timezone.now()

    _me(token)

    used = ApiToken.objects.get(name="CRM sync")
    assert used.last_used_at >= before
    assert ApiToken.objects.get(name="Unused").last_used_at is None
    page = client.get("/profile/").content.decode()
    assert f'datetime="{used.last_used_at.isoformat()}"' in page
    assert f'datetime="{used.expiry.isoformat()}"' in page
    assert "never" in page  # the unused token's last use


def test_a_token_works_for_90_days_by_default(client_for, member_a):
    before = timezone.now()
    _create(client_for(member_a), "CRM sync")
    after = timezone.now()

    expiry = ApiToken.objects.get(user=member_a).expiry
    assert before + dt.timedelta(days=90) <= expiry <= after + dt.timedelta(days=90)


@override_settings(API_TOKEN_TTL_DAYS=7)
def test_the_lifetime_of_a_token_comes_from_settings(client_for, member_a):
    before = timezone.now()

    _create(client_for(member_a), "CRM sync")

    expiry = ApiToken.objects.get(user=member_a).expiry
    assert before + dt.timedelta(days=7) <= expiry <= timezone.now() + dt.timedelta(days=7)
    assert (
        "stops working\n  7 days after it was made"
        in client_for(member_a).get("/profile/").content.decode()
    )


def test_an_expired_token_is_refused_and_no_longer_listed(client_for, member_a):
    client = client_for(member_a)
    token = _create(client, "CRM sync")
    ApiToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))

    response = _me(token)

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "authentication_failed", "detail": "Invalid token.", "attr": None}],
    }
    assert response["WWW-Authenticate"] == "Token"
    assert "CRM sync" not in client.get("/profile/").content.decode()


def test_a_person_revokes_a_token_and_it_stops_working_at_once(client_for, member_a):
    client = client_for(member_a)
    revoked, kept = _create(client, "Old laptop"), _create(client, "CRM sync")
    key = ApiToken.objects.get(name="Old laptop").token_key

    response = client.post(f"/profile/api-tokens/{key}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    assert "“Old laptop” is revoked" in client.get("/profile/").content.decode()
    assert _me(revoked).status_code == 401
    assert _me(kept).status_code == 200
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["CRM sync"]


@pytest.mark.parametrize("persona", ["member_b", "admin_a", "programme_admin"])
def test_nobody_revokes_or_sees_another_persons_token(request, client_for, member_a, persona):
    token = _create(client_for(member_a), "CRM sync ZQX")
    key = ApiToken.objects.get().token_key
    other = client_for(request.getfixturevalue(persona))

    response = other.post(f"/profile/api-tokens/{key}/revoke/")

    assert response.status_code == 404
    assert "CRM sync ZQX" not in other.get("/profile/").content.decode()
    assert _me(token).status_code == 200


def test_revoking_takes_a_post_and_a_login(client_for, member_a):
    _create(client_for(member_a), "CRM sync")
    key = ApiToken.objects.get().token_key

    assert client_for(member_a).get(f"/profile/api-tokens/{key}/revoke/").status_code == 405
    anonymous = Client().post(f"/profile/api-tokens/{key}/revoke/")
    assert anonymous["Location"].startswith("/login/")
    assert ApiToken.objects.count() == 1


def test_a_token_needs_a_name(client_for, member_a):
    response = client_for(member_a).post("/profile/api-token/", {"name": "  "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_person_holds_at_most_ten_working_tokens(client_for, member_a):
    for n in range(API_TOKENS_PER_PERSON):
        services.api_token_create(user=member_a, name=f"Script {n}")

    response = client_for(member_a).post("/profile/api-token/", {"name": "One more"})

    assert response.status_code == 400
    assert "revoke one first" in response.content.decode()
    assert ApiToken.objects.count() == API_TOKENS_PER_PERSON


def test_an_anonymous_visitor_cannot_make_a_token(client, db):
    response = client.post("/profile/api-token/", {"name": "Hijack"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not ApiToken.objects.exists()


def test_making_a_token_needs_a_post(client_for, member_a):
    assert client_for(member_a).get("/profile/api-token/").status_code == 405
    assert not ApiToken.objects.exists()


# --- Tokens made before tokens expired (Django REST framework's authtoken) ------------------


def test_a_token_from_before_goes_on_working_until_it_expires_and_its_plain_copy_goes(
    member_a,
):
    old_key = "0123456789abcdef0123456789abcdef01234567"  # authtoken's 40 hex characters
    made = timezone.now() - dt.timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp "
            "with time zone NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [old_key, made, member_a.pk],
        )
    migration = importlib.import_module("accounts.migrations.0007_api_tokens_from_drf")

    migration.api_tokens_from_drf(apps, SimpleNamespace(connection=connection))

    token = ApiToken.objects.get(user=member_a)
    assert token.created == made
    assert timezone.now() + dt.timedelta(days=89) < token.expiry
    assert _me(old_key).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
