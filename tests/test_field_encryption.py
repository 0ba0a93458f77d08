"""Secrets at rest (config/field_encryption.py): what the database holds of an identity
provider's client secret, a webhook endpoint's signing secrets and a person's second factor is
a Fernet token, never the secret; the code reads the secret as before; keys rotate (a new key
first, `manage.py field_encryption_rotate`, the old key dropped); a value no key opens stops
loudly."""

from __future__ import annotations

import io
import json

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from accounts.models import IdentityProvider
from accounts.single_sign_on import ProviderSettings, identity_provider_save
from community.models import WebhookEndpoint
from community.services.webhooks import webhook_endpoint_create, webhook_endpoint_rotate_secret
from config.field_encryption import (
    UndecryptableSecret,
    decrypt_text,
    derived_key,
    encrypt_text,
)
from tests.accounts.mfa_helpers import recovery_codes_activate, totp_activate, totp_code

pytestmark = pytest.mark.django_db

CLIENT_SECRET = "the-providers-client-secret-4711"  # noqa: S105 (a test's secret)
NEW_KEY = Fernet.generate_key().decode()


def _column(table: str, column: str, pk: int) -> str:
    """The value as the database holds it, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _provider(account) -> IdentityProvider:
    return identity_provider_save(
        account=account,
        settings=ProviderSettings(
            kind="oidc",
            issuer="https://login.acme.example",
            client_id="garden",
            client_secret=CLIENT_SECRET,
            sso_required=False,
        ),
    )


def _endpoint(programme_admin) -> WebhookEndpoint:
    return webhook_endpoint_create(
        url="https://hooks.example.com/garden", created_by=programme_admin
    )


def _authenticator_data(user, kind: str) -> dict:
    pk = Authenticator.objects.get(user=user, type=kind).pk
    data = _column("mfa_authenticator", "data", pk)
    return json.loads(data) if isinstance(data, str) else data


def test_the_client_secret_is_no_plain_text_in_the_database(account_a):
    provider = _provider(account_a)

    stored = _column("accounts_identityprovider", "client_secret", provider.pk)

    assert CLIENT_SECRET not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert decrypt_text(stored) == CLIENT_SECRET
    assert IdentityProvider.objects.get(pk=provider.pk).client_secret == CLIENT_SECRET


def test_a_webhook_endpoints_secrets_are_no_plain_text_but_still_sign(
    programme_admin, fake_internet
):
    endpoint = _endpoint(programme_admin)
    first = endpoint.secret
    endpoint = webhook_endpoint_rotate_secret(endpoint=endpoint)

    stored = _column("community_webhookendpoint", "secret", endpoint.pk)
    previous = _column("community_webhookendpoint", "previous_secret", endpoint.pk)

    assert endpoint.secret not in stored and first not in previous
    assert (decrypt_text(stored), decrypt_text(previous)) == (endpoint.secret, first)
    again = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (again.secret, again.previous_secret) == (endpoint.secret, first)


def test_second_factor_secrets_are_no_plain_text_and_codes_still_work(member_a, clock):
    secret = totp_activate(member_a)
    codes = recovery_codes_activate(member_a)

    totp = _authenticator_data(member_a, "totp")
    recovery = _authenticator_data(member_a, "recovery_codes")

    assert secret not in json.dumps(totp)
    assert decrypt_text(totp["secret"]) == secret
    assert decrypt_text(recovery["seed"]) and recovery["seed"].startswith("gAAAAA")
    wrapper = Authenticator.objects.get(user=member_a, type="totp").wrap()
    assert wrapper.validate_code(totp_code(secret, clock.now))
    recovery_codes = Authenticator.objects.get(user=member_a, type="recovery_codes").wrap()
    assert recovery_codes.validate_code(codes[0])


def test_an_empty_secret_stays_empty():
    assert encrypt_text("") == ""
    assert decrypt_text("") == ""


def test_each_encryption_is_a_new_token_under_the_same_key():
    assert encrypt_text("s3cret") != encrypt_text("s3cret")


def test_development_derives_its_key_from_the_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    token = encrypt_text("s3cret")

    assert Fernet(derived_key(settings.SECRET_KEY)).decrypt(token.encode()) == b"s3cret"
    settings.SECRET_KEY = "another-secret-key"
    with pytest.raises(UndecryptableSecret, match="is the key it was encrypted with"):
        decrypt_text(token)


def test_keys_rotate_a_new_key_first_then_the_old_one_dropped(
    settings, account_a, programme_admin, member_a, fake_internet, clock
):
    old_key = derived_key(settings.SECRET_KEY)
    provider = _provider(account_a)
    endpoint = _endpoint(programme_admin)
    secret = totp_activate(member_a)
    recovery_codes_activate(member_a)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]
    # Both keys open what was stored; nothing is rewritten until the command runs.
    assert IdentityProvider.objects.get(pk=provider.pk).client_secret == CLIENT_SECRET
    report = io.StringIO()
    call_command("field_encryption_rotate", stdout=report)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    assert "accounts.IdentityProvider: 1 rows" in report.getvalue()
    assert "mfa.Authenticator: 2 second factors" in report.getvalue()
    assert IdentityProvider.objects.get(pk=provider.pk).client_secret == CLIENT_SECRET
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret
    new = Fernet(NEW_KEY)
    stored = _column("accounts_identityprovider", "client_secret", provider.pk)
    assert new.decrypt(stored.encode()).decode() == CLIENT_SECRET
    totp = Authenticator.objects.get(user=member_a, type="totp").wrap()
    assert totp.validate_code(totp_code(secret, clock.now))
    seed = _authenticator_data(member_a, "recovery_codes")["seed"]
    assert new.decrypt(seed.encode())


def test_a_secret_no_key_opens_stops_loudly(settings, account_a):
    provider = _provider(account_a)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(UndecryptableSecret):
        IdentityProvider.objects.get(pk=provider.pk)
