"""Single sign-on through an account's OpenID Connect provider, against a real provider on
loopback: a new person of A's domain joins A, nobody gets into another account through it, and
every answer of the provider that is wrong is refused, logged, with nothing created."""

from __future__ import annotations

import logging

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from accounts.models import Membership, User
from tests.accounts.sso_helpers import sso_set_up, sso_sign_in, sso_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_sso(account_a, oidc_provider):
    oidc_provider.add_person("nora@acme.example", given_name="Nora", family_name="Newcomer")
    return sso_set_up(account_a, oidc_provider, domains=["acme.example"])


def _rows():
    return (User.objects.count(), Membership.objects.count(), SocialAccount.objects.count())


def test_a_new_person_of_the_accounts_domain_signs_in_and_joins_it_as_a_member(
    client, account_a, acme_sso
):
    response = sso_sign_in(client, typed="nora@acme.example", at_provider="nora@acme.example")

    assert response.status_code == 302
    assert response["Location"] == "/"
    nora = User.objects.get(email="nora@acme.example")
    assert (nora.first_name, nora.last_name, nora.has_usable_password()) == (
        "Nora",
        "Newcomer",
        False,
    )
    assert nora.membership.account == account_a
    assert nora.membership.role == "member"
    assert client.get("/").wsgi_request.user == nora
    assert SocialAccount.objects.get(user=nora).provider == acme_sso.provider_id


def test_a_member_signs_in_again_as_the_same_person(
    client, member_a, account_a, acme_sso, oidc_provider
):
    oidc_provider.add_person(member_a.email, given_name="Alice")

    first = sso_sign_in(client, typed=member_a.email, at_provider=member_a.email)
    client.logout()
    second = sso_sign_in(client, typed=member_a.email, at_provider=member_a.email)

    assert (first.status_code, second.status_code) == (302, 302)
    assert client.get("/").wsgi_request.user == member_a
    assert Membership.objects.filter(user=member_a).count() == 1
    assert SocialAccount.objects.filter(user=member_a).count() == 1


def test_the_page_says_when_no_provider_is_set_up_for_the_domain(client, acme_sso):
    response = client.post("/login/sso/", {"email": "someone@elsewhere.example"})

    assert response.status_code == 400
    assert "No single sign-on is set up for elsewhere.example" in response.content.decode()


def test_an_address_outside_the_accounts_domains_is_refused_and_nothing_is_created(
    client, acme_sso, oidc_provider, caplog
):
    # The person types an address of Acme's domain; the provider vouches for another one.
    oidc_provider.add_person("mallory@globex.example", given_name="Mallory")
    before = _rows()

    with caplog.at_level(logging.WARNING, logger="accounts.single_sign_on"):
        response = sso_sign_in(
            client, typed="nora@acme.example", at_provider="mallory@globex.example"
        )

    assert response.status_code == 403
    assert "globex.example is not one of Acme Industrial" in response.content.decode()
    assert _rows() == before
    assert "Single sign-on refused" in caplog.text
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_member_of_another_account_cannot_enter_through_this_accounts_provider(
    client, account_b, acme_sso, oidc_provider
):
    # Acme's provider vouches for an acme.example address that is already a member of Globex.
    from tests.accounts.factories import customer

    mole = customer(account_b, email="mole@acme.example")
    oidc_provider.add_person(mole.email)
    before = _rows()

    response = sso_sign_in(client, typed=mole.email, at_provider=mole.email)

    assert response.status_code == 403
    assert "not a member of Acme Industrial" in response.content.decode()
    assert _rows() == before
    assert mole.membership.account == account_b
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_person_of_as_domain_cannot_enter_b_through_bs_provider(
    client, account_a, account_b, acme_sso, oidc_provider
):
    # Globex sets up its own provider (the same loopback one) with its own domain; a person
    # of Acme's domain who signs in at it is refused: the address is not Globex's.
    sso_set_up(account_b, oidc_provider, domains=["globex.example"])
    oidc_provider.add_person("bob@globex.example")
    before = _rows()

    response = sso_sign_in(client, typed="bob@globex.example", at_provider="nora@acme.example")

    assert response.status_code == 403
    assert "acme.example is not one of Globex Logistics" in response.content.decode()
    assert _rows() == before


