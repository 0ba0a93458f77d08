"""Benchmarks and load tests (`make bench`, `make load`): production's behaviour on 127.0.0.1.

DEBUG off, static files collected and served by WhiteNoise from their manifest, persistent
database connections, templates cached: what production runs, minus what needs TLS or a real
host name (no SSL redirect, no HSTS, cookies over plain http) and minus outgoing email. It has a
fixed secret key and accepts only loopback hosts, so it cannot serve anything real.
"""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only-not-secret-" + "x" * 40  # noqa: S105 (loopback benchmarks only)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
CSRF_COOKIE_HTTPONLY = True
# Collected by tests/perf/server.py when the sources changed, apart from other settings' files.
# Hashed names from the manifest as in production, but not pre-compressed: gzipping Pico's and
# Chart.js's thousands of files takes minutes on this machine, and no timing here fetches them.
STATIC_ROOT = VAR_DIR / "perf" / "static"
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
}
# Benchmarks send nothing; the worker's digests and alerts are dropped, not printed.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
LOGGING["root"]["level"] = env_str("LOG_LEVEL", "WARNING")
# The API's throttling still counts every call (its cost is timed), but benchmarks and load
# tests call far faster than a person or a script would: its rates are out of their reach.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": "100000/second",
    "user": "100000/second",
    "write": "100000/second",
    "scim": "100000/second",
}
