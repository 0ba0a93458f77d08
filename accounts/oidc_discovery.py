"""An OpenID Connect provider's discovery document (`<issuer>/.well-known/openid-configuration`),
fetched and checked when an account's identity provider is saved.

The issuer is a URL an admin typed, so the server reaches it only as config/outbound.py allows
(public addresses, https, no redirect followed), and so the endpoints the document names that
the server itself will call at every login (the token endpoint, the keys, the user info) are
checked by the same rule before anything is saved. The authorization endpoint is where the
person's browser goes, so it only has to be https (or plain http where the issuer is).

At login, allauth fetches the document and calls those endpoints again, through the same rule
(`accounts.allauth_adapters.SocialAccountAdapter.get_requests_session`): an address that
changed since the save is refused then too.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError

from config.outbound import (
    DestinationRefused,
    OutboundRefused,
    destination_check,
    outbound_session,
    plain_http_allowed,
)

logger = logging.getLogger(__name__)

DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_KEYS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
# The endpoints the server calls itself (allauth, at login), checked by the outbound rule.
SERVER_ENDPOINTS = ("token_endpoint", "jwks_uri", "userinfo_endpoint")
TIMEOUT_SECONDS = 5
PUBLIC_ONLY = "identity providers are reached at public https addresses only"


def url_refusal(url: str) -> str | None:
    """Why the server may not call `url` (a few words of ours), or None when it may."""
    try:
        destination = destination_check(url)
    except DestinationRefused as refused:
        return refused.reason
    if urlsplit(url).scheme != "https" and not plain_http_allowed(destination):
        return "it is not https"
    return None


def _fetch(issuer: str, url: str) -> requests.Response:
    refusal = url_refusal(issuer)
    if refusal:
        raise ValidationError(
            f"The issuer's address is refused: {refusal} ({PUBLIC_ONLY}).", code="refused"
        )
    try:
        with outbound_session(timeout=TIMEOUT_SECONDS) as session:
            return session.get(url, headers={"Accept": "application/json"})
    except OutboundRefused as refused:
        raise ValidationError(
            f"The issuer's address is refused: {refused.reason} ({PUBLIC_ONLY}).", code="refused"
        ) from None
    except requests.TooManyRedirects:
        raise ValidationError(
            f"The provider redirects {url} elsewhere: give the issuer it names itself by, "
            "whose discovery document is served without a redirect.",
            code="unreachable",
        ) from None
    except requests.RequestException as error:
        logger.info("Discovery document of %s not fetched: %r", issuer, error)
        raise ValidationError(
            f"The provider's discovery document could not be fetched from {url}: no answer.",
            code="unreachable",
        ) from None


def _document(url: str, response: requests.Response) -> dict:
    if response.status_code != 200:
        raise ValidationError(
            f"The provider answered {response.status_code} at {url}, not its discovery document.",
            code="unreachable",
        )
    try:
        document = response.json()
    except ValueError:
        raise ValidationError(
            f"What the provider serves at {url} is not a JSON discovery document.",
            code="bad_metadata",
        ) from None
    if not isinstance(document, dict):
        raise ValidationError(
            f"What the provider serves at {url} is not a JSON discovery document.",
            code="bad_metadata",
        )
    missing = [key for key in DISCOVERY_KEYS if not isinstance(document.get(key), str)]
    if missing:
        raise ValidationError(
            f"The provider's discovery document lacks {', '.join(missing)}.",
            code="bad_metadata",
        )
    return document


def _endpoints_check(issuer: str, document: dict) -> None:
    for key in SERVER_ENDPOINTS:
        url = document.get(key)
        if url is None and key == "userinfo_endpoint":
            continue  # optional in the standard
        refusal = url_refusal(url) if isinstance(url, str) else "it is not a URL"
        if refusal:
            raise ValidationError(
                f"The provider's {key} ({url}) is refused: {refusal} ({PUBLIC_ONLY}).",
                code="refused",
            )
    scheme = urlsplit(document["authorization_endpoint"]).scheme
    if scheme != "https" and not (scheme == "http" and urlsplit(issuer).scheme == "http"):
        raise ValidationError(
            "The provider's authorization_endpoint must be an https URL.", code="bad_metadata"
        )


def discovery_check(issuer: str) -> dict:
    """The provider's discovery document, or ValidationError saying what is wrong with it:
    an address the server may not reach, no answer, no JSON, missing keys, another issuer's
    name, an endpoint the server may not call."""
    url = issuer.rstrip("/") + DISCOVERY_PATH
    document = _document(url, _fetch(issuer, url))
    if document["issuer"] != issuer:
        raise ValidationError(
            f"The provider calls itself {document['issuer']!r}, not {issuer!r}: the issuer "
            "must be exactly the one in its discovery document.",
            code="issuer_mismatch",
        )
    _endpoints_check(issuer, document)
    return document
