"""The Celery app: settings from Django's (CELERY_*), tasks found in the apps' tasks modules, the
outbox relay run by every worker as it starts, and database connections kept between tasks.

Database connections: Celery's Django fix-up closes every connection before and after each task
(celery/fixups/django.py), so each task started a new PostgreSQL backend: the connection, cold
catalog caches, every query planned afresh (kept SQL's prepared statements included). Every
email task of a 150-user load run paid it, ~15 emails a second (docs/cpu-per-request.md, eighth
round). Here a worker treats a task as Django treats a request: before and after it, a
connection older than CONN_MAX_AGE, broken after an error or left outside autocommit is closed,
and the next query checks the connection first (CONN_HEALTH_CHECKS) and opens another if it
died. The fix-up's own closing is set out of reach (`CELERY_DB_REUSE_MAX`, counted in tasks).
Tasks run eagerly (tests) are left alone, as the fix-up leaves them. A session-level advisory
lock a task failed to release (community.services.notification_emails) ends when its
connection does: at the first task's start or end once the connection is CONN_MAX_AGE old (its
row's claim is taken over anyway once older than NOTIFICATION_CLAIM_STALE_SECONDS).
"""

import logging
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

logger = logging.getLogger(__name__)

app = Celery("customer_garden")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(CELERY_DB_REUSE_MAX=10**12)  # (see the module: connections close by their age)
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _connections_as_between_requests(sender=None, **kwargs) -> None:
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


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
