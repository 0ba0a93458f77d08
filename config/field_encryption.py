"""Secrets kept encrypted in the database: an identity provider's client secret, webhook
endpoints' signing secrets, and allauth's second-factor secrets (an authenticator app's key,
the seed of the recovery codes). Decided here and nowhere else.

A secret the server must use again (to sign, to log in at a provider, to check a code) cannot
be hashed, so it is encrypted with Fernet (AES-128-CBC with an HMAC-SHA256, from the
`cryptography` package) under the keys of `settings.FIELD_ENCRYPTION_KEYS`:

- the **first** key encrypts everything written from now on; **every** key in the list
  decrypts (`MultiFernet`), so keys rotate without downtime: put a new key first, deploy, run
  `manage.py field_encryption_rotate` (every encrypted field, `rows_reencrypt`, and the second
  factors' secrets, `accounts.mfa.authenticator_secrets_reencrypt`, written again under the
  new key), then drop the old key;
- production settings refuse to start without the setting; development and tests, which have
  none, use one key derived from `SECRET_KEY` (`derived_key`);
- a value that none of the keys decrypts stops the request with `UndecryptableSecret` (a
  missing key is a configuration error to see at once, never a secret silently read as
  empty or as its own ciphertext). An empty secret stays empty (it tells nothing).

`EncryptedTextField` is the model field (plain text in Python, a Fernet token in the column);
`encrypt_text` / `decrypt_text` are for values kept elsewhere (allauth's JSON of an
authenticator, through `accounts.allauth_adapters.MfaAdapter`) and for the data migrations.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils.crypto import salted_hmac

_DERIVED_KEY_SALT = "config.field_encryption"


class UndecryptableSecret(ImproperlyConfigured):
    """A stored secret that none of FIELD_ENCRYPTION_KEYS decrypts (its key was dropped, or
    the value was never encrypted)."""


def derived_key(secret_key: str) -> str:
    """The one key of development and tests, derived from SECRET_KEY (a Fernet key: 32 bytes,
    URL-safe base64)."""
    digest = salted_hmac(_DERIVED_KEY_SALT, "keys", secret=secret_key, algorithm="sha256")
    return base64.urlsafe_b64encode(digest.digest()).decode()


def configured_keys() -> tuple[str, ...]:
    """The keys in use, first the one that encrypts."""
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ())
    return keys or (derived_key(settings.SECRET_KEY),)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    # Keyed by the keys themselves, so a test that changes the setting gets its own.
    return _fernet(configured_keys())


def encrypt_text(text: str) -> str:
    """`text` as a Fernet token under the first key; "" stays ""."""
    if not text:
        return text
    return _current().encrypt(text.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    """The text inside a token made by `encrypt_text` under any of the keys; "" stays ""."""
    if not token:
        return token
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise UndecryptableSecret(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS: is the key it was "
            "encrypted with still in the list?"
        ) from None


def reencrypt_text(token: str) -> str:
    """The same secret encrypted under the first key (for a key rotation); "" stays ""."""
    if not token:
        return token
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise UndecryptableSecret(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS, so it cannot be "
            "re-encrypted."
        ) from None


class EncryptedTextField(models.TextField):
    """Text the code reads and writes in the clear, kept in the column as a Fernet token.

    The token changes at every save (a random IV), so the column cannot be filtered on or made
    unique: only secrets belong here. Length limits are the form's and the serializer's (the
    model's `max_length`, if any, is for the form field only, as on any TextField)."""

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt_text(value)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every installed model with encrypted fields, and their names."""
    found = []
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        if names:
            found.append((model, names))
    return found


def rows_reencrypt(model: type[models.Model], names: list[str]) -> int:
    """Write every row's encrypted fields again, so they are encrypted under the first key
    (after a new key was put first); each row locked while it is rewritten, so a secret changed
    meanwhile is not overwritten with the one read before. Returns the number of rows."""
    rows = model._base_manager.all()
    count = 0
    for pk in rows.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            values = rows.select_for_update().filter(pk=pk).values(*names).first()
            if values is not None:
                rows.filter(pk=pk).update(**values)
                count += 1
    return count
