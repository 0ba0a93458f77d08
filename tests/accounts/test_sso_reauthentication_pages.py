"""Second factors for people who sign in through their account's identity provider
(accounts/sso_reauthentication.py): someone single sign-on created has no password, so before
setting up or changing a second factor they sign in again *at the provider* (the loopback
OpenID Connect provider of demo/oidc_provider.py), which must really have signed them in
again; then the authenticator app is set up as anyone's is."""

from __future__ import annotations

import html
import re

import pytest
import requests
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY

from accounts.models import User
from tests.accounts.factories import PASSWORD
from tests.accounts.mfa_helpers import authenticator_kinds, totp_activate, totp_code
from tests.accounts.sso_helpers import sso_set_up, sso_sign_in

pytestmark = pytest.mark.django_db

ACTIVATE = "/auth/2fa/totp/activate/"
REAUTHENTICATE = "/auth/reauthenticate/sso/"
NORA = "nora@acme.example"


@pytest.fixture
def nora(client, account_a, oidc_provider):
    """Nora, whom Acme's provider vouches for: single sign-on made her a member (no password),
    and her browser's session came in through it."""
    oidc_provider.add_person(NORA, given_name="Nora")
    sso_set_up(account_a, oidc_provider, domains=["acme.example"])
    assert sso_sign_in(client, typed=NORA, at_provider=NORA).status_code == 302
    person = User.objects.get(email=NORA)
    assert not person.has_usable_password()
    return person


def _continue_link(page) -> str:
    found = re.search(r'id="sso-continue" href="([^"]+)"', page.content.decode())
    return html.unescape(found.group(1))


