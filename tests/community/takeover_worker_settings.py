"""Settings of the worker that takes over from a killed one
(tests/community/test_notifications_worker_killed.py): Redis hands a dead worker's
unacknowledged task to another worker after `visibility_timeout` (35 minutes in production);
here after 2 seconds, and the new worker looks for such tasks every second."""

from config.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
