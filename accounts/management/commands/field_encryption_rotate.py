"""`manage.py field_encryption_rotate`: after a new key was put first in FIELD_ENCRYPTION_KEYS,
write every stored secret again under it, so the old key can be dropped
(config/field_encryption.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.mfa import authenticator_secrets_reencrypt
from config.field_encryption import encrypted_fields, rows_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every stored secret under the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options) -> None:
        for model, names in encrypted_fields():
            count = rows_reencrypt(model, names)
            self.stdout.write(f"{model._meta.label}: {count} rows ({', '.join(names)})")
        count = authenticator_secrets_reencrypt()
        self.stdout.write(f"mfa.Authenticator: {count} second factors")
        self.stdout.write("Done: the keys after the first are no longer needed.")
