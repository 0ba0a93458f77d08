"""Who reads which of the demo's sent emails (demo/views.py): each person the emails addressed
to them; programme admins (and superusers) every one. The page exists only while DEMO_EMAILS
is on (dev and `make demo`): 404 otherwise, for everyone."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from accounts.access import manages_all_accounts
from accounts.models import User
from demo.models import SentEmail


def require_demo_emails() -> None:
    if not settings.DEMO_EMAILS:
        raise Http404("The sent emails are kept only in the demo.")


def reads_every_sent_email(user: User) -> bool:
    return user.is_authenticated and user.is_active and manages_all_accounts(user)


def visible_sent_emails(user: User) -> QuerySet[SentEmail]:
    require_demo_emails()
    emails = SentEmail.objects.all()
    if reads_every_sent_email(user):
        return emails
    if not user.is_authenticated or not user.email:
        return emails.none()
    return emails.filter(recipient=user.email.strip().lower())


def access_sent_email(user: User, email_id: int) -> SentEmail:
    """The sent email, or 404 when it was addressed to someone else."""
    try:
        return visible_sent_emails(user).get(pk=email_id)
    except SentEmail.DoesNotExist:
        raise Http404("No such email in your mailbox.") from None
