"""An account's single sign-on settings: who may set them, and a provider's discovery document
checked when they are saved (bad metadata refused, with the reason, and nothing saved)."""

from __future__ import annotations

import pytest

from accounts.models import EmailDomain, IdentityProvider
from tests.accounts.sso_helpers import sso_set_up

pytestmark = pytest.mark.django_db


def _form(issuer, **more):
    return {"kind": "oidc", "issuer": issuer, "client_id": "garden", "client_secret": "s3", **more}


def test_a_programme_admin_sets_an_accounts_provider_and_domains(
    client_for, programme_admin, account_a, oidc_provider
):
    response = client_for(programme_admin).post(
        "/accounts/acme/sso/",
        _form(oidc_provider.issuer, domains="acme.example\nACME-labs.example\n"),
    )

    assert response.status_code == 302
    provider = IdentityProvider.objects.get(account=account_a)
    assert (provider.issuer, provider.client_id, provider.client_secret) == (
        oidc_provider.issuer,
        "garden",
        "s3",
    )
    assert sorted(account_a.email_domains.values_list("domain", flat=True)) == [
        "acme-labs.example",
        "acme.example",
    ]


def test_the_accounts_admin_sets_its_provider_but_not_its_domains(
    client_for, admin_a, account_a, oidc_provider
):
    sso_set_up(account_a, oidc_provider, domains=["acme.example"])
    client = client_for(admin_a)

    page = client.get("/accounts/acme/sso/")
    account_page = client.get("/accounts/acme/")
    response = client.post(
        "/accounts/acme/sso/", _form(oidc_provider.issuer, domains="gmail.example")
    )

    assert page.status_code == 200
    assert "disabled" in page.content.decode()
    assert 'href="/accounts/acme/sso/"' in account_page.content.decode()
    assert response.status_code == 302
    assert list(account_a.email_domains.values_list("domain", flat=True)) == ["acme.example"]
    # An empty secret keeps the one saved; the new client ID is taken.
    provider = IdentityProvider.objects.get(account=account_a)
    assert (provider.client_id, provider.client_secret) == ("garden", "s3")


@pytest.mark.parametrize(
    ("discovery", "told"),
    [
        ("this is { not json", "is not a JSON discovery document"),
        ({"issuer": "x"}, "lacks authorization_endpoint, token_endpoint, jwks_uri"),
    ],
)
def test_bad_metadata_is_refused_on_save(
    client_for, programme_admin, account_a, oidc_provider, discovery, told
):
    oidc_provider.discovery = discovery

    response = client_for(programme_admin).post("/accounts/acme/sso/", _form(oidc_provider.issuer))

    assert response.status_code == 400
    assert told in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_a_provider_that_names_another_issuer_is_refused(
    client_for, programme_admin, account_a, oidc_provider
):
    oidc_provider.discovery = {**oidc_provider._document(), "issuer": "https://impostor.example"}

    response = client_for(programme_admin).post("/accounts/acme/sso/", _form(oidc_provider.issuer))

    assert response.status_code == 400
    assert "the issuer must be exactly the one in its discovery document" in (
        response.content.decode()
    )
    assert not IdentityProvider.objects.exists()


def test_an_unreachable_provider_is_refused(client_for, programme_admin, account_a, fake_internet):
    response = client_for(programme_admin).post(
        "/accounts/acme/sso/", _form("https://login.acme.example")
    )

    assert response.status_code == 400
    assert "could not be fetched" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_a_domain_belongs_to_one_account(
    client_for, programme_admin, account_a, account_b, oidc_provider
):
    sso_set_up(account_b, oidc_provider, domains=["globex.example"])

    response = client_for(programme_admin).post(
        "/accounts/acme/sso/", _form(oidc_provider.issuer, domains="acme.example\nglobex.example")
    )

    assert response.status_code == 400
    assert "Another account already has globex.example" in response.content.decode()
    assert not IdentityProvider.objects.filter(account=account_a).exists()
    assert list(EmailDomain.objects.values_list("domain", "account__slug")) == [
        ("globex.example", "globex")
    ]


