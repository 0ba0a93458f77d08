"""Secrets at rest are encrypted (config/field_encryption.py): the identity providers' client
secrets, and allauth's second-factor secrets (an authenticator app's key, the recovery codes'
seed and any codes carried over from elsewhere), which allauth now stores through
accounts.allauth_adapters.MfaAdapter.

The column becomes text (a token is longer than the secret), the rows are encrypted with the
plain field, then the field becomes the encrypted one. Backwards, the rows are decrypted again
(with the keys still configured)."""

import config.field_encryption
import config.single_line
from django.db import migrations, models

from config.field_encryption import decrypt_text, encrypt_text

HELP = "Encrypted in the database (config/field_encryption.py); never shown again."
# The keys of allauth's authenticator data that hold secrets, by the authenticator's type.
AUTHENTICATOR_SECRETS = {"totp": ("secret",), "recovery_codes": ("seed",)}


def _authenticator_data(data, kind, change):
    data = dict(data)
    for key in AUTHENTICATOR_SECRETS.get(kind, ()):
        if key in data:
            data[key] = change(data[key])
    if kind == "recovery_codes" and isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [change(code) for code in data["migrated_codes"]]
    return data


def _convert(apps, change):
    IdentityProvider = apps.get_model("accounts", "IdentityProvider")
    for pk, secret in IdentityProvider.objects.values_list("pk", "client_secret").iterator():
        IdentityProvider.objects.filter(pk=pk).update(client_secret=change(secret))
    Authenticator = apps.get_model("mfa", "Authenticator")
    rows = Authenticator.objects.filter(type__in=list(AUTHENTICATOR_SECRETS))
    for pk, kind, data in rows.values_list("pk", "type", "data").iterator():
        Authenticator.objects.filter(pk=pk).update(data=_authenticator_data(data, kind, change))


def secrets_encrypt(apps, schema_editor):
    _convert(apps, encrypt_text)


def secrets_decrypt(apps, schema_editor):
    _convert(apps, decrypt_text)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_identity_provider_saml"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.AlterField(
            model_name="identityprovider",
            name="client_secret",
            field=models.TextField(
                blank=True,
                help_text=HELP,
                validators=[config.single_line.validate_single_line],
                verbose_name="client secret",
            ),
        ),
        migrations.RunPython(secrets_encrypt, secrets_decrypt),
        migrations.AlterField(
            model_name="identityprovider",
            name="client_secret",
            field=config.field_encryption.EncryptedTextField(
                blank=True,
                help_text=HELP,
                validators=[config.single_line.validate_single_line],
                verbose_name="client secret",
            ),
        ),
    ]
