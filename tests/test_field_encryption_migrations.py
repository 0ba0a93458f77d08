"""The migrations that encrypt the secrets already stored (accounts 0010: identity providers'
client secrets and second factors; community 0020: webhook endpoints' secrets), run forwards
and backwards on rows written in the clear by the schema before them.

The test migrates the real test database, so it runs outside a transaction and puts every app
back on its latest migration afterwards (as tests/community/test_alerts_digest_migration.py)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import IdentityProvider
from community.models import WebhookEndpoint
from config.field_encryption import decrypt_text

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("accounts", "0010_identity_provider_saml"),
    ("community", "0020_harvest_read_level_from_history"),
    ("mfa", "0003_authenticator_type_uniq"),
]
AFTER = [("accounts", "0011_encrypted_secrets"), ("community", "0021_encrypted_webhook_secrets")]
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 (a test's secret)
SEED = "a3f1" * 20


def _migrate(targets):
    """Migrate to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    yield _migrate(BEFORE)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _raw(table: str, column: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _data(kind: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE type = %s", [kind])
        data = cursor.fetchone()[0]
    return json.loads(data) if isinstance(data, str) else data


def _old_rows(old_apps):
    # the models as they were then (today's have later columns: an account's currency …)
    account = old_apps.get_model("accounts", "Account").objects.create(name="Acme", slug="acme")
    person = old_apps.get_model("accounts", "User").objects.create(email="person@acme.example")
    old_apps.get_model("accounts", "IdentityProvider").objects.create(
        account_id=account.pk,
        issuer="https://login.acme.example",
        client_id="c",
        client_secret="plain-1",
    )
    old_apps.get_model("community", "WebhookEndpoint").objects.create(
        url="https://hooks.example.com/", secret="whsec_plain", previous_secret="older-plain"
    )
    Authenticator = old_apps.get_model("mfa", "Authenticator")
    Authenticator.objects.create(user_id=person.pk, type="totp", data={"secret": TOTP_SECRET})
    Authenticator.objects.create(
        user_id=person.pk,
        type="recovery_codes",
        data={"seed": SEED, "used_mask": 3, "migrated_codes": ["123456"]},
    )
    Authenticator.objects.create(user_id=person.pk, type="webauthn", data={"name": "key"})


def test_stored_secrets_are_encrypted_and_decrypted_again(old_apps):
    _old_rows(old_apps)

    _migrate(AFTER)

    (client_secret,) = _raw("accounts_identityprovider", "client_secret")
    (secret,) = _raw("community_webhookendpoint", "secret")
    (previous,) = _raw("community_webhookendpoint", "previous_secret")
    assert "plain" not in client_secret + secret + previous
    assert decrypt_text(client_secret) == "plain-1"
    assert IdentityProvider.objects.get().client_secret == "plain-1"
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.secret, endpoint.previous_secret) == ("whsec_plain", "older-plain")
    totp, recovery = _data("totp"), _data("recovery_codes")
    assert TOTP_SECRET not in json.dumps(totp) and SEED not in json.dumps(recovery)
    assert decrypt_text(totp["secret"]) == TOTP_SECRET
    assert decrypt_text(recovery["seed"]) == SEED
    assert [decrypt_text(code) for code in recovery["migrated_codes"]] == ["123456"]
    assert recovery["used_mask"] == 3
    assert _data("webauthn") == {"name": "key"}  # a public key's record: nothing secret

    _migrate(BEFORE)

    assert _raw("accounts_identityprovider", "client_secret") == ["plain-1"]
    assert _raw("community_webhookendpoint", "secret") == ["whsec_plain"]
    assert _raw("community_webhookendpoint", "previous_secret") == ["older-plain"]
    assert _data("totp") == {"secret": TOTP_SECRET}
    assert _data("recovery_codes") == {"seed": SEED, "used_mask": 3, "migrated_codes": ["123456"]}
