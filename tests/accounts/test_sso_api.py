"""The API of an account's single sign-on settings (accounts/api/sso.py): its admin and
programme admins set the identity provider under the page's rules (the discovery document
checked through the outbound rule, the client secret write-only), programme admins alone
change the email domains, and nobody else sees or changes anything."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import EmailDomain, IdentityProvider
from tests.accounts.sso_helpers import CLIENT_SECRET, sso_set_up, sso_sign_in
from tests.api_helpers import api_error, api_login

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts/acme/identity-provider/"
DOMAINS = "/api/v1/accounts/acme/email-domains/"
SECRET = "a-new-secret-of-the-api-tests"  # noqa: S105 (a test's secret)


def _body(issuer, **more) -> dict:
    return {"kind": "oidc", "issuer": issuer, "client_id": "garden", **more}


def _errors(response) -> dict[str, str]:
    return {error["attr"]: error["detail"] for error in response.json()["errors"]}


@pytest.fixture
def as_admin(api, programme_admin):
    api_login(api, programme_admin)
    return api


# --- The identity provider ------------------------------------------------------------------


def test_a_programme_admin_sets_a_provider_and_is_never_told_its_secret(
    as_admin, account_a, oidc_provider
):
    created = as_admin.put(URL, _body(oidc_provider.issuer, client_secret=SECRET), format="json")

    assert created.status_code == 201, created.content
    provider = IdentityProvider.objects.get(account=account_a)
    assert (provider.issuer, provider.client_id, provider.client_secret) == (
        oidc_provider.issuer,
        "garden",
        SECRET,
    )
    read = as_admin.get(URL)
    for answer in (created, read):
        body = answer.json()
        assert SECRET not in answer.content.decode()
        assert "client_secret" not in body
        assert body["client_secret_set"] is True
        assert body["redirect_uri"] == (
            f"http://testserver/auth/oidc/{provider.provider_id}/login/callback/"
        )
        assert (body["kind"], body["sso_required"], body["email_domains"]) == ("oidc", False, [])


def test_the_accounts_own_admin_changes_it_and_the_secret_is_kept_unless_given(
    api, admin_a, account_a, oidc_provider
):
    sso_set_up(account_a, oidc_provider, domains=["acme.example"])
    api_login(api, admin_a)

    patched = api.patch(URL, {"client_id": "garden-2", "sso_required": True}, format="json")
    replaced = api.put(URL, _body(oidc_provider.issuer, client_id="garden-3"), format="json")

    assert (patched.status_code, replaced.status_code) == (200, 200)
    assert patched.json()["sso_required"] is True
    assert patched.json()["email_domains"] == ["acme.example"]
    provider = IdentityProvider.objects.get(account=account_a)
    # PUT replaces: what it leaves out takes its default, except the secret, which is kept.
    assert (provider.client_id, provider.sso_required, provider.client_secret) == (
        "garden-3",
        False,
        CLIENT_SECRET,
    )


def test_no_provider_is_a_404_for_get_patch_and_delete(as_admin, account_a):
    for method in ("get", "patch", "delete"):
        response = getattr(as_admin, method)(URL, {}, format="json")
        assert response.status_code == 404, method
        assert api_error(response)["detail"] == "No identity provider is set up for this account."


@pytest.mark.parametrize(
    ("body", "field", "told"),
    [
        ({"kind": "oidc", "client_id": "garden"}, "issuer", "OpenID Connect needs this."),
        ({"kind": "ldap", "issuer": "https://x.example", "client_id": "g"}, "kind", "not a valid"),
        ({"kind": "saml", "entity_id": "https://idp.example"}, "sso_url", "SAML, without"),
        ({"kind": "saml", "metadata_url": "https://10.1.2.3/m"}, "metadata_url", "private"),
        (_body("not a url"), "issuer", "Enter a valid URL."),
        (_body("https://login.acme.example", client_id="a\nb"), "client_id", "line"),
        (_body("https://10.1.2.3"), "issuer", "refused: the address is private"),
        (_body("https://169.254.169.254"), "issuer", "refused: the address is link-local"),
        (_body("https://login.acme.example"), "issuer", "could not be fetched"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(
    as_admin, account_a, fake_internet, body, field, told
):
    response = as_admin.put(URL, body, format="json")

    assert response.status_code == 400, response.content
    errors = _errors(response)
    assert field in errors and told in errors[field], errors
    assert not IdentityProvider.objects.exists()
    assert not [host for host, _ in fake_internet.connections if host.startswith(("10.", "169."))]


def test_a_loopback_provider_is_refused_unless_loopback_is_allowed(
    settings, as_admin, account_a, oidc_provider
):
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    response = as_admin.put(URL, _body(oidc_provider.issuer), format="json")

    assert response.status_code == 400
    assert "the address is loopback" in _errors(response)["issuer"]
    assert not IdentityProvider.objects.exists()


def test_a_discovery_document_pointing_the_server_inward_is_refused(
    as_admin, account_a, oidc_provider
):
    oidc_provider.discovery = {**oidc_provider._document(), "jwks_uri": "http://10.0.0.1/keys"}

    response = as_admin.put(URL, _body(oidc_provider.issuer), format="json")

    assert response.status_code == 400
    assert "jwks_uri (http://10.0.0.1/keys) is refused" in _errors(response)["issuer"]


def test_single_sign_on_cannot_be_required_without_domains(as_admin, account_a, oidc_provider):
    response = as_admin.put(URL, _body(oidc_provider.issuer, sso_required=True), format="json")

    assert response.status_code == 400
    assert _errors(response) == {"sso_required": "Add the account's email domains first."}
    assert not IdentityProvider.objects.exists()


def test_deleting_it_ends_single_sign_on_and_the_links_through_it(
    client, as_admin, account_a, oidc_provider
):
    provider = sso_set_up(account_a, oidc_provider, domains=["acme.example"])
    oidc_provider.add_person("nora@acme.example")
    sso_sign_in(client, typed="nora@acme.example", at_provider="nora@acme.example")
    assert SocialAccount.objects.filter(provider=provider.provider_id).count() == 1

    response = as_admin.delete(URL)

    assert response.status_code == 204
    assert not IdentityProvider.objects.exists()
    assert not SocialAccount.objects.exists()
    assert list(account_a.email_domains.values_list("domain", flat=True)) == ["acme.example"]


# --- Email domains ---------------------------------------------------------------------------


def test_a_programme_admin_adds_and_removes_domains(as_admin, account_a):
    added = as_admin.post(DOMAINS, {"domain": " ACME-Labs.example "}, format="json")
    listed = as_admin.get(DOMAINS)
    removed = as_admin.delete(DOMAINS + "acme-labs.example/")

    assert added.status_code == 201
    assert added.json()["domain"] == "acme-labs.example"
    assert [row["domain"] for row in listed.json()["results"]] == ["acme-labs.example"]
    assert removed.status_code == 204
    assert not EmailDomain.objects.exists()


@pytest.mark.parametrize(
    ("domain", "told"),
    [
        ("globex.example", "Another account already has globex.example."),
        ("acme.example", "acme.example is already one of the account's domains."),
        ("not a domain", "Write each domain as a plain lower-case name"),
        ("acme\n.example", "line"),
    ],
)
def test_a_domain_that_cannot_be_added_is_a_400(as_admin, account_a, account_b, domain, told):
    EmailDomain.objects.create(account=account_b, domain="globex.example")
    EmailDomain.objects.create(account=account_a, domain="acme.example")

    response = as_admin.post(DOMAINS, {"domain": domain}, format="json")

    assert response.status_code == 400
    assert told in _errors(response)["domain"]
    assert EmailDomain.objects.count() == 2


def test_the_last_domain_stays_while_single_sign_on_is_required(as_admin, account_a, oidc_provider):
    sso_set_up(account_a, oidc_provider, domains=["acme.example"], sso_required=True)

    response = as_admin.delete(DOMAINS + "acme.example/")

    assert response.status_code == 400
    assert "keeps at least one email domain" in api_error(response)["detail"]
    assert EmailDomain.objects.filter(account=account_a).exists()


def test_the_accounts_admin_reads_the_domains_but_does_not_change_them(api, admin_a, account_a):
    EmailDomain.objects.create(account=account_a, domain="acme.example")
    api_login(api, admin_a)

    listed = api.get(DOMAINS)
    added = api.post(DOMAINS, {"domain": "gmail.example"}, format="json")
    removed = api.delete(DOMAINS + "acme.example/")

    assert listed.status_code == 200
    assert (added.status_code, removed.status_code) == (403, 403)
    assert list(EmailDomain.objects.values_list("domain", flat=True)) == ["acme.example"]


def test_a_domain_of_another_account_is_not_found_through_this_one(as_admin, account_a, account_b):
    EmailDomain.objects.create(account=account_b, domain="globex.example")

    response = as_admin.delete(DOMAINS + "globex.example/")

    assert response.status_code == 404
    assert EmailDomain.objects.filter(account=account_b).exists()


def test_the_domain_list_costs_the_same_queries_for_one_domain_or_many(
    api, programme_admin, account_a, django_assert_num_queries
):
    EmailDomain.objects.create(account=account_a, domain="acme.example")
    api_login(api, programme_admin)
    # the caller's permissions, own and groups' (programme admin); the account; the page (not
    # full: it tells the count, no COUNT query)
    with django_assert_num_queries(3):
        one = api.get(DOMAINS)
    for i in range(6):
        EmailDomain.objects.create(account=account_a, domain=f"acme-{i}.example")
    api_login(api, programme_admin)
    with django_assert_num_queries(3):
        many = api.get(DOMAINS)

    assert (one.json()["count"], many.json()["count"]) == (1, 7)


# --- Who may not ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member_b", "admin_b"])
def test_another_accounts_people_get_404_and_change_nothing(
    api, request, persona, account_a, oidc_provider
):
    provider = sso_set_up(account_a, oidc_provider, domains=["acme.example"])
    api_login(api, request.getfixturevalue(persona))

    answers = [
        api.get(URL).status_code,
        api.put(URL, _body("https://hijack.example"), format="json").status_code,
        api.patch(URL, {"client_id": "hijack"}, format="json").status_code,
        api.delete(URL).status_code,
        api.get(DOMAINS).status_code,
        api.post(DOMAINS, {"domain": "hijack.example"}, format="json").status_code,
        api.delete(DOMAINS + "acme.example/").status_code,
    ]

    assert answers == [404] * 7
    provider.refresh_from_db()
    assert provider.client_id == "customer-garden"
    assert list(EmailDomain.objects.values_list("domain", flat=True)) == ["acme.example"]


@pytest.mark.parametrize("persona", ["member_a", "account_manager_a", "product_manager"])
def test_who_may_see_the_account_but_not_its_sign_in_gets_403(
    api, request, persona, account_a, oidc_provider
):
    sso_set_up(account_a, oidc_provider, domains=["acme.example"])
    api_login(api, request.getfixturevalue(persona))

    assert api.get(URL).status_code == 403
    assert api.delete(URL).status_code == 403
    assert api.get(DOMAINS).status_code == 403
    assert IdentityProvider.objects.filter(account=account_a).exists()


def test_a_saml_provider_is_set_from_its_metadata_url_and_needs_no_redirect_uri(
    as_admin, account_a, saml_provider, settings
):
    settings.OUTBOUND_ALLOW_LOOPBACK = True  # the loopback provider's metadata address

    created = as_admin.put(
        URL, {"kind": "saml", "metadata_url": saml_provider.metadata_url}, format="json"
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["entity_id"], body["sso_url"], body["redirect_uri"]) == (
        "saml",
        saml_provider.entity_id,
        saml_provider.sso_url,
        "",
    )
    assert IdentityProvider.objects.get(account=account_a).x509cert == saml_provider.certificate


def test_a_typed_saml_certificate_that_is_not_one_is_a_400_and_nothing_is_saved(
    as_admin, account_a
):
    response = as_admin.put(
        URL,
        {
            "kind": "saml",
            "entity_id": "urn:idp",
            "sso_url": "https://idp.example/sso",
            "x509cert": "bm90IGEgY2VydA==",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "x509cert" in _errors(response)
    assert not IdentityProvider.objects.filter(account=account_a).exists()
