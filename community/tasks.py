"""Celery tasks of community (the outer layer): thin, they take ids and ISO days, call one
service and own the retry policy. Emails and digests, the engagement engine's runs and chunks,
the alert digest, webhook deliveries, chat channel posts and digests, and milestones (badges)."""

import datetime as dt

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accounts.outbox import enqueue
from community.models import EngagementRunKind
from community.selectors.insights import outcome_rates_ahead
from community.selectors.loyalty import loyalty_over_time_ahead
from community.services import (
    alerts,
    chat_deliveries,
    engagement,
    notification_emails,
    notification_fanouts,
    recognition,
    webhooks,
)


class _NotificationEmailTask(Task):
    """The last failure of a notification's email (its retries spent, or an error it does not
    retry) is recorded on the notification, with the reason: never silently lost."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        notification_id = kwargs.get("notification_id", args[0] if args else None)
        notification_emails.notification_email_failed(notification_id=notification_id, error=exc)


@shared_task(
    base=_NotificationEmailTask,
    autoretry_for=(OSError, OperationalError),  # SMTP and connection failures
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notification_email_task(notification_id: int) -> bool:
    """Email one notification; an SMTP failure retries with a backoff, and the last one is
    recorded on the row. A retry, a redelivery or a second task for the same row sends nothing
    twice (its sender claims the row: community.services.notification_emails)."""
    return notification_emails.notification_email_send(notification_id=notification_id)


class _NotificationEmailsTask(Task):
    """The last failure of a list of notifications' emails (the database away through every
    retry) is recorded on those not sent, as for one notification."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        notification_ids = kwargs.get("notification_ids", args[0] if args else [])
        notification_emails.notification_emails_failed(notification_ids=notification_ids, error=exc)


@shared_task(
    base=_NotificationEmailsTask,
    autoretry_for=(OperationalError, InterfaceError),  # the database went away for a moment
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def notification_emails_task(notification_ids: list[int]) -> int:
    """Email the notifications of one transaction in turn (one task, not one per person). Each
    is claimed, so a retry or redelivery sends nothing twice; one whose SMTP sending fails goes
    on alone as a `notification_email_task`, with that task's retries and failure record."""
    return notification_emails.notification_emails_send(notification_ids=notification_ids)


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),  # the database went away for a moment
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def notification_fanout_task(fanout_id: int) -> int:
    """Tell a fan-out's audience, chunk after chunk, each its own transaction. A retry, a
    redelivery (acks_late: its worker was killed) or a second task starts after the last
    committed chunk: nobody is told twice (community.services.notification_fanouts)."""
    return notification_fanouts.notification_fanout_run(fanout_id=fanout_id)


_DIGEST_RETRY = {
    "autoretry_for": (OSError, OperationalError),  # SMTP and connection failures
    "retry_backoff": 60,
    "retry_backoff_max": 1800,
    "max_retries": 6,
}


@shared_task(**_DIGEST_RETRY)
def notification_digests_daily_task() -> int:
    """The daily digest (once a day, by beat): at most one per person and day, however often
    it runs; a retry sends only the digests not sent yet (the chat channels' daily digests are
    queued by it: community.services.notification_emails.notification_digests_send)."""
    return notification_emails.notification_digests_send(period="daily")


@shared_task(**_DIGEST_RETRY)
def notification_digests_weekly_task() -> int:
    """The weekly digest (Mondays, by beat): at most one per person and week (and the chat
    channels' weekly digests)."""
    return notification_emails.notification_digests_send(period="weekly")


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
    return engagement.engagement_recompute(account_ids=account_ids, day=_day(day))


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_repair_task(account_ids: list[int]) -> int:
    """Repair one chunk of accounts marked by late events: from each one's marked day to
    today, in one transaction (a redelivered task finds the marks gone and does nothing)."""
    return engagement.engagement_repair(account_ids=account_ids)


