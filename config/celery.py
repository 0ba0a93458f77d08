"""The Celery app: settings from Django's (CELERY_*), tasks found in the apps' tasks modules, and
the outbox relay run by every worker as it starts."""

import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

logger = logging.getLogger(__name__)

app = Celery("customer_garden")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _outbox_relay_on_start(sender, **kwargs) -> None:
    """A worker that starts (after an outage, a deploy) publishes what the outbox holds at
    once, instead of waiting for beat's next minute."""
    from accounts.outbox import outbox_relay

    try:
        published = outbox_relay()
    except Exception:  # the worker must start even if the database is not there yet
        logger.exception("Outbox relay on worker start failed")
        return
    logger.info("Outbox relay on worker start: %d tasks published", published)
