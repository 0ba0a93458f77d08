"""pytest: SQLite in memory by default, PostgreSQL when DATABASE_URL is set (as on CI)."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A test that runs a real worker process points its email at files it can read back.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "test-mail"))
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Tasks run in the caller unless a test starts a real worker (see tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING["root"]["level"] = "WARNING"
# Serve static files (ours and node_modules') through the finders, as runserver does.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# No persistent connections: live-server threads would keep the test database open at teardown.
# (A real worker a test starts may be given some: tests/test_worker_db_connections.py.)
DATABASES["default"]["CONN_MAX_AGE"] = env_int("TEST_DB_CONN_MAX_AGE", 0, minimum=0)
# No replica in tests, even with DATABASE_REPLICA_URL set: as a test mirror of "default" it would
# be a second connection that pytest-django refuses to tests not naming it, and that does not see
# their uncommitted rows. tests/test_db_replica.py starts a real replica of its own.
DATABASES.pop("replica", None)
# The API's throttling: rates no test reaches by accident (tests/test_api_throttling.py lowers
# them), counted in this process only, never in a Redis other test runs share.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": "100000/second",
    "user": "100000/second",
    "write": "100000/second",
    "scim": "100000/second",
}
# Remembered results stay in the test's process (and are emptied before each test: conftest).
CACHES["results"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "results",
}
CACHES["throttle"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "throttle",
}
# The live server of the browser tests is plain http on 127.0.0.1.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
