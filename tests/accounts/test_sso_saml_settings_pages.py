"""An account's SAML 2.0 settings: the provider's metadata read from its URL or its XML (or the
entity ID, sign-in URL and certificate typed), bad metadata refused with the reason and
nothing saved, and what the admin registers at the provider shown once it is saved."""

from __future__ import annotations

import pytest

from accounts.models import IdentityProvider
from tests.saml_provider import key_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def loopback_allowed(settings):
    # The loopback provider's address; production refuses to fetch from such an address.
    settings.WEBHOOK_ALLOW_LOOPBACK = True


def _form(**more):
    return {"kind": "saml", "domains": "acme.example", **more}


def _saved(account):
    provider = IdentityProvider.objects.get(account=account)
    return provider.kind, provider.entity_id, provider.sso_url, provider.x509cert


def test_a_programme_admin_sets_saml_from_the_metadata_url(
    client_for, programme_admin, account_a, saml_provider, loopback_allowed
):
    response = client_for(programme_admin).post(
        "/accounts/acme/sso/", _form(metadata_url=saml_provider.metadata_url)
    )

    assert response.status_code == 302
    assert _saved(account_a) == (
        "saml",
        saml_provider.entity_id,
        saml_provider.sso_url,
        saml_provider.certificate,
    )
    provider = IdentityProvider.objects.get(account=account_a)
    assert provider.metadata_url == saml_provider.metadata_url
    page = client_for(programme_admin).get("/accounts/acme/sso/").content.decode()
    assert f"http://testserver/auth/saml/{provider.provider_id}/acs/" in page
    assert f"<code>http://testserver/auth/saml/{provider.provider_id}/metadata/</code>" in page


def test_the_accounts_admin_sets_saml_from_pasted_metadata(
    client_for, admin_a, account_a, saml_provider
):
    response = client_for(admin_a).post(
        "/accounts/acme/sso/", _form(metadata_xml=saml_provider.metadata())
    )

    assert response.status_code == 302
    assert _saved(account_a)[1:] == (
        saml_provider.entity_id,
        saml_provider.sso_url,
        saml_provider.certificate,
    )


def test_saml_can_be_typed_without_metadata(client_for, programme_admin, account_a, saml_provider):
    body = "".join(saml_provider.certificate.splitlines()[1:-1])  # the base64 alone

    response = client_for(programme_admin).post(
        "/accounts/acme/sso/",
        _form(entity_id="urn:acme:idp", sso_url="https://login.acme.example/saml", x509cert=body),
    )

    assert response.status_code == 302
    assert _saved(account_a) == (
        "saml",
        "urn:acme:idp",
        "https://login.acme.example/saml",
        saml_provider.certificate,
    )


@pytest.mark.parametrize(
    ("metadata_xml", "told"),
    [
        ("<this is not xml", "is not a SAML metadata XML document"),
        (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            'entityID="urn:sp"><md:SPSSODescriptor/></md:EntityDescriptor>',
            "describes no identity provider",
        ),
        (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            'entityID="urn:idp"><md:IDPSSODescriptor protocolSupportEnumeration='
            '"urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>',
            "lacks a single sign-on service with the HTTP-Redirect binding, a signing certificate",
        ),
        (
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "is not a SAML metadata XML document",
        ),
        ("SIGNED-REQUESTS", "The provider wants signed sign-in requests"),
    ],
    ids=["not-xml", "no-idp", "no-endpoint-no-certificate", "external-entity", "signed-requests"],
)
def test_bad_metadata_is_refused_on_save(
    client_for, programme_admin, account_a, saml_provider, metadata_xml, told
):
    if metadata_xml == "SIGNED-REQUESTS":  # the loopback provider's own, asking for them
        metadata_xml = saml_provider.metadata().replace(
            'WantAuthnRequestsSigned="false"', 'WantAuthnRequestsSigned="true"'
        )
        assert 'WantAuthnRequestsSigned="true"' in metadata_xml
    response = client_for(programme_admin).post(
        "/accounts/acme/sso/", _form(metadata_xml=metadata_xml)
    )

    assert response.status_code == 400
    assert told in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_metadata_that_cannot_be_fetched_is_refused(
    client_for, programme_admin, account_a, saml_provider, loopback_allowed
):
    response = client_for(programme_admin).post(
        "/accounts/acme/sso/", _form(metadata_url=f"{saml_provider.base_url}/nothing-here")
    )

    assert response.status_code == 400
    assert "answered 404" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_metadata_at_a_private_address_is_not_fetched(
    client_for, programme_admin, account_a, saml_provider
):
    response = client_for(programme_admin).post(
        "/accounts/acme/sso/", _form(metadata_url=saml_provider.metadata_url)
    )

    assert response.status_code == 400
    assert "may not be fetched: the address is loopback" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_an_entity_id_other_than_the_metadatas_is_refused(
    client_for, programme_admin, account_a, saml_provider
):
    response = client_for(programme_admin).post(
        "/accounts/acme/sso/",
        _form(metadata_xml=saml_provider.metadata(), entity_id="urn:someone:else"),
    )

    assert response.status_code == 400
    assert "The metadata describes" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_without_metadata_each_field_is_needed_and_the_certificate_checked(
    client_for, programme_admin, account_a, tmp_path
):
    missing = client_for(programme_admin).post("/accounts/acme/sso/", _form())
    key_file, _ = key_pair(tmp_path, "k")
    not_a_certificate = client_for(programme_admin).post(
        "/accounts/acme/sso/",
        _form(entity_id="urn:idp", sso_url="https://idp.example/sso", x509cert="bm90IGEgY2VydA=="),
    )
    a_key = client_for(programme_admin).post(
        "/accounts/acme/sso/",
        _form(
            entity_id="urn:idp", sso_url="https://idp.example/sso", x509cert=key_file.read_text()
        ),
    )

    assert missing.status_code == 400
    assert missing.content.decode().count("SAML, without metadata, needs this.") == 3
    for refused in (not_a_certificate, a_key):
        assert refused.status_code == 400
        assert "This is not an X.509 certificate in PEM form" in refused.content.decode()
    assert not IdentityProvider.objects.exists()


def test_switching_from_openid_connect_to_saml_keeps_one_provider(
    client_for, programme_admin, account_a, oidc_provider, saml_provider
):
    from tests.accounts.sso_helpers import sso_set_up

    sso_set_up(account_a, oidc_provider, domains=["acme.example"])

    response = client_for(programme_admin).post(
        "/accounts/acme/sso/", _form(metadata_xml=saml_provider.metadata())
    )

    assert response.status_code == 302
    provider = IdentityProvider.objects.get(account=account_a)
    assert (provider.kind, provider.entity_id, provider.client_secret) == (
        "saml",
        saml_provider.entity_id,
        "",
    )
