"""No secret enters the audit trail: an identity provider's client secret, a webhook's signing
secrets (the new one and the one it replaces), a SCIM token and its hash and first characters,
an API token and its hash and first characters. Each is made, changed and ended through its
page or service; then every stored column of every audit row is read and none holds any of
them. That they changed is recorded ("(hidden)")."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from accounts import provisioning, services
from accounts.models import ApiToken, AuditEntry, ScimToken
from accounts.single_sign_on import ProviderSettings, identity_provider_save
from community.services.webhooks import webhook_endpoint_create, webhook_endpoint_rotate_secret

pytestmark = pytest.mark.django_db


def _stored_text() -> str:
    """Every audit row, every column, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_auditentry")  # noqa: S608 (our own table)
        return json.dumps(cursor.fetchall(), default=str)


def test_no_secret_reaches_the_stored_audit_rows(client_for, admin_a, member_a, account_a):
    secrets = []
    provider_settings = ProviderSettings(
        kind="oidc",
        issuer="https://login.acme.example",
        client_id="garden",
        client_secret="idp-first-secret-7Q",  # noqa: S106
        sso_required=False,
    )
    identity_provider_save(account=account_a, settings=provider_settings)
    rotated = ProviderSettings(**{**provider_settings.__dict__, "client_secret": "idp-second-9Z"})
    identity_provider_save(account=account_a, settings=rotated)
    secrets += ["idp-first-secret-7Q", "idp-second-9Z"]

    endpoint = webhook_endpoint_create(url="https://hooks.example/in", created_by=admin_a)
    first = endpoint.secret
    endpoint = webhook_endpoint_rotate_secret(endpoint=endpoint)
    secrets += [first, endpoint.secret, endpoint.previous_secret]

    scim, raw_scim = provisioning.scim_token_create(
        account=account_a, name="Okta", created_by=admin_a
    )
    provisioning.scim_token_revoke(token=scim, by=admin_a)
    scim = ScimToken.objects.get(pk=scim.pk)
    secrets += [raw_scim, scim.digest, scim.prefix]

    client_for(member_a).post("/profile/api-token/", {"name": "CRM sync"})
    token = ApiToken.objects.get(user=member_a)
    other, raw_api = services.api_token_create(user=member_a, name="Reporting")
    secrets += [raw_api, other.digest, other.token_key, token.digest, token.token_key]
    services.api_token_revoke(token=token)
    services.person_access_end(user=member_a)  # the other token goes too

    stored = _stored_text()
    assert AuditEntry.objects.count() > 10
    assert [secret for secret in secrets if secret in stored] == []
    assert "(hidden)" in stored  # that the secrets changed is kept


def test_the_masked_fields_change_without_their_values(admin_a):
    endpoint = webhook_endpoint_create(url="https://hooks.example/in", created_by=admin_a)

    webhook_endpoint_rotate_secret(endpoint=endpoint)

    rotation = AuditEntry.objects.filter(object_id=endpoint.pk, action=1).get()
    row = model_to_dict(rotation)
    assert row["changes"]["secret"] == ["(hidden)", "(hidden)"]
    assert row["changes"]["previous_secret"] == ["", "(hidden)"]
    assert row["changes"]["rotation_ends_at"][0] is None
