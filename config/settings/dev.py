"""Local development and `make demo`: runs with no environment at all."""

from config.env import env_fernet_keys

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]
# Emails are kept and read in the browser at /demo/emails/ (demo/mail.py), not printed: the
# log stays readable and each person sees what their mailbox would get.
DEMO_EMAILS = env_bool("DEMO_EMAILS", True)
_KEPT = "demo.mail.SentEmailBackend"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", _KEPT if DEMO_EMAILS else EMAIL_BACKEND)  # noqa: F405
# runserver serves files straight from the finders; no collectstatic needed in dev.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# WebAuthn (security keys, passkeys) on http://localhost:8000 during development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", True)
# Keys of the secrets stored encrypted (config/field_encryption.py). None set (the demo, and
# the tests, which do not read it): one key derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env_fernet_keys("FIELD_ENCRYPTION_KEYS", [])
