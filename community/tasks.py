import datetime as dt

from celery import group, shared_task
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from community import alerts, engagement, services, webhooks
from community.models import EngagementRunKind


@shared_task(
    autoretry_for=(OSError, OperationalError),  # SMTP and connection failures
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notification_email_task(notification_id: int) -> bool:
    return services.notification_email(notification_id=notification_id)


# --- Engagement engine ---------------------------------------------------------------------
# Thin tasks: ids and ISO days in, the engine's functions do the work. A chunk is one
# transaction and an upsert, so a task that runs twice (or is redelivered after its worker
# was killed: acks_late) writes the same rows again.

_ENGAGEMENT_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),  # the database went away for a moment
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}


def _day(day: str | None) -> dt.date | None:
    return dt.date.fromisoformat(day) if day else None


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_recompute_task(account_ids: list[int], day: str | None = None) -> int:
    """Recompute one chunk of accounts for `day` (ISO date; default today), then raise the
    alerts its new snapshots call for (once the chunk has committed)."""
    written = engagement.engagement_snapshots_compute(account_ids=account_ids, day=_day(day))
    alerts.alerts_raise(account_ids=account_ids, day=_day(day))
    return written


def _fan_out(kind: str, day: str | None, account_ids: list[int] | None = None) -> int:
    run, chunks = engagement.engagement_run_start(kind=kind, day=_day(day), account_ids=account_ids)
    if chunks:
        tasks = group(engagement_recompute_task.s(chunk, run.day.isoformat()) for chunk in chunks)
        transaction.on_commit(tasks.delay)
    return run.accounts


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_recompute_all_task(day: str | None = None) -> int:
    """Every account, as chunks run in parallel by the workers (a Celery group)."""
    return _fan_out(EngagementRunKind.FULL, day)


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_recompute_nightly_task() -> int:
    """The nightly full run settles yesterday, now that it is over."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return _fan_out(EngagementRunKind.FULL, yesterday.isoformat())


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_recompute_incremental_task(day: str | None = None) -> int:
    """Accounts with customer events recorded since the previous run (every 15 minutes)."""
    return _fan_out(EngagementRunKind.INCREMENTAL, day)


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_recompute_accounts_task(account_ids: list[int], day: str | None = None) -> int:
    """Some accounts (the admin's and the API's "recompute this account now")."""
    return _fan_out(EngagementRunKind.ACCOUNTS, day, account_ids)


@shared_task(
    autoretry_for=(OSError, OperationalError),  # SMTP and connection failures
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def alert_digests_task() -> int:
    """The daily alert digest for the people who chose it (a re-run sends nothing twice)."""
    return alerts.alert_digests_send()


# --- Webhooks --------------------------------------------------------------------------------


@shared_task(bind=True, max_retries=None, acks_late=True)
def webhook_deliver_task(self, delivery_id: int) -> str | None:
    """Post one webhook delivery. A failed attempt that may be retried comes back after an
    exponential backoff (community.webhooks.backoff_seconds) until WEBHOOK_MAX_ATTEMPTS; the
    attempt count lives on the row, so a redelivered task neither posts a succeeded delivery
    again nor exceeds the limit."""
    result = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.status