@pytest.mark.parametrize(
    ("misbehaviour", "value", "told"),
    [
        ("audience", "someone-else", "meant for another application"),
        ("token_lifetime", -120, "had expired"),
        ("token_issuer", "http://127.0.0.1:9/impostor", "another issuer"),
    ],
)
def test_a_wrong_id_token_is_refused_logged_and_nothing_is_created(
    client, acme_sso, oidc_provider, caplog, misbehaviour, value, told
):
    setattr(oidc_provider, misbehaviour, value)
    before = _rows()

    with caplog.at_level(logging.WARNING, logger="accounts.allauth_adapters"):
        response = sso_sign_in(client, typed="nora@acme.example", at_provider="nora@acme.example")

    assert response.status_code == 403
    assert told in response.content.decode()
    assert _rows() == before
    assert "Single sign-on refused" in caplog.text
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_replayed_callback_is_refused(client, acme_sso, oidc_provider):
    answer = requests.post(
        sso_start(client, "nora@acme.example"),
        data={"email": "nora@acme.example"},
        allow_redirects=False,
        timeout=10,
    )
    callback = answer.headers["Location"]
    assert client.get(callback).status_code == 302
    client.logout()
    users = User.objects.count()

    replayed = client.get(callback)

    assert replayed.status_code == 403
    assert User.objects.count() == users
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_member_with_a_second_factor_is_asked_for_it_after_the_provider(
    client, member_a, acme_sso, oidc_provider, clock
):
    from tests.accounts.mfa_helpers import totp_activate, totp_code

    secret = totp_activate(member_a)
    oidc_provider.add_person(member_a.email)

    response = sso_sign_in(client, typed=member_a.email, at_provider=member_a.email)

    assert (response.status_code, response["Location"]) == (302, "/auth/2fa/authenticate/")
    assert not client.get("/").wsgi_request.user.is_authenticated
    done = client.post("/auth/2fa/authenticate/", {"code": totp_code(secret, clock.now)})
    assert done.status_code == 302
    assert client.get("/").wsgi_request.user == member_a


def test_an_unreachable_provider_gets_a_clear_error_at_the_start(client, account_a, fake_internet):
    from accounts.single_sign_on import ProviderSettings, identity_provider_save

    identity_provider_save(
        account=account_a,
        settings=ProviderSettings("oidc", "https://login.acme.example", "garden", "", False),
        domains=["acme.example"],
    )

    response = client.post("/login/sso/", {"email": "nora@acme.example"})

    assert response.status_code == 400
    assert "identity provider cannot be reached just now" in response.content.decode()


def test_the_login_page_leads_to_single_sign_on(client, db):
    page = client.get("/login/?next=/ideas/")

    assert 'href="/login/sso/?next=/ideas/"' in page.content.decode()


# --- What allauth fetches at login goes through the outbound rule too ------------------------


def test_a_provider_whose_name_now_points_into_the_private_network_is_not_asked(
    client, account_a, oidc_provider, fake_internet
):
    # Saved while idp.test was the loopback provider; then its name was pointed elsewhere.
    oidc_provider.issuer = oidc_provider.issuer.replace("127.0.0.1", "idp.test")
    fake_internet.answer("idp.test", ["127.0.0.1"])
    sso_set_up(account_a, oidc_provider, domains=["acme.example"])
    assert sso_start(client, "nora@acme.example").startswith(oidc_provider.issuer)
    fake_internet.answer("idp.test", ["10.11.12.13"])
    fake_internet.connections.clear()

    response = client.post("/login/sso/", {"email": "nora@acme.example"})

    assert response.status_code == 400
    assert "identity provider cannot be reached just now" in response.content.decode()
    assert fake_internet.connections == []


def test_a_token_endpoint_moved_into_the_private_network_is_refused_at_the_callback(
    client, acme_sso, oidc_provider, fake_internet
):
    provider_page = sso_start(client, "nora@acme.example")
    answer = requests.post(
        provider_page, data={"email": "nora@acme.example"}, allow_redirects=False, timeout=10
    )
    oidc_provider.discovery = {**oidc_provider._document(), "token_endpoint": "http://10.0.0.7/t"}
    before = _rows()
    fake_internet.connections.clear()

    response = client.get(answer.headers["Location"])

    assert response.status_code == 403
    assert _rows() == before
    assert not [host for host, _ in fake_internet.connections if host == "10.0.0.7"]
    assert not client.get("/").wsgi_request.user.is_authenticated
