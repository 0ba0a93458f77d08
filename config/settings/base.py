"""Settings shared by every environment. Only config/env.py reads the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from kombu import Queue

from config.env import env_bool, env_database, env_int, env_list, env_rate, env_redis_url, env_str
from config.settings.audit import *  # noqa: F403 (the audit trail's settings)
from config.settings.beat import BEAT_SCHEDULE
from config.settings.log import LOGGING  # noqa: F401 (the log's handler and filters)
from config.task_queues import DEFAULT as DEFAULT_QUEUE
from config.task_queues import QUEUES, queue_name

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()
NODE_MODULES = BASE_DIR / "node_modules"
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
    "rest_framework",
    "knox",  # API tokens: django-rest-knox, with our own token model (accounts.ApiToken)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    # Login stages, two-factor authentication (TOTP, WebAuthn, recovery codes) and single
    # sign-on through each account's OpenID Connect provider, on one flow (docs/architecture.md).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "auditlog",  # the audit trail (django-auditlog): config/settings/audit.py
    # Our apps, bottom-up: ideas → community → accounts; demo data and benchmarks above them.
    "accounts",
    "community",
    "ideas",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.request_locale.SiteLocaleMiddleware",  # the site's language and zone, active
    "config.cache_control.NoStoreMiddleware",  # below: `private, no-store`; static files not
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL in the path or query string is a 400 before any view queries PostgreSQL with it.
    "config.errors.NulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AuditRequestMiddleware",  # whose and from where the changes are
    # allauth's request context and its half-finished logins (the second-factor stage).
    "allauth.account.middleware.AccountMiddleware",
    # A customer's first page of the day records their visit (once per day, see the module).
    "community.middleware.VisitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Internal users' sessions end after 30 idle minutes or 12 hours (needs messages, above).
    "accounts.middleware.SessionTimeoutMiddleware",
    # An internal user without a second factor sees only its setup while it is required.
    "accounts.middleware.MfaRequiredMiddleware",
    "accounts.middleware.SsoReauthenticationMiddleware",  # no password: sign in again first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An action's address opened as a page (405, empty) gets a page of the frame (inside CSP).
    "config.errors.MethodNotAllowedPageMiddleware",
    # A form's one-time token or an API `Idempotency-Key`: a repeated POST saves nothing twice.
    "accounts.submissions.OnceMiddleware",
    # Axes must come last: it turns a lock-out into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Forms draw their widgets through the project's templates (templates/django/forms/ may replace
# Django's), the common ones written in Python to the same characters (accounts/form_rendering.py).
FORM_RENDERER = "accounts.form_rendering.WidgetsInPython"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.navigation",
                "community.context_processors.notifications",
                "ideas.context_processors.navigation_counts",
            ],
        },
    },
]

# --- Database: SQLite under var/ with no environment; DATABASE_URL switches to PostgreSQL.
_SQLITE = {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": VAR_DIR / "db.sqlite3",
    "OPTIONS": {
        # A web server, a worker and beat share the file: wait for locks instead of failing.
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    },
}
DATABASES = {"default": env_database("DATABASE_URL", _SQLITE)}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: at full size it spent 1.0 of the idea board's 1.3 s compiling (docs/scaling.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A read replica of it (PostgreSQL streaming replication) for analytics reads: insights,
# portfolio, their exports and the bench report (config/db_router.py, docs/scaling.md). Unset,
# or answering late or not at all, those reads go to the primary.
_replica = env_database("DATABASE_REPLICA_URL", None)
if _replica:
    DATABASES["replica"] = {
        **_replica,
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        # An unreachable replica costs a request at most this long before the primary answers.
        "OPTIONS": {"connect_timeout": 2, "options": "-c jit=off", **_replica.get("OPTIONS", {})},
    }
DATABASE_ROUTERS = ["config.db_router.AnalyticsReplicaRouter"]
DATABASE_REPLICA_MAX_LAG_SECONDS = env_int("DATABASE_REPLICA_MAX_LAG_SECONDS", 30, minimum=0)
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 5, minimum=0)
# Kept SQL (config/sql_once.py) is prepared on PostgreSQL, planned once per connection instead
# of on every call (config/sql_prepared.py). 0 for a pooler that cannot keep prepared statements.
PREPARE_KEPT_SQL = env_bool("DB_PREPARE_KEPT_SQL", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and login
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading permissions in one query. Sessions name the backend that logged
    # them in: those made under django.contrib.auth.backends.ModelBackend ended when this came.
    "accounts.permission_backend.PermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "community:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# Database sessions, their read kept as SQL written once per process (config/sessions.py).
SESSION_ENGINE = "config.sessions"
# Sessions (accounts/middleware.py): internal users see every account they serve, so theirs end
# after 30 minutes without a request and 12 hours after login. Customers keep a session for two
# weeks, renewed when it is saved (at least on their first page of a day).
SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS = env_int(
    "SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS", 30 * 60, minimum=60
)
SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS = env_int(
    "SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS", 12 * 60 * 60, minimum=60
)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 60 * 60, minimum=60)

# Five wrong passwords for one login lock it for a while, whatever the IP address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Password checks for one login take turns (accounts/lockout.py); an attempt waits at most this
# long for its turn, then gets "try again in a moment".
LOGIN_LOCK_WAIT_SECONDS = env_int("LOGIN_LOCK_WAIT_SECONDS", 5, minimum=1)
# The login forms post the email as "username" (the model's USERNAME_FIELD is "email"); the key
# is the address of the person it means, folded (accounts/lockout.py), so no other spelling of
# it (case, ı, ſ, full-width letters) gives five more tries.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.login_lock_key"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# What axes keeps of a failed attempt's form never shows the password or a second factor's code.
AXES_SENSITIVE_PARAMETERS = ["password", "code"]
# axes.W006 warns when the IP address is not a lock-out parameter. We lock the *login* (so
# rotating user agents, cookies or IP addresses cannot bypass it) and deliberately not the IP,
# which customers behind one corporate NAT share.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Two-factor authentication (django-allauth's allauth.mfa; accounts/mfa.py)
# Our login form checks the password (under the lock above); allauth's login stages then ask
# for the second factor before the session is logged in. People join by invitation only.
ACCOUNT_ADAPTER = "accounts.allauth_adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are proven by the invitation's link
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_ALLOW_UNVERIFIED_EMAIL = True  # allauth's own address records are not used (see above)
MFA_RECOVERY_CODES_SHOW_ONCE = True
MFA_TOTP_ISSUER = "Customer Garden"
# A wrong code counts against the login's lock like a wrong password (accounts/forms.py).
MFA_FORMS = {"authenticate": "accounts.forms.MfaAuthenticateForm"}
MFA_ADAPTER = "accounts.allauth_adapters.MfaAdapter"  # secrets stored encrypted
# Browsers allow WebAuthn on http://localhost only; production serves https.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)
# Internal users must set up a second factor before any other page (accounts/middleware.py).
# Off in development and the demo unless set; on in production unless set.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", False)

# --- Single sign-on (allauth.socialaccount): each account's provider, and the company's for staff
from .sso import *  # noqa: E402

INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14, minimum=1)
# Feedback reminders: at most this many per person in any 30 days, across all pilots.
FEEDBACK_REMINDERS_PER_30_DAYS = env_int("FEEDBACK_REMINDERS_PER_30_DAYS", 4, minimum=1)

# --- Internationalisation
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: our own under static/, front-end packages from node_modules (npm ci).
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email: SMTP in production; dev and the demo keep each for /demo/emails/ (dev.py).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEMO_EMAILS = env_bool("DEMO_EMAILS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Customer Garden <garden@localhost>")

# --- Security headers (CSP via django-csp 4: no inline scripts anywhere).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A form whose CSRF check fails gets a page inside the frame saying what to do (JSON for the API).
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# --- REST API
# API tokens (accounts.ApiToken, django-rest-knox) stop working this many days after they were
# made; a person makes a new one on their profile page.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90, minimum=1)
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model's name, not a secret)
# knox's token model and django-auditlog's entry model are swapped for ours: their migrations
# would still create their unused tables (with a key to the users, which then cannot be
# truncated on PostgreSQL), so they are left out.
MIGRATION_MODULES = {"knox": None, "auditlog": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
REST_FRAMEWORK = {
    # Token first: an anonymous call then gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # 429 with Retry-After past a rate (config/throttling.py): per person for every call and for
    # writes; per IP address for anonymous calls (counted by the first permission class).
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.UserThrottle",
        "config.throttling.WriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "60/minute"),
        "user": env_rate("API_THROTTLE_USER", "600/minute"),
        "write": env_rate("API_THROTTLE_WRITE", "120/minute"),
        # An identity provider's first import sends a burst of creations: per SCIM token.
        "scim": env_rate("API_THROTTLE_SCIM", "600/minute"),
    },
    # How many proxies stand before the web processes: the client's address for the "anon" rate
    # is taken from X-Forwarded-For behind them (0: REMOTE_ADDR, which a client cannot forge).
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0, minimum=0),
    # A call by nobody is counted against the "anon" rate before it is refused with 401.
    "DEFAULT_PERMISSION_CLASSES": [
        "config.throttling.AnonymousCallsThrottled",
        "rest_framework.permissions.IsAuthenticated",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    # DRF's JSON, written by orjson (config/renderers.py); the browsable API for a browser.
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON only (the imports upload sets its own parsers), refusing NUL characters (PostgreSQL
    # stores none). No form bodies: DRF trims their whitespace after the schema's maxLength.
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
DRF_STANDARDIZED_ERRORS = {"EXCEPTION_HANDLER_CLASS": "config.api.ExceptionHandler"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Customer Garden API",
    "DESCRIPTION": (
        "Accounts, members, account teams and invitations of Customer Garden. "
        "Every list is scoped to what the caller may see. Errors share one format: "
        '{"type": ..., "errors": [{"code", "detail", "attr"}]}; field errors come with 400. '
        "A body field typed string takes a JSON string only: a number or a boolean is a 400 "
        'field error (code "invalid", "Not a valid string."), never saved as its digits.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": [
        "config.throttling.AnonymousCallsThrottled",
        "rest_framework.permissions.IsAuthenticated",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # drf-standardized-errors' error enums, named once in the schema.
    "ENUM_NAME_OVERRIDES": {
        name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
        for name in (
            "ValidationErrorEnum",
            "ClientErrorEnum",
            "ServerErrorEnum",
            "ErrorCode401Enum",
            "ErrorCode403Enum",
            "ErrorCode404Enum",
            "ErrorCode405Enum",
            "ErrorCode406Enum",
            "ErrorCode415Enum",
            "ErrorCode429Enum",
            "ErrorCode500Enum",
        )
    }
    | {
        "MemberRoleEnum": "accounts.models.MemberRole.choices",
        "TeamRoleEnum": "accounts.models.TeamRole.choices",
        "SegmentEnum": "accounts.models.Segment.choices",
        "IdeaStatusEnum": "ideas.models.IdeaStatus.choices",
        "QuestionRoleEnum": "ideas.models.QuestionRole.choices",
        "EngagementLevelEnum": "community.models.EngagementLevel.choices",
        "OutcomeKindEnum": "community.models.OutcomeKind.choices",
        "ImportKindEnum": "community.models.ImportKind.choices",
        "ImportStatusEnum": "community.models.ImportStatus.choices",
        "OutcomeSourceEnum": "community.models.OutcomeSource.choices",
        "QuestionKindEnum": "ideas.models.QuestionKind.choices",
        "HarvestKindEnum": "community.models.HarvestKind.choices",
        "ReactionKindEnum": "community.models.ReactionKind.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
    ],
}

# --- Celery: Redis with REDIS_URL; otherwise kombu's filesystem transport under var/.
REDIS_URL = env_redis_url("REDIS_URL", None)
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# A notification email's claim older than this belongs to a dead sender (see its service).
# On PostgreSQL a killed sender's claim is taken over at once (its advisory lock ends with its
# session); this age is the fallback, above the hard time limit so no live sender ever has it.
NOTIFICATION_CLAIM_STALE_SECONDS = env_int(
    "NOTIFICATION_CLAIM_STALE_SECONDS", CELERY_TASK_TIME_LIMIT + 5 * 60, minimum=1
)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Never wait forever on an unresponsive Redis; redeliver only after the longest task.
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        "visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60,
    }
else:
    _broker = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://localhost//"  # a host named: kombu warns without one
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker / "queue"),
        "data_folder_out": str(_broker / "queue"),
        "processed_folder": str(_broker / "processed"),
        "store_processed": True,
        "control_folder": str(_broker / "control"),
    }
    # kombu's filesystem transport needs its folders to exist before the first publish.
    for _folder in ("queue", "processed", "control"):
        (_broker / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = None
# Caches: nothing of the product caches pages or rows. The API's throttling counts calls in
# "throttle": Redis (shared by every web process) when REDIS_URL is set, else this process.
# "results" remembers results computed from many rows under keys that name those rows
# (config/results_cache.py), shared by web processes and workers: Redis, else files under var/.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "results": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "results",
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "results"),
        }
    ),
    "throttle": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "throttle",
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}
# Four queues (config/task_queues.py): default, engagement, email, webhooks. `celery worker`
# consumes all four unless given some with -Q (docs/scaling.md). A prefix keeps a test's or a
# benchmark's queues apart from everyone else's on a shared Redis.
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX", "")
CELERY_TASK_QUEUES = [Queue(queue_name(queue, CELERY_QUEUE_PREFIX)) for queue in QUEUES]
CELERY_TASK_DEFAULT_QUEUE = queue_name(DEFAULT_QUEUE, CELERY_QUEUE_PREFIX)
CELERY_TASK_ROUTES = ("config.task_queues.task_route",)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {**AUDIT_BEAT_SCHEDULE, **BEAT_SCHEDULE}  # config/settings/beat.py
# How long a write stays "once" (accounts/submissions.py): a form's token, in days (a form left
# open in a tab, or reached by Back), and an API `Idempotency-Key`, in hours (retries are quick).
FORM_TOKEN_RETENTION_DAYS = env_int("FORM_TOKEN_RETENTION_DAYS", 7, minimum=1)
IDEMPOTENCY_KEY_RETENTION_HOURS = env_int("IDEMPOTENCY_KEY_RETENTION_HOURS", 24, minimum=1)
# Accounts per engagement recompute task (one aggregate query and one upsert each).
ENGAGEMENT_CHUNK_SIZE = env_int("ENGAGEMENT_CHUNK_SIZE", 1000, minimum=1)
# Outgoing webhooks: attempts per delivery before it is marked failed; days the old secret
# still signs after a rotation, with the old X-Garden-* headers (community/webhook_signing.py).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
WEBHOOK_ROTATION_DAYS = env_int("WEBHOOK_ROTATION_DAYS", 7, minimum=0)
# URLs an admin sets (webhooks, identity providers) reach public addresses only (outbound.py);
# OUTBOUND_ALLOW_LOOPBACK (formerly WEBHOOK_ALLOW_LOOPBACK) allows loopback: dev and tests only.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", False)
OUTBOUND_ALLOW_LOOPBACK = env_bool("OUTBOUND_ALLOW_LOOPBACK", WEBHOOK_ALLOW_LOOPBACK)
# CSV imports: a larger upload is refused unparsed (past 2.5 MB an upload goes to a temp file).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
