"""A SAML 2.0 identity provider as its metadata describes it: the entity ID its assertions name,
the URL people are sent to (HTTP-Redirect binding) and the certificate that signs its
assertions. Read once, when an account's single sign-on settings are saved — from the
metadata's URL (fetched under config/outbound.py's rule) or from its XML pasted in — and kept
on the account's `IdentityProvider`; a login never fetches metadata.

python3-saml (the library under allauth's SAML provider) parses the XML, with DTDs and entities
forbidden; what is wrong with it is a `ValidationError` whose text says what to fix.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from cryptography import x509
from django.core.exceptions import ValidationError
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from config.outbound import (
    DestinationRefused,
    OutboundRefused,
    destination_check,
    outbound_session,
)

logger = logging.getLogger(__name__)

METADATA_MAX_BYTES = 1_000_000
_REDIRECT = OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT


@dataclass(frozen=True)
class SamlIdp:
    """What our side needs of a SAML identity provider."""

    entity_id: str
    sso_url: str
    x509cert: str  # PEM


def certificate_pem(text: str) -> str:
    """The certificate as PEM (its base64 body alone is taken too), or ValidationError."""
    body = OneLogin_Saml2_Utils.format_cert(text.strip(), heads=False).replace("\t", "")
    pem = OneLogin_Saml2_Utils.format_cert(body, heads=True)
    try:
        if not body:
            raise ValueError("empty")
        x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ValidationError(
            "This is not an X.509 certificate in PEM form (-----BEGIN CERTIFICATE----- …).",
            code="bad_certificate",
        ) from None
    return pem


def metadata_fetch(url: str) -> str:
    """The metadata document at `url`, or ValidationError saying why not. The address must be
    one the server may reach (config/outbound.py, checked again on the connection itself);
    redirects are not followed."""
    try:
        destination_check(url)
    except DestinationRefused as refused:
        raise ValidationError(
            f"The metadata URL may not be fetched: {refused.reason}.", code="refused"
        ) from None
    try:
        with outbound_session(timeout=5) as session:
            response = session.get(url)
    except OutboundRefused as refused:
        raise ValidationError(
            f"The metadata URL may not be fetched: {refused.reason}.", code="refused"
        ) from None
    except requests.TooManyRedirects:
        raise ValidationError(
            f"The provider redirects {url} elsewhere: give the address its metadata is served "
            "at without a redirect.",
            code="unreachable",
        ) from None
    except requests.RequestException as error:
        logger.info("SAML metadata at %s not fetched: %r", url, error)
        raise ValidationError(
            f"The provider's metadata could not be fetched from {url}: no answer.",
            code="unreachable",
        ) from None
    if response.status_code != 200:
        raise ValidationError(
            f"The provider answered {response.status_code} at {url}, not its metadata.",
            code="unreachable",
        )
    if len(response.content) > METADATA_MAX_BYTES:
        raise ValidationError("The provider's metadata is too large.", code="bad_metadata")
    return response.text


def metadata_read(xml: str) -> SamlIdp:
    """The identity provider described by a metadata document, or ValidationError saying what
    it lacks."""
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml.strip(), required_sso_binding=_REDIRECT)
    except Exception as error:  # noqa: BLE001 (lxml's and the parser's many errors are one answer)
        logger.info("SAML metadata not parsed: %r", error)
        raise ValidationError(
            "The metadata is not a SAML metadata XML document.", code="bad_metadata"
        ) from None
    idp = parsed.get("idp")
    if not idp:
        raise ValidationError(
            "The metadata describes no identity provider (no IDPSSODescriptor).",
            code="bad_metadata",
        )
    sso_url = idp.get("singleSignOnService", {}).get("url", "")
    signing = idp.get("x509certMulti", {}).get("signing") or [idp.get("x509cert", "")]
    missing = [
        name
        for name, value in (
            ("its entity ID", idp.get("entityId")),
            ("a single sign-on service with the HTTP-Redirect binding", sso_url),
            ("a signing certificate", signing[0]),
        )
        if not value
    ]
    if missing:
        raise ValidationError(f"The metadata lacks {', '.join(missing)}.", code="bad_metadata")
    if parsed.get("security", {}).get("authnRequestsSigned"):
        raise ValidationError(
            "The provider wants signed sign-in requests (WantAuthnRequestsSigned), which this "
            "site does not send: turn that off at the provider for this application.",
            code="bad_metadata",
        )
    return SamlIdp(entity_id=idp["entityId"], sso_url=sso_url, x509cert=certificate_pem(signing[0]))