def _fan_out(
    kind: str, day: str | None, account_ids: list[int] | None = None, *, repair: bool = True
) -> int:
    """Start a run: the marked accounts' repairs first (scheduled runs), then the run's own
    chunks without them."""
    repairs = engagement.engagement_repair_chunks() if repair else []
    run, chunks = engagement.engagement_run_start(
        kind=kind,
        day=_day(day),
        account_ids=account_ids,
        repaired=[pk for chunk in repairs for pk in chunk],
    )
    for chunk in repairs:
        enqueue(engagement_repair_task, chunk)
    for chunk in chunks:  # published once the run is committed, in parallel by the workers
        enqueue(engagement_recompute_task, chunk, run.day.isoformat())
    return run.accounts


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_recompute_all_task(day: str | None = None) -> int:
    """Every account, as chunks run in parallel by the workers (a Celery group)."""
    return _fan_out(EngagementRunKind.FULL, day)


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_recompute_nightly_task() -> int:
    """The nightly full run settles yesterday, now that it is over, and today after it (each
    chunk computes both days, so today's level builds on the settled yesterday)."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return _fan_out(EngagementRunKind.FULL, yesterday.isoformat())


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_recompute_incremental_task(day: str | None = None) -> int:
    """Accounts with customer events recorded since the previous run (every 15 minutes)."""
    return _fan_out(EngagementRunKind.INCREMENTAL, day)


@shared_task(**_ENGAGEMENT_RETRY)
def insights_loyalty_ahead_task() -> int:
    """Loyalty over time fitted, and the outcome rates by level computed, for the insights
    page's first view before anyone opens it (after each incremental engagement run: what it
    changed is in the next data)."""
    outcome_rates_ahead()
    result = loyalty_over_time_ahead()
    return max((outcome.accounts for outcome in result.outcomes), default=0)  # observed


@shared_task(**_ENGAGEMENT_RETRY)
def engagement_recompute_accounts_task(account_ids: list[int], day: str | None = None) -> int:
    """Some accounts (the admin's and the API's "recompute this account now")."""
    return _fan_out(EngagementRunKind.ACCOUNTS, day, account_ids, repair=False)


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


@shared_task(bind=True, max_retries=settings.WEBHOOK_MAX_ATTEMPTS, acks_late=True)
def webhook_deliver_task(self, delivery_id: int) -> str | None:
    """Post one webhook delivery. A failed attempt that may be retried comes back after an
    exponential backoff (community.services.webhooks.backoff_seconds) until
    WEBHOOK_MAX_ATTEMPTS; the
    attempt count lives on the row, so a redelivered task neither posts a succeeded delivery
    again nor exceeds the limit, and the last failure is written on the row (failed).

    The row is the real bound: a task's own retry count starts again at 0 when the recovery
    beat or "retry now" queues the delivery again. Celery's `max_retries` (the same limit,
    read at each retry) is a second, explicit bound: every retry follows an attempt the row
    counted, so it is never reached unless that count stopped growing, and then the task
    stops (MaxRetriesExceededError, logged) instead of retrying for ever."""
    result = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in, max_retries=webhooks.max_attempts())
    return result.status


@shared_task(**_ENGAGEMENT_RETRY)
def webhook_deliveries_requeue_task() -> int:
    """Every few minutes (beat): queue again the deliveries whose task was lost (Redis or a
    worker died); see community.services.webhooks.webhook_deliveries_requeue. The chat
    channels' lost posts are looked for at the same pace (`chat_posts_requeue_task`)."""
    enqueue("community.tasks.chat_posts_requeue_task")
    return len(webhooks.webhook_deliveries_requeue())


# --- Chat channels --------------------------------------------------------------------------


@shared_task(bind=True, max_retries=settings.WEBHOOK_MAX_ATTEMPTS, acks_late=True)
def chat_delivery_post_task(self, delivery_id: int) -> str | None:
    """Post one chat delivery. A failure that may be retried comes back after the webhooks'
    backoff; the attempts live on the row, which the attempt claims, so a retried or
    redelivered task never posts a delivery that was posted (community.services.chat_deliveries)."""
    result = chat_deliveries.chat_delivery_attempt(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in, max_retries=webhooks.max_attempts())
    return result.status


@shared_task(bind=True, max_retries=settings.WEBHOOK_MAX_ATTEMPTS, acks_late=True)
def chat_digest_post_task(self, digest_id: int) -> str | None:
    """Post one channel's digest, once, retried as a delivery is."""
    result = chat_deliveries.chat_digest_attempt(digest_id=digest_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in, max_retries=webhooks.max_attempts())
    return result.status


@shared_task(**_ENGAGEMENT_RETRY)
def chat_digests_daily_task() -> int:
    """The channels' daily digests (queued by the email's daily digest task): one per channel
    and day."""
    return len(chat_deliveries.chat_digests_send(period="daily"))


@shared_task(**_ENGAGEMENT_RETRY)
def chat_digests_weekly_task() -> int:
    """The channels' weekly digests (queued by the email's weekly one): one per channel and
    week."""
    return len(chat_deliveries.chat_digests_send(period="weekly"))


@shared_task(**_ENGAGEMENT_RETRY)
def chat_posts_requeue_task() -> int:
    """Queue again the chat posts whose task was lost (queued by the webhooks' beat task)."""
    return chat_deliveries.chat_posts_requeue()


# --- Recognition (milestones as badges) ------------------------------------------------------
# Any run may repeat another: the unique constraint (person, kind) lets each badge in once.

MILESTONES_LOOKBACK = dt.timedelta(hours=1)  # beat runs every 15 minutes; the nightly run
# over everyone catches whatever a longer outage missed.


@shared_task(**_ENGAGEMENT_RETRY)
def milestones_award_task(user_ids: list[int] | None = None) -> int:
    """Award the milestones these people reached (None: everyone, in one go)."""
    return len(recognition.milestones_award(user_ids=user_ids))


@shared_task(**_ENGAGEMENT_RETRY)
def milestones_award_recent_task() -> int:
    """The people active in the last hour, in chunks run in parallel (every 15 minutes)."""
    people = recognition.milestone_people_active_since(since=timezone.now() - MILESTONES_LOOKBACK)
    for start in range(0, len(people), 1000):
        enqueue(milestones_award_task, people[start : start + 1000])
    return len(people)


@shared_task(**_ENGAGEMENT_RETRY)
def milestones_award_all_task() -> int:
    """Everyone, in chunks of people run in parallel (nightly, after the engagement run)."""
    chunks = list(recognition.milestone_people_chunks())
    for chunk in chunks:
        enqueue(milestones_award_task, chunk)
    return sum(len(chunk) for chunk in chunks)
