"""Webhook endpoints' signing secrets are encrypted at rest (config/field_encryption.py): they
sign every post, so they are kept readable by the server, not hashed.

The columns become text (a token is longer than the secret), the rows are encrypted with the
plain fields, then the fields become the encrypted ones. Backwards, the rows are decrypted
again (with the keys still configured)."""

import config.field_encryption
from django.db import migrations, models

from config.field_encryption import decrypt_text, encrypt_text

PREVIOUS_HELP = "The secret before the last rotation: it still signs until rotation_ends_at."


def _convert(apps, change):
    WebhookEndpoint = apps.get_model("community", "WebhookEndpoint")
    rows = WebhookEndpoint.objects.values_list("pk", "secret", "previous_secret")
    for pk, secret, previous in rows.iterator():
        WebhookEndpoint.objects.filter(pk=pk).update(
            secret=change(secret), previous_secret=change(previous)
        )


def secrets_encrypt(apps, schema_editor):
    _convert(apps, encrypt_text)


def secrets_decrypt(apps, schema_editor):
    _convert(apps, decrypt_text)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0020_harvest_read_level_from_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint", name="secret", field=models.TextField()
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="previous_secret",
            field=models.TextField(blank=True, help_text=PREVIOUS_HELP),
        ),
        migrations.RunPython(secrets_encrypt, secrets_decrypt),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=config.field_encryption.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="previous_secret",
            field=config.field_encryption.EncryptedTextField(blank=True, help_text=PREVIOUS_HELP),
        ),
    ]
