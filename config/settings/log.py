"""The log's settings (LOGGING), read by base.py: one line per event on the console."""

from config.env import env_str

# One handler (the root's): Django's own console handler of the "django" logger is dropped, or
# each warning of a request (a 403, a 404) would be printed twice; a refused request's warning
# is one line without a traceback (config/log_filters.py). runserver's request lines
# ("django.server", a child of "django") come through the same handler, one line each.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors": {"()": "config.log_filters.ClientErrorsOnOneLine"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
