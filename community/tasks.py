from celery import shared_task
from django.db import OperationalError

from community import services


@shared_task(
    autoretry_for=(OSError, OperationalError),  # SMTP and connection failures
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notification_email_task(notification_id: int) -> bool:
    return services.notification_email(notification_id=notification_id)
