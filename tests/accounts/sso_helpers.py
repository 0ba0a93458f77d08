"""Single sign-on in the tests: an account's provider set up against the loopback OpenID
Connect provider (demo/oidc_provider.py) or the loopback SAML provider (tests/saml_provider.py),
and one sign-in walked through it."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

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


def saml_set_up(account, idp, *, domains, client=None, sso_required=False):
    """Set the account's provider to the SAML provider `idp` (its entity ID, sign-in URL and
    certificate), and register our service provider's metadata there."""
    from django.test import Client

    provider = identity_provider_save(
        account=account,
        settings=ProviderSettings(
            kind="saml",
            issuer="",
            client_id="",
            client_secret="",
            sso_required=sso_required,
            entity_id=idp.entity_id,
            sso_url=idp.sso_url,
            x509cert=idp.certificate,
        ),
        domains=domains,
    )
    metadata = (client or Client()).get(reverse("saml_metadata", args=[provider.provider_id]))
    assert metadata.status_code == 200, metadata.content
    idp.register_sp(metadata.content.decode())
    return provider


def saml_answer(client, *, typed: str, at_provider: str) -> dict:
    """Type `typed` on our single sign-on page and sign in as `at_provider` at the SAML
    provider the address leads to: the form the provider answers with (`action`, where it
    posts, and the `SAMLResponse` and `RelayState` it posts)."""
    # python3-saml reads the Host header, which browsers always send and Django's test client
    # does not.
    client.defaults.setdefault("HTTP_HOST", "testserver")
    url = urlsplit(sso_start(client, typed))
    query = dict(parse_qsl(url.query))
    answer = requests.post(
        f"{url.scheme}://{url.netloc}{url.path}",
        data={**query, "email": at_provider},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    form = {"action": re.search(r'action="([^"]+)"', answer.text).group(1)}
    for name in ("SAMLResponse", "RelayState"):
        found = re.search(rf'name="{name}" value="([^"]*)"', answer.text)
        form[name] = html.unescape(found.group(1))
    return form


def saml_post(client, form: dict):
    """Post the provider's answer to our assertion consumer service, as the browser does, and
    follow it to the end of the sign-in: its response."""
    path = urlsplit(html.unescape(form["action"])).path
    kept = client.post(
        path, {"SAMLResponse": form["SAMLResponse"], "RelayState": form["RelayState"]}
    )
    assert kept.status_code == 302, kept.content
    return client.get(kept["Location"])


def saml_sign_in(client, *, typed: str, at_provider: str):
    """`sso_sign_in` through a SAML provider."""
    return saml_post(client, saml_answer(client, typed=typed, at_provider=at_provider))
