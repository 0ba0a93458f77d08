"""Staff single sign-on through the company's provider (STAFF_SSO_*), OpenID Connect or SAML,
against the loopback providers: an existing internal person signs in as themselves; nobody
is created, and no customer, unknown or outside address gets in; the second factor and
MFA_REQUIRED_FOR_STAFF still apply after the provider."""

from __future__ import annotations

import logging

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.models import Membership, User
from tests.accounts.factories import customer
from tests.accounts.sso_helpers import CLIENT_SECRET, saml_sign_in, sso_sign_in

pytestmark = pytest.mark.django_db
STAFF_CLIENT_ID = "customer-garden-staff"


@pytest.fixture
def staff_oidc(settings, oidc_provider):
    settings.STAFF_SSO_PROTOCOL = "oidc"
    settings.STAFF_SSO_DOMAINS = ["garden.example"]
    settings.STAFF_SSO_ISSUER = oidc_provider.issuer
    settings.STAFF_SSO_CLIENT_ID = STAFF_CLIENT_ID
    settings.STAFF_SSO_CLIENT_SECRET = CLIENT_SECRET
    callback = reverse("openid_connect_callback", kwargs={"provider_id": "staff"})
    oidc_provider.register_client(
        client_id=STAFF_CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri="http://testserver" + callback,
    )
    return oidc_provider


@pytest.fixture
def staff_saml(settings, saml_provider, client):
    settings.STAFF_SSO_PROTOCOL = "saml"
    settings.STAFF_SSO_DOMAINS = ["garden.example"]
    settings.STAFF_SSO_SAML_ENTITY_ID = saml_provider.entity_id
    settings.STAFF_SSO_SAML_SSO_URL = saml_provider.sso_url
    settings.STAFF_SSO_SAML_X509CERT = saml_provider.certificate
    metadata = client.get("/auth/saml/staff/metadata/", HTTP_HOST="testserver")
    saml_provider.register_sp(metadata.content.decode())
    return saml_provider


def _rows():
    return (User.objects.count(), Membership.objects.count(), SocialAccount.objects.count())


def test_an_internal_person_signs_in_through_the_companys_openid_connect_provider(
    client, account_manager_a, staff_oidc
):
    staff_oidc.add_person(account_manager_a.email, given_name="Carol")

    response = sso_sign_in(
        client, typed=account_manager_a.email, at_provider=account_manager_a.email
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").wsgi_request.user == account_manager_a
    assert not Membership.objects.filter(user=account_manager_a).exists()
    assert SocialAccount.objects.get(user=account_manager_a).provider == "staff"


def test_an_internal_person_signs_in_through_the_companys_saml_provider(
    client, programme_admin, staff_saml
):
    staff_saml.add_person(programme_admin.email)

    response = saml_sign_in(client, typed=programme_admin.email, at_provider=programme_admin.email)

    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").wsgi_request.user == programme_admin


@pytest.mark.parametrize(
    ("at_provider", "told"),
    [
        ("newcomer@garden.example", "There is no staff login for this address"),
        ("client@garden.example", "There is no staff login for this address"),
        ("nora@acme.example", "acme.example is not one of the company&#x27;s domains"),
    ],
    ids=["nobody-yet", "a-customer", "outside-the-domains"],
)
def test_only_existing_internal_people_of_the_companys_domains_come_in(
    client, account_a, product_manager, staff_oidc, caplog, at_provider, told
):
    customer(account_a, email="client@garden.example")
    staff_oidc.add_person(at_provider)
    before = _rows()

    with caplog.at_level(logging.WARNING, logger="accounts.single_sign_on"):
        response = sso_sign_in(client, typed=product_manager.email, at_provider=at_provider)

    assert response.status_code == 403
    assert told in response.content.decode()
    assert _rows() == before
    assert "Single sign-on refused (staff)" in caplog.text
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_deactivated_internal_login_is_refused(client, product_manager, staff_oidc):
    product_manager.is_active = False
    product_manager.save()
    staff_oidc.add_person(product_manager.email)

    response = sso_sign_in(client, typed=product_manager.email, at_provider=product_manager.email)

    assert response.status_code == 403
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_with_mfa_required_an_internal_person_is_sent_to_set_it_up_after_the_provider(
    client, settings, account_manager_a, staff_oidc
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff_oidc.add_person(account_manager_a.email)

    sso_sign_in(client, typed=account_manager_a.email, at_provider=account_manager_a.email)
    home = client.get("/")
    setup = client.get("/auth/2fa/totp/activate/")

    assert home.wsgi_request.user == account_manager_a
    assert (home.status_code, home["Location"]) == (302, "/auth/2fa/")
    # allauth takes only a password (or a second factor) as "recently authenticated", not a
    # provider's sign-in: a staff login that has a password types it before the setup.
    assert setup["Location"].startswith("/auth/reauthenticate/")


def test_an_internal_person_with_a_second_factor_is_asked_for_it_after_the_provider(
    client, settings, product_manager, staff_oidc, clock
):
    from tests.accounts.mfa_helpers import totp_activate, totp_code

    settings.MFA_REQUIRED_FOR_STAFF = True
    secret = totp_activate(product_manager)
    staff_oidc.add_person(product_manager.email)

    response = sso_sign_in(client, typed=product_manager.email, at_provider=product_manager.email)

    assert response["Location"] == "/auth/2fa/authenticate/"
    assert not client.get("/").wsgi_request.user.is_authenticated
    client.post("/auth/2fa/authenticate/", {"code": totp_code(secret, clock.now)})
    assert client.get("/portfolio/").status_code == 200


def test_without_staff_single_sign_on_the_companys_addresses_have_none(client, product_manager):
    response = client.post("/login/sso/", {"email": product_manager.email})

    assert response.status_code == 400
    assert "No single sign-on is set up for garden.example" in response.content.decode()
