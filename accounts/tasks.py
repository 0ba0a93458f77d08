"""Celery tasks of accounts (the outer layer): invitation emails, purging expired invitations,
old audit rows and old form tokens and idempotency keys, and the outbox relay that publishes
queued tasks once the broker is back."""

from celery import Task, shared_task
from django.db import OperationalError

from accounts import outbox, services, submissions


class _InvitationEmailTask(Task):
    """The last failure of an invitation's email (its retries spent, or an error it does not
    retry) is recorded on the invitation, with the reason: never silently lost."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        invitation_id = kwargs.get("invitation_id", args[0] if args else None)
        services.invitation_send_failed(invitation_id=invitation_id, error=exc)


@shared_task(
    base=_InvitationEmailTask,
    autoretry_for=(OSError, OperationalError),  # SMTP and connection failures
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def invitation_send_task(invitation_id: int) -> bool:
    return services.invitation_send(invitation_id=invitation_id)


@shared_task(
    autoretry_for=(OperationalError,),  # the database went away for a moment
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def invitations_purge_task() -> int:
    return services.invitations_purge()


@shared_task(
    autoretry_for=(OperationalError,),  # the database went away for a moment
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def audit_purge_task() -> int:
    """Nightly: the audit rows past their retention (AUDIT_RETENTION_DAYS) go."""
    return services.audit_entries_purge()


@shared_task(
    autoretry_for=(OperationalError,),  # the database went away for a moment
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def submissions_purge_task() -> dict[str, int]:
    """Hourly: form tokens and API idempotency keys past their retention go
    (accounts/submissions.py)."""
    tokens, keys = submissions.submissions_purge()
    return {"form_tokens": tokens, "idempotency_keys": keys}


@shared_task(
    autoretry_for=(OperationalError,),  # the database went away for a moment
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=3,
)
def outbox_relay_task() -> int:
    """Publish the tasks the outbox still holds (the broker was down when they were asked
    for). Every minute by beat, and as each worker starts (config/celery.py); two relays at
    once never publish one row twice (accounts.outbox claims by UPDATE)."""
    return outbox.outbox_relay()
