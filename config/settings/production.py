"""Production: refuses to start without a secret key, host names and a real database."""

from config.env import ImproperlyConfiguredEnv, env_fernet_keys

from .base import *  # noqa: F403

# The demo data and the benchmarks are tooling for development and CI: production has no
# seed_demo or bench commands.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "demo"]  # noqa: F405

DEBUG = False
DEMO_EMAILS = False  # the demo's "sent emails" page is never on in production
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfiguredEnv("ALLOWED_HOSTS must name at least one host.")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfiguredEnv("SECRET_KEY must be a random value of at least 50 characters.")
DATABASES = {"default": env_database("DATABASE_URL")}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfiguredEnv("Production needs PostgreSQL: DATABASE_URL=postgres://…")
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if not REDIS_URL:
    raise ImproperlyConfiguredEnv("Production needs Redis for Celery: REDIS_URL=redis://…")
# Internal users set up a second factor before they see any account (turn off only knowingly).
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)
if MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN:
    raise ImproperlyConfiguredEnv(
        "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN is for development and tests only."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Webhooks and identity providers never reach this server or its neighbours in production.
if OUTBOUND_ALLOW_LOOPBACK:
    raise ImproperlyConfiguredEnv(
        "OUTBOUND_ALLOW_LOOPBACK (or WEBHOOK_ALLOW_LOOPBACK) is for development and tests "
        "only: in production, webhooks and identity providers reach public addresses only."
    )
# Secrets in the database are encrypted with keys of their own, never derived from SECRET_KEY
# (config/field_encryption.py).
FIELD_ENCRYPTION_KEYS = env_fernet_keys("FIELD_ENCRYPTION_KEYS", [])
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfiguredEnv(
        "FIELD_ENCRYPTION_KEYS is required: one or more Fernet keys, comma-separated, the "
        "newest first (README, Configuration)."
    )

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Pages and Swagger UI put the CSRF token in the markup; no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
