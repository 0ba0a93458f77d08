from celery import shared_task
from django.db import OperationalError

from accounts import services


@shared_task(
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
