"""Celery tasks of ideas: thin, they take IDs (or nothing), call a service and own the retry
policy. Any of them may run twice; the services make that harmless."""

from celery import shared_task
from django.db import OperationalError

from ideas.services import pilots as pilot_services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def pilots_advance_schedule_task() -> dict[str, int]:
    """Open, start and close published pilots on their dates (beat: every hour)."""
    return pilot_services.pilots_advance_schedule()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def feedback_reminders_task() -> int:
    """Remind members of due check-ins, within the fatigue limits (beat: daily)."""
    from ideas.services.reminders import reminders_send

    return reminders_send()