def test_single_sign_on_cannot_be_required_without_domains(
    client_for, programme_admin, account_a, oidc_provider
):
    response = client_for(programme_admin).post(
        "/accounts/acme/sso/", _form(oidc_provider.issuer, sso_required="on")
    )

    assert response.status_code == 400
    assert "Add the account&#x27;s email domains first" in response.content.decode()


@pytest.mark.parametrize("persona", ["admin_b", "member_b"])
def test_another_accounts_people_cannot_see_or_change_as_settings(
    client_for, persona, request, account_a, oidc_provider
):
    provider = sso_set_up(account_a, oidc_provider, domains=["acme.example"])
    client = client_for(request.getfixturevalue(persona))

    page = client.get("/accounts/acme/sso/")
    post = client.post("/accounts/acme/sso/", _form("https://hijack.example"))

    assert (page.status_code, post.status_code) == (404, 404)
    provider.refresh_from_db()
    assert provider.client_id == "customer-garden"


@pytest.mark.parametrize("persona", ["member_a", "account_manager_a", "product_manager"])
def test_who_may_see_the_account_but_not_set_its_sign_in_gets_403(
    client_for, persona, request, account_a
):
    client = client_for(request.getfixturevalue(persona))

    response = client.get("/accounts/acme/sso/")

    assert response.status_code == 403
    assert 'href="/accounts/acme/sso/"' not in client.get("/accounts/acme/").content.decode()


# --- The server reaches the provider only where config/outbound.py allows ---------------------


def test_a_loopback_issuer_is_refused_unless_loopback_is_allowed(
    settings, client_for, programme_admin, account_a, oidc_provider, fake_internet
):
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    response = client_for(programme_admin).post("/accounts/acme/sso/", _form(oidc_provider.issuer))

    assert response.status_code == 400
    assert "The issuer&#x27;s address is refused: the address is loopback" in (
        response.content.decode()
    )
    assert fake_internet.connections == []  # the provider was not asked
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize(
    ("issuer", "told"),
    [
        ("https://10.20.30.40", "the address is private"),
        ("https://169.254.169.254", "the address is link-local"),
        ("https://idp.test", "the address is private"),  # a name that resolves to one
        ("http://login.acme.example", "it is not https"),
    ],
)
def test_an_issuer_the_server_may_not_reach_is_refused_before_any_connection(
    client_for, programme_admin, account_a, fake_internet, issuer, told
):
    fake_internet.answer("idp.test", ["192.168.7.7"])

    response = client_for(programme_admin).post("/accounts/acme/sso/", _form(issuer))

    assert response.status_code == 400
    assert f"The issuer&#x27;s address is refused: {told}" in response.content.decode()
    assert fake_internet.connections == []
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize(
    ("endpoint", "url", "told"),
    [
        ("token_endpoint", "http://10.0.0.7/token", "the address is private"),
        ("jwks_uri", "http://169.254.169.254/keys", "the address is link-local"),
        ("userinfo_endpoint", "http://[fd00::1]/userinfo", "the address is private"),
        ("token_endpoint", "http://login.acme.example/token", "it is not https"),
    ],
)
def test_a_discovery_document_pointing_the_server_elsewhere_is_refused(
    client_for, programme_admin, account_a, oidc_provider, fake_internet, endpoint, url, told
):
    oidc_provider.discovery = {**oidc_provider._document(), endpoint: url}

    response = client_for(programme_admin).post("/accounts/acme/sso/", _form(oidc_provider.issuer))

    assert response.status_code == 400
    assert f"The provider&#x27;s {endpoint} ({url}) is refused: {told}" in (
        response.content.decode()
    )
    assert not IdentityProvider.objects.exists()


def test_a_discovery_document_behind_a_redirect_is_refused(
    client_for, programme_admin, account_a, oidc_provider
):
    oidc_provider.discovery_location = "http://127.0.0.1:9/elsewhere"

    response = client_for(programme_admin).post("/accounts/acme/sso/", _form(oidc_provider.issuer))

    assert response.status_code == 400
    assert "redirects" in response.content.decode()
    assert not IdentityProvider.objects.exists()
