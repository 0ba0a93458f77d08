"""Local development and `make demo`: runs with no environment at all."""

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]
# runserver serves files straight from the finders; no collectstatic needed in dev.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
