"""The account page's provisioning section: an account admin (or a programme admin) makes a
named SCIM token, sees it once, and revokes it; nobody else may."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import ScimToken
from accounts.provisioning import scim_token_create


def _scim_status(raw: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client.get("/scim/v2/ServiceProviderConfig").status_code


def test_the_account_admin_makes_a_token_and_sees_it_once(client_for, admin_a, account_a):
    client = client_for(admin_a)

    made = client.post("/accounts/acme/scim-tokens/", {"name": "Okta"})

    assert made.status_code == 200
    token = ScimToken.objects.get(account=account_a)
    raw = made.context["new_scim_token"]
    assert raw in made.content.decode()
    assert (token.name, token.created_by, token.prefix) == ("Okta", admin_a, raw[:8])
    assert _scim_status(raw) == 200
    again = client.get("/accounts/acme/").content.decode()
    assert raw not in again
    assert f"{token.prefix}…" in again
    assert "/scim/v2" in again  # the base URL to give the provider


def test_a_token_without_a_name_is_refused(client_for, admin_a, account_a):
    response = client_for(admin_a).post("/accounts/acme/scim-tokens/", {"name": "  "})

    assert response.status_code == 400
    assert not ScimToken.objects.exists()


def test_the_admin_revokes_a_token_and_it_stops_working_at_once(client_for, admin_a):
    client = client_for(admin_a)
    raw = client.post("/accounts/acme/scim-tokens/", {"name": "Okta"}).context["new_scim_token"]
    token = ScimToken.objects.get()

    response = client.post(f"/scim-tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == admin_a
    assert _scim_status(raw) == 401
    assert "Okta" not in client.get("/accounts/acme/").content.decode().split("scim-h")[1]


def test_a_programme_admin_may_make_a_token_for_any_account(client_for, programme_admin, account_a):
    response = client_for(programme_admin).post("/accounts/acme/scim-tokens/", {"name": "Entra"})

    assert response.status_code == 200
    assert ScimToken.objects.get().created_by == programme_admin


@pytest.mark.parametrize("persona", ["member_a", "account_manager_a", "product_manager"])
def test_others_who_see_the_account_may_not_make_tokens(request, client_for, account_a, persona):
    client = client_for(request.getfixturevalue(persona))

    page = client.get("/accounts/acme/")
    made = client.post("/accounts/acme/scim-tokens/", {"name": "Sneaky"})

    assert "scim-h" not in page.content.decode()
    assert made.status_code == 403
    assert not ScimToken.objects.exists()


def test_another_accounts_admin_gets_404(client_for, admin_b, account_a, admin_a):
    client = client_for(admin_a)
    client.post("/accounts/acme/scim-tokens/", {"name": "Okta"})
    token = ScimToken.objects.get()
    outsider = client_for(admin_b)

    made = outsider.post("/accounts/acme/scim-tokens/", {"name": "Mine"})
    revoked = outsider.post(f"/scim-tokens/{token.pk}/revoke/")

    assert (made.status_code, revoked.status_code) == (404, 404)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ScimToken.objects.count() == 1


def test_a_programme_admin_reads_every_accounts_tokens_in_the_admin_but_never_the_token(
    client_for, programme_admin, admin_a, account_a
):
    token, raw = scim_token_create(account=account_a, name="Okta", created_by=admin_a)
    client = client_for(programme_admin)

    listing = client.get("/admin/accounts/scimtoken/")
    row = client.get(f"/admin/accounts/scimtoken/{token.pk}/change/")

    assert listing.status_code == 200
    assert "Okta" in listing.content.decode()
    assert row.status_code == 200
    for page in (listing, row):
        assert raw not in page.content.decode()
        assert token.digest not in page.content.decode()
