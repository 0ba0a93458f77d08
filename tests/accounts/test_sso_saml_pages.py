"""Single sign-on through an account's SAML 2.0 provider, against a real pysaml2 identity
provider on loopback: a new person of A's domain joins A, nobody gets into another account
through it, and every answer of the provider that is wrong — for another audience, expired,
signed by another key, unsigned, replayed — is refused, logged, with nothing created."""

from __future__ import annotations

import logging

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from accounts.models import Membership, User
from tests.accounts.factories import customer
from tests.accounts.sso_helpers import saml_answer, saml_post, saml_set_up, saml_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_saml(account_a, saml_provider):
    saml_provider.add_person("nora@acme.example", givenName="Nora", sn="Newcomer")
    return saml_set_up(account_a, saml_provider, domains=["acme.example"])


def _rows():
    return (User.objects.count(), Membership.objects.count(), SocialAccount.objects.count())


def test_a_new_person_of_the_accounts_domain_signs_in_and_joins_it_as_a_member(
    client, account_a, acme_saml
):
    response = saml_sign_in(client, typed="nora@acme.example", at_provider="nora@acme.example")

    assert (response.status_code, response["Location"]) == (302, "/")
    nora = User.objects.get(email="nora@acme.example")
    assert (nora.first_name, nora.last_name, nora.has_usable_password()) == (
        "Nora",
        "Newcomer",
        False,
    )
    assert (nora.membership.account, nora.membership.role) == (account_a, "member")
    assert client.get("/").wsgi_request.user == nora
    social = SocialAccount.objects.get(user=nora)
    assert (social.provider, social.uid) == (acme_saml.provider_id, "subject-nora@acme.example")


def test_a_member_signs_in_again_as_the_same_person(
    client, member_a, account_a, acme_saml, saml_provider
):
    saml_provider.add_person(member_a.email, givenName="Alice")

    first = saml_sign_in(client, typed=member_a.email, at_provider=member_a.email)
    client.logout()
    second = saml_sign_in(client, typed=member_a.email, at_provider=member_a.email)

    assert (first.status_code, second.status_code) == (302, 302)
    assert client.get("/").wsgi_request.user == member_a
    assert Membership.objects.filter(user=member_a).count() == 1
    assert SocialAccount.objects.filter(user=member_a).count() == 1


def test_an_address_outside_the_accounts_domains_is_refused_and_nothing_is_created(
    client, acme_saml, saml_provider, caplog
):
    saml_provider.add_person("mallory@globex.example")
    before = _rows()

    with caplog.at_level(logging.WARNING, logger="accounts.single_sign_on"):
        response = saml_sign_in(
            client, typed="nora@acme.example", at_provider="mallory@globex.example"
        )

    assert response.status_code == 403
    assert "globex.example is not one of Acme Industrial" in response.content.decode()
    assert _rows() == before
    assert "Single sign-on refused" in caplog.text
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_member_of_another_account_cannot_enter_through_this_accounts_provider(
    client, account_b, acme_saml, saml_provider
):
    mole = customer(account_b, email="mole@acme.example")
    saml_provider.add_person(mole.email)
    before = _rows()

    response = saml_sign_in(client, typed=mole.email, at_provider=mole.email)

    assert response.status_code == 403
    assert "not a member of Acme Industrial" in response.content.decode()
    assert _rows() == before
    assert mole.membership.account == account_b


def test_a_person_of_as_domain_cannot_enter_b_through_bs_provider(
    client, account_b, acme_saml, saml_provider
):
    # Globex sets up its own SAML provider (the same loopback one) with its own domain.
    saml_set_up(account_b, saml_provider, domains=["globex.example"])
    before = _rows()

    response = saml_sign_in(client, typed="bob@globex.example", at_provider="nora@acme.example")

    assert response.status_code == 403
    assert "acme.example is not one of Globex Logistics" in response.content.decode()
    assert _rows() == before


