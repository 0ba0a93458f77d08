"""Real clicks in Debian's Chromium against a real SAML 2.0 identity provider on loopback
(tests/saml_provider.py, pysaml2): a new person of Acme signs in through Acme's provider and
lands in Acme as a member; a person of Acme's domain cannot enter Globex through Globex's
provider; and with "single sign-on required" Acme's people cannot log in with a password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import Membership, User
from tests.accounts.factories import PASSWORD, customer
from tests.accounts.sso_helpers import saml_set_up

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _set_up(account, idp, live_server, **kw):
    # Our metadata as the browser's host names it: the provider posts back there.
    return saml_set_up(
        account, idp, client=Client(HTTP_HOST=urlsplit(live_server.url).netloc), **kw
    )


def _sign_in(page, live_server, *, typed, at_provider):
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_label("Work email").fill(typed)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Loopback SAML identity provider").wait_for()
    page.get_by_label("Email").fill(at_provider)
    page.get_by_role("button", name="Sign in at the provider").click()


@pytest.mark.django_db(transaction=True)
def test_a_new_person_signs_in_through_their_accounts_saml_provider_and_lands_in_it(
    page, live_server, account_a, saml_provider
):
    problems: list[str] = []  # our pages' errors (the provider's favicon is not ours)
    page.on(
        "response",
        lambda r: r.status >= 400 and r.url.startswith(live_server.url) and problems.append(r.url),
    )
    _set_up(account_a, saml_provider, live_server, domains=["acme.example"])
    saml_provider.add_person("nora@acme.example", givenName="Nora", sn="Newcomer")

    _sign_in(page, live_server, typed="nora@acme.example", at_provider="nora@acme.example")

    page.wait_for_url(f"{live_server.url}/")
    page.get_by_text("Nora").first.wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "sso-saml-new-member-home.png", full_page=True)
    nora = User.objects.get(email="nora@acme.example")
    assert (nora.membership.account, nora.membership.role) == (account_a, "member")
    page.goto(f"{live_server.url}/accounts/")  # a customer's account list is their account
    page.wait_for_url(f"{live_server.url}/accounts/acme/")
    assert problems == []


@pytest.mark.django_db(transaction=True)
def test_a_person_of_acmes_domain_cannot_enter_globex_through_saml(
    page, live_server, account_a, account_b, saml_provider
):
    _set_up(account_a, saml_provider, live_server, domains=["acme.example"])
    _set_up(account_b, saml_provider, live_server, domains=["globex.example"])
    saml_provider.add_person("nora@acme.example")

    _sign_in(page, live_server, typed="bob@globex.example", at_provider="nora@acme.example")

    page.get_by_role("heading", name="Single sign-on refused").wait_for()
    assert "acme.example is not one of Globex Logistics" in page.content()
    page.screenshot(path=SCREENSHOTS / "sso-saml-refused.png", full_page=True)
    assert not User.objects.filter(email="nora@acme.example").exists()
    assert Membership.objects.filter(account=account_b).count() == 0


@pytest.mark.django_db(transaction=True)
def test_with_sso_required_a_saml_accounts_people_cannot_log_in_with_a_password(
    page, live_server, account_a, saml_provider
):
    _set_up(account_a, saml_provider, live_server, domains=["acme.example"], sso_required=True)
    alice = customer(account_a, email="alice@acme.example")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_text("Your organisation signs in with single sign-on").wait_for()
    page.screenshot(path=SCREENSHOTS / "sso-saml-required-password-refused.png", full_page=True)
    assert page.url.startswith(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/accounts/")
    page.wait_for_url(f"{live_server.url}/login/?next=/accounts/")