def _sign_in_again(client, *, asked_from: str, at_provider: str = NORA):
    """Follow the page that asked for it to the provider, sign in there as `at_provider`, and
    come back: the answer to our callback."""
    asked = client.get(asked_from)
    assert asked.status_code == 302 and asked["Location"].startswith(REAUTHENTICATE), asked
    assert client.get(asked["Location"]).status_code == 200
    next_url = asked["Location"].split("next=", 1)[1]
    page = client.post(REAUTHENTICATE, {"next": requests.utils.unquote(next_url)})
    answer = requests.post(
        _continue_link(page), data={"email": at_provider}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    return client.get(answer.headers["Location"])


def test_a_person_single_sign_on_made_sets_up_an_authenticator_app_after_signing_in_again(
    client, nora, oidc_provider, clock
):
    assert (
        client.get(ACTIVATE)["Location"]
        == f"{REAUTHENTICATE}?next=%2Fauth%2F2fa%2Ftotp%2Factivate%2F"
    )

    back = _sign_in_again(client, asked_from=ACTIVATE)

    # The provider was asked to sign her in again, now, as her.
    asked = oidc_provider.authorize_requests[-1]
    assert (asked["prompt"], asked["max_age"], asked["login_hint"]) == ("login", "0", NORA)
    assert back.status_code == 302
    resumed = client.get(back["Location"])
    assert resumed["Location"] == ACTIVATE
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post(ACTIVATE, {"code": totp_code(secret, clock.now)})
    assert done.status_code == 302
    assert authenticator_kinds(nora) == {"totp", "recovery_codes"}
    # Still Nora's one session and one sign-in link: nobody was logged in or out.
    assert client.session[SESSION_KEY] == str(nora.pk)
    assert SocialAccount.objects.filter(user=nora).count() == 1


def test_the_security_key_page_asks_the_same_and_opens_after_it(client, nora):
    add = "/auth/2fa/webauthn/add/"

    _sign_in_again(client, asked_from=add)

    assert client.get(add).status_code == 200


def test_signing_in_again_holds_for_the_timeout_only(client, nora, settings):
    _sign_in_again(client, asked_from=ACTIVATE)
    assert client.get(ACTIVATE).status_code == 200

    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0

    assert client.get(ACTIVATE)["Location"].startswith(REAUTHENTICATE)


def test_a_provider_that_did_not_sign_her_in_again_is_refused(client, nora, oidc_provider, caplog):
    oidc_provider.auth_time = 1_000_000_000  # it kept an old sign-in, ignoring prompt=login

    refused = _sign_in_again(client, asked_from=ACTIVATE)

    assert refused.status_code == 403
    assert "did not confirm that you signed in again" in refused.content.decode()
    assert "Reauthentication refused" in caplog.text
    assert client.get(ACTIVATE)["Location"].startswith(REAUTHENTICATE)
    assert client.session[SESSION_KEY] == str(nora.pk)  # still logged in, nothing changed
    assert authenticator_kinds(nora) == set()


def test_someone_else_signing_in_at_the_provider_does_not_count(client, nora, oidc_provider):
    oidc_provider.add_person("otto@acme.example")

    refused = _sign_in_again(client, asked_from=ACTIVATE, at_provider="otto@acme.example")

    assert refused.status_code == 403
    assert client.get(ACTIVATE)["Location"].startswith(REAUTHENTICATE)
    assert client.session[SESSION_KEY] == str(nora.pk)
    assert not User.objects.filter(email="otto@acme.example").exists()


def test_with_a_second_factor_she_is_sent_to_the_provider_first_and_may_use_her_code(client, nora):
    totp_activate(nora)

    asked = client.get("/auth/2fa/totp/deactivate/")

    assert asked["Location"].startswith(f"{REAUTHENTICATE}?next=")
    # allauth's own page for a code offers the provider as the other way.
    assert REAUTHENTICATE in client.get("/auth/2fa/reauthenticate/").content.decode()
    _sign_in_again(client, asked_from="/auth/2fa/totp/deactivate/")
    assert client.post("/auth/2fa/totp/deactivate/").status_code == 302
    assert not Authenticator.objects.filter(user=nora, type="totp").exists()


def test_a_member_with_a_password_is_asked_for_it_and_offered_the_provider(
    client, member_a, account_a, oidc_provider
):
    oidc_provider.add_person(member_a.email)
    sso_set_up(account_a, oidc_provider, domains=["acme.example"])
    sso_sign_in(client, typed=member_a.email, at_provider=member_a.email)

    asked = client.get(ACTIVATE)

    assert asked["Location"].startswith("/auth/reauthenticate/?next=")
    assert REAUTHENTICATE in client.get(asked["Location"]).content.decode()
    client.post(asked["Location"], {"password": PASSWORD})
    assert client.get(ACTIVATE).status_code == 200


def test_a_person_with_no_password_and_no_single_sign_on_session_may_not_change_factors(
    client_for, account_a
):
    from tests.accounts.factories import customer

    person = customer(account_a, email="paul@acme.example")
    person.set_unusable_password()
    person.save()
    client = client_for(person)  # a session that did not come through a provider

    assert client.get(ACTIVATE).status_code == 403
    assert client.get(REAUTHENTICATE).status_code == 403


def test_the_page_is_for_logged_in_people_and_goes_back_to_this_site_only(client, nora):
    page = client.get(REAUTHENTICATE, {"next": "https://evil.example/"})
    client.logout()

    assert 'value="/auth/2fa/"' in page.content.decode()
    assert "evil.example" not in page.content.decode()
    assert client.get(REAUTHENTICATE)["Location"].startswith("/login/")


def test_a_code_posted_after_the_timeout_is_kept_and_used_once_she_signed_in_again(
    client, nora, settings, clock
):
    _sign_in_again(client, asked_from=ACTIVATE)
    secret = client.get(ACTIVATE).context["form"].secret
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0

    asked = client.post(ACTIVATE, {"code": totp_code(secret, clock.now)})

    assert asked["Location"].startswith(REAUTHENTICATE)
    assert authenticator_kinds(nora) == set()
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    page = client.post(REAUTHENTICATE, {"next": ACTIVATE})
    answer = requests.post(
        _continue_link(page), data={"email": NORA}, allow_redirects=False, timeout=10
    )
    back = client.get(answer.headers["Location"])
    resumed = client.get(back["Location"])  # the code she posted, posted now
    assert resumed.status_code == 302
    assert authenticator_kinds(nora) == {"totp", "recovery_codes"}


def test_a_session_from_a_provider_that_cannot_be_asked_again_keeps_allauths_rule(
    client_for, account_a
):
    # Only an OpenID Connect provider can be asked to sign someone in again and say when it
    # did; a session that came in through another kind (here one allauth no longer knows) is
    # left to allauth, which lets a person with no password and no factor set one up.
    from tests.accounts.factories import customer

    person = customer(account_a, email="sam@acme.example")
    person.set_unusable_password()
    person.save()
    SocialAccount.objects.create(user=person, provider="saml-staff", uid="sam")
    client = client_for(person)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "socialaccount", "at": 1.0, "provider": "saml-staff", "uid": "sam"}
    ]
    session["account_authentication_methods_user"] = str(person.pk)
    session.save()

    assert client.get(ACTIVATE).status_code == 200
    assert client.get(REAUTHENTICATE).status_code == 403