@pytest.mark.parametrize(
    ("misbehaviour", "value", "told", "logged"),
    [
        ("audience", "https://someone-else.example/sp", "meant for another application",
         "is not a valid audience"),
        ("lifetime_minutes", -10, "had expired", "expired"),
        ("sign_with_other_key", True, "not signed by the certificate set up",
         "Signature validation failed"),
        ("sign", False, "was not signed", "No Signature found"),
    ],
)  # fmt: skip
def test_a_wrong_answer_is_refused_logged_and_nothing_is_created(
    client, acme_saml, saml_provider, caplog, misbehaviour, value, told, logged
):
    setattr(saml_provider, misbehaviour, value)
    before = _rows()

    with caplog.at_level(logging.WARNING, logger="accounts.allauth_adapters"):
        response = saml_sign_in(client, typed="nora@acme.example", at_provider="nora@acme.example")

    assert response.status_code == 403
    assert told in response.content.decode()
    assert _rows() == before
    assert "Single sign-on refused" in caplog.text
    assert logged in caplog.text
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_replayed_answer_is_refused_in_the_same_browser_and_in_another(client, acme_saml, caplog):
    answer = saml_answer(client, typed="nora@acme.example", at_provider="nora@acme.example")
    assert saml_post(client, answer).status_code == 302
    client.logout()
    users = User.objects.count()

    with caplog.at_level(logging.WARNING, logger="accounts.sso_views"):
        again = saml_post(client, answer)
        elsewhere = saml_post(Client(HTTP_HOST="testserver"), answer)

    for replayed in (again, elsewhere):
        assert replayed.status_code == 403
        assert "This sign-in was already used" in replayed.content.decode()
    assert User.objects.count() == users
    assert caplog.text.count("a SAML answer to no pending request") == 2
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_member_with_a_second_factor_is_asked_for_it_after_the_provider(
    client, member_a, acme_saml, saml_provider, clock
):
    from tests.accounts.mfa_helpers import totp_activate, totp_code

    secret = totp_activate(member_a)
    saml_provider.add_person(member_a.email)

    response = saml_sign_in(client, typed=member_a.email, at_provider=member_a.email)

    assert (response.status_code, response["Location"]) == (302, "/auth/2fa/authenticate/")
    assert not client.get("/").wsgi_request.user.is_authenticated
    done = client.post("/auth/2fa/authenticate/", {"code": totp_code(secret, clock.now)})
    assert done.status_code == 302
    assert client.get("/").wsgi_request.user == member_a


def test_with_sso_required_the_accounts_people_cannot_use_a_password(
    client, account_a, saml_provider
):
    saml_set_up(account_a, saml_provider, domains=["acme.example"], sso_required=True)
    alice = customer(account_a, email="alice@acme.example")
    alice.set_password("a long and careful passphrase")
    alice.save()

    login = client.post(
        "/login/", {"username": alice.email, "password": "a long and careful passphrase"}
    )
    reset = client.post("/password/reset/", {"email": alice.email})

    for refused in (login, reset):
        assert "Your organisation signs in with single sign-on" in refused.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_our_metadata_names_our_entity_id_and_assertion_consumer_service(client, acme_saml):
    response = client.get(f"/auth/saml/{acme_saml.provider_id}/metadata/")

    body = response.content.decode()
    assert response.status_code == 200
    assert f'entityID="http://testserver/auth/saml/{acme_saml.provider_id}/metadata/"' in body
    assert f'Location="http://testserver/auth/saml/{acme_saml.provider_id}/acs/"' in body


def test_routes_of_no_provider_are_not_found_and_single_logout_is_not_offered(client, acme_saml):
    assert client.get("/auth/saml/account-999999/metadata/").status_code == 404
    assert client.get("/auth/saml/account-999999/acs/finish/").status_code == 404
    logout = client.get(f"/auth/saml/{acme_saml.provider_id}/sls/")
    assert (logout.status_code, logout["Content-Type"]) == (410, "text/plain; charset=utf-8")
