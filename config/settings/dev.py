"""Local development and `make demo`: runs with no environment at all."""

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]
# runserver serves files straight from the finders; no collectstatic needed in dev.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# WebAuthn (security keys, passkeys) on http://localhost:8000 during development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", True)
