"""Single sign-on in the tests: an account's provider set up against the loopback OpenID
Connect provider (tests/oidc_provider.py), and one sign-in walked through it."""

from __future__ import annotations

import html
import re

import requests
from django.urls import reverse

from accounts.single_sign_on import ProviderSettings, identity_provider_save

CLIENT_ID = "customer-garden"
CLIENT_SECRET = "loopback-secret-of-the-tests"  # noqa: S105 (a test provider's client secret)


def sso_set_up(account, idp, *, domains, base_url="http://testserver", sso_required=False):
    """Set the account's provider to `idp`, and register our callback there as its client."""
    provider = identity_provider_save(
        account=account,
        settings=ProviderSettings(
            kind="oidc",
            issuer=idp.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            sso_required=sso_required,
        ),
        domains=domains,
    )
    callback = reverse("openid_connect_callback", kwargs={"provider_id": provider.provider_id})
    idp.register_client(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=base_url + callback
    )
    return provider


def sso_start(client, typed: str) -> str:
    """Type `typed` on our single sign-on page: the provider's URL the page leads on to."""
    page = client.post(reverse("accounts:sso-login"), {"email": typed})
    assert page.status_code == 200, page.content
    found = re.search(r'id="sso-continue" href="([^"]+)"', page.content.decode())
    return html.unescape(found.group(1))


def sso_sign_in(client, *, typed: str, at_provider: str):
    """Type `typed` on our single sign-on page, sign in as `at_provider` at the provider the
    address leads to, and follow the provider back to our callback: its response."""
    answer = requests.post(
        sso_start(client, typed), data={"email": at_provider}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    return client.get(answer.headers["Location"])
