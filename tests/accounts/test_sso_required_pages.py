""" "Single sign-on required": an account's people may not log in with a password nor reset one;
everyone else's password login is unchanged."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.accounts.factories import customer
from tests.accounts.sso_helpers import sso_set_up

pytestmark = pytest.mark.django_db
PASSWORD = "a long and careful passphrase"  # noqa: S105


@pytest.fixture
def acme_requires_sso(account_a, oidc_provider):
    return sso_set_up(account_a, oidc_provider, domains=["acme.example"], sso_required=True)


def _person(account, email):
    person = customer(account, email=email)
    person.set_password(PASSWORD)
    person.save()
    return person


def test_a_password_login_of_the_accounts_domain_is_refused_pointing_to_sso(
    client, account_a, acme_requires_sso
):
    _person(account_a, "alice@acme.example")

    response = client.post("/login/", {"username": "alice@acme.example", "password": PASSWORD})

    assert response.status_code == 200
    assert "Your organisation signs in with single sign-on" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_member_with_an_address_elsewhere_is_refused_too(client, account_a, acme_requires_sso):
    _person(account_a, "alice@consultant.example")

    response = client.post(
        "/login/", {"username": "alice@consultant.example", "password": PASSWORD}
    )

    assert "Your organisation signs in with single sign-on" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_other_accounts_still_log_in_with_a_password(client, account_b, acme_requires_sso):
    bob = _person(account_b, "bob@globex.example")

    response = client.post("/login/", {"username": bob.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == bob


def test_without_the_requirement_the_accounts_people_log_in_with_a_password(
    client, account_a, oidc_provider
):
    sso_set_up(account_a, oidc_provider, domains=["acme.example"], sso_required=False)
    alice = _person(account_a, "alice@acme.example")

    response = client.post("/login/", {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == alice


def test_a_password_reset_for_the_accounts_domain_is_refused(client, account_a, acme_requires_sso):
    _person(account_a, "alice@acme.example")

    response = client.post("/password/reset/", {"email": "alice@acme.example"})

    assert response.status_code == 200
    assert "Your organisation signs in with single sign-on" in response.content.decode()
    assert mail.outbox == []


def test_a_member_with_an_address_elsewhere_gets_no_reset_email(
    client, account_a, account_b, acme_requires_sso
):
    _person(account_a, "alice@consultant.example")
    _person(account_b, "bob@globex.example")

    refused = client.post("/password/reset/", {"email": "alice@consultant.example"})
    allowed = client.post("/password/reset/", {"email": "bob@globex.example"})

    # The same page for both, so it tells nobody who is a member where; only Bob gets a link.
    assert (refused.status_code, allowed.status_code) == (302, 302)
    assert [message.to for message in mail.outbox] == [["bob@globex.example"]]
