"""Notifications by email: the single emails and the daily and weekly digests, each sent once.
(The delivery each person chose per kind and the unsubscribe links are in
community.services.notifications; the engagement alerts' own daily digest is in
community.services.alerts.)

`community.services.notifications.notify_many` makes the notifications and asks
`notification_deliveries` how each one's email goes; this module does the rest.

Sending is claimed, never locked across the SMTP conversation by a transaction: the task (or
digest job) claims the row with one UPDATE (a count of 1 means it is ours), hands the email to
the backend, then marks the row sent. A failure the backend reports releases the claim and
raises, so Celery retries with a backoff; a second run of the same task finds the row sent (or
being sent) and sends nothing.

A failure no retry can mend (config.emails: a header Django refuses, an address that cannot be
encoded) is recorded on the row instead (`email_failed_at`, `email_error`; for a digest on the
digest and each of its notifications) and not raised: never sent again, never silently lost,
listed for staff in the Django admin (Notifications, filtered by "email failed at"). So is the
last failure of a task whose retries are spent (`notification_email_failed`, called by the
task). Every subject is put on one line first (`config.emails.email_subject`), so a title
stored with a line break still goes out.

A worker killed while sending (SIGKILL, a lost host) leaves its claim on an unsent row. The rule
then is at-least-once with one identity: the row is sent again, and every hand-off of a row
carries the same Message-ID (`_message_id`), so a copy that did get out before the kill and
the new one are recognisably one message (mail systems that deduplicate by Message-ID show it
once); a digest sent again holds exactly the notifications it held before (none gathered
since), so the two copies are alike.
Nearly always the kill came during the SMTP conversation, before the server took the message,
and the person gets it once; a second copy needs the kill in the moment between the server's
"accepted" and our UPDATE. Dropping the email instead (at most once) would lose the common case.

Who may take over a claim: a sender holds a PostgreSQL advisory lock on the row (session level,
`_sending_lock`) from before its claim until it has marked the row. The lock ends with the
sender's database session, so when a worker dies its lock is gone at once and the next run
(or the acks_late redelivery of the task) takes the claim over without waiting. A claim whose
lock is still held belongs to a live sender and is left alone, unless it is older than
NOTIFICATION_CLAIM_STALE_SECONDS (above Celery's hard time limit, so no live sender is that
old): a session PostgreSQL has not yet noticed is dead. SQLite (dev) has no such locks and
relies on that age alone.

Digests: one NotificationDigest row per person, period and period start (unique). The job
inserts the rows it needs (a conflicting insert, from a second or parallel run, does nothing),
claims each unsent one, gathers the person's waiting notifications into it, sends one email,
and marks the digest and its notifications sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.outbox import enqueue, enqueue_each
from community.models import (
    DigestPeriod,
    Notification,
    NotificationDigest,
    NotificationPreference,
)
from community.models.notifications import (
    Delivery,
    kind_label,
    kinds_with_own_digest,
)
from community.selectors.notifications import NAMING_RELATED, notification_delivery
from community.services.notifications import unsubscribe_url
from config.emails import PERMANENT_EMAIL_FAILURES, email_failure_reason, email_subject
from config.sql_once import SqlOnce

logger = logging.getLogger(__name__)

# The first key of the PostgreSQL advisory locks a sender holds on the row it emails ("nm" for
# a notification, "nd" for a digest); the second is the row's id. Nothing else in the project
# takes advisory locks with these keys.
_NOTIFICATION_LOCKS = 0x6E6D


_DIGEST_LOCKS = 0x6E64


# The most notifications one digest lists (the rest: "and N more" with a link to the page).
DIGEST_MAX_ITEMS = 50


# --- Building an email -----------------------------------------------------------------------


def email_build(
    *,
    user: User,
    subject: str,
    text: str,
    html: str | None,
    kinds: Iterable[str],
    unsubscribe: str | None = None,
    message_id: str | None = None,
) -> EmailMultiAlternatives:
    """An email with its subject on one line, its plain-text body, an HTML alternative when
    given, and the one-click unsubscribe headers (RFC 2369 List-Unsubscribe, RFC 8058
    List-Unsubscribe-Post); with `message_id`, that Message-ID instead of a new one."""
    unsubscribe = unsubscribe or unsubscribe_url(user=user, kinds=kinds)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if message_id:
        headers["Message-ID"] = message_id
    message = EmailMultiAlternatives(
        subject=email_subject(subject), body=text, to=[user.email], headers=headers
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message


# --- Claims: who sends a row, and when a dead sender's row is sent again ----------------------


def claim_stale() -> dt.timedelta:
    """How old a claim whose sender still holds its lock must be to be taken over."""
    return dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_STALE_SECONDS)


@contextmanager
def _sending_lock(lock_class: int, pk: int) -> Iterator[bool | None]:
    """The row's sending lock, held by whoever may claim it: yields True when this session
    holds it, False when another live session does, None where there are no such locks
    (SQLite). A session-level PostgreSQL advisory lock, not a transaction: nothing stays open
    across the SMTP conversation, and a killed worker's lock ends with its connection."""
    if connection.vendor != "postgresql":
        yield None
        return
    key = _lock_key(lock_class, pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except DatabaseError:  # an aborted transaction: the lock ends with the session
                logger.warning("Sending lock %s not released", key, exc_info=True)


def _lock_key(lock_class: int, pk: int) -> list[int]:
    return [lock_class, (pk + 2**31) % 2**32 - 2**31]  # the id as a signed 32-bit key


def _claim(queryset, *, field: str, lock: bool | None) -> int:
    """Claim the rows of `queryset` (one UPDATE on `field`). Holding their sending lock, any
    claim left on them is a dead sender's and is taken over; without it (another session holds
    it, or SQLite) only rows nobody claimed, or claimed longer than `claim_stale()` ago."""
    now = timezone.now()
    stale = Q(**{f"{field}__lt": now - claim_stale()})
    if lock is False:
        queryset = queryset.filter(stale)
    elif lock is None:
        queryset = queryset.filter(Q(**{f"{field}__isnull": True}) | stale)
    return queryset.update(**{field: now})


def _message_id(kind: str, pk: int, created_at: dt.datetime) -> str:
    """The Message-ID every hand-off of one row carries, so that a copy sent again after a
    sender died is the same message (the row's creation time keeps ids of a rebuilt database
    apart)."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{kind}-{pk}.{created_at:%Y%m%d%H%M%S%f}@{domain}>"


# --- One notification, one email ------------------------------------------------------------


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification; True when this call sent it.

    Claimed first (a second run of the task, or a retry while another still sends, claims
    nothing and sends nothing; a claim left by a dead sender is taken over and the email goes
    with the same Message-ID). The person's preference is read again at sending time: a kind
    they moved to a digest waits for the digest, a kind turned off is not sent, nor is anything
    to a deactivated person. A sending failure releases the claim and raises (the task retries);
    one no retry can mend is recorded on the row instead (False), and the row is not sent again.
    """
    with _sending_lock(_NOTIFICATION_LOCKS, notification_id) as lock:
        pending = Notification.objects.filter(
            pk=notification_id, emailed_at__isnull=True, email_failed_at__isnull=True
        )
        if not _claim(pending, field="email_claimed_at", lock=lock):
            return False
        return _notification_email_claimed(notification_id)


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Email each of these notifications in turn, as `notification_email_send` does (the
    emails of one transaction's notifications, one task for them all); how many this call sent.

    A retry or redelivery of the whole sends nothing twice (each is claimed). When one fails to
    go (a refused or broken SMTP connection, its claim released; or anything else but the
    database), it and those after it are handed to a `notification_email_task` each, which
    retries with a backoff and records the last failure on its own row, as before they were
    sent together; so one task does not wait out the mail server's timeout for every email. The
    database failing stops them all (the task retries the list)."""
    sent = 0
    for position, notification_id in enumerate(notification_ids):
        try:
            sent += notification_email_send(notification_id=notification_id)
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:
            rest = notification_ids[position:]
            logger.info("%d notification email(s) go one by one now: %r", len(rest), error)
            enqueue_each("community.tasks.notification_email_task", [[i] for i in rest])
            break
    return sent


# The claimed notification, with what naming its actor needs: its SQL kept (config.sql_once), so
# that the ORM writes it and PostgreSQL plans its five joins once per connection, not for every
# email (they cost more to plan than to run).
_CLAIMED = SqlOnce(
    Notification,
    lambda notification_id: Notification.objects.select_related(*NAMING_RELATED).filter(
        pk=notification_id
    )[:1],
    notification_id=int,
)


def _notification_email_claimed(notification_id: int) -> bool:
    notification = _CLAIMED.first(notification_id=notification_id)
    if notification is None:  # (as `get` raised: the task retries, then records the failure)
        raise Notification.DoesNotExist(f"Notification {notification_id} does not exist.")
    user = notification.user
    if not user.is_active:
        Notification.objects.filter(pk=notification.pk).update(email_delivery=Delivery.OFF)
        return False
    delivery = notification_delivery(user=user, kind=notification.kind)
    if delivery != Delivery.IMMEDIATELY:
        # A digest gathers it (unclaimed), or it is off: the row says which.
        Notification.objects.filter(pk=notification.pk).update(
            email_delivery=delivery, email_claimed_at=None
        )
        return False
    unsubscribe = unsubscribe_url(user=user, kinds=[notification.kind])
    context = {
        "notification": notification,
        "site_url": settings.SITE_URL,
        "kind_label": kind_label(notification.kind),
        "unsubscribe_url": unsubscribe,
        "preferences_url": settings.SITE_URL + reverse("community:notification-preferences"),
    }
    message = email_build(
        user=user,
        subject=notification.shown_title,
        text=render_to_string("community/email/notification.txt", context),
        html=render_to_string("community/email/notification.html", context),
        kinds=[notification.kind],
        unsubscribe=unsubscribe,
        message_id=_message_id("notification", notification.pk, notification.created_at),
    )
    try:
        message.send()
    except PERMANENT_EMAIL_FAILURES as error:
        notification_email_failed(notification_id=notification.pk, error=error)
        return False
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(email_claimed_at=None)
        raise
    Notification.objects.filter(pk=notification.pk).update(
        emailed_at=timezone.now(), email_delivery=Delivery.IMMEDIATELY
    )
    return True


def notification_email_failed(*, notification_id: int, error: BaseException) -> bool:
    """Record that the notification's email could not be sent, for good, with a short reason
    (a failure no retry can mend, or the task's last failure once its retries are spent). Its
    claim is released and it is never sent again. False when it had been sent meanwhile."""
    reason = email_failure_reason(error)
    logger.warning("Notification %s: its email failed for good: %s", notification_id, reason)
    recorded = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        email_failed_at=timezone.now(), email_error=reason, email_claimed_at=None
    )
    return bool(recorded)


def notification_emails_failed(*, notification_ids: list[int], error: BaseException) -> int:
    """`notification_email_failed` for each of a list whose task spent its retries (the database
    was away all along): those not sent meanwhile are recorded as failed. How many were."""
    return sum(
        notification_email_failed(notification_id=notification_id, error=error)
        for notification_id in notification_ids
    )


# --- Digests ---------------------------------------------------------------------------------


def digest_period_start(*, period: str, day: dt.date) -> dt.date:
    """The day, or the Monday of its week."""
    if period == DigestPeriod.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    return day


def _waiting(period: str):
    """Notifications waiting for this period's digest: not emailed, in no digest yet, of an
    active person who has not since turned the kind off."""
    turned_off = NotificationPreference.objects.filter(
        user_id=OuterRef("user_id"), kind=OuterRef("kind"), delivery=Delivery.OFF
    )
    return (
        Notification.objects.filter(
            email_delivery=period,
            emailed_at__isnull=True,
            digest__isnull=True,
            user__is_active=True,
        )
        .exclude(kind__in=kinds_with_own_digest())
        .exclude(Exists(turned_off))
    )


def notification_digests_send(*, period: str, now: dt.datetime | None = None) -> int:
    """Send this period's digest to everyone with notifications waiting for it; at most one
    digest per person and period however often (or concurrently) it runs, and queue the chat
    channels' digests of the period. Returns the number of emails this call sent. A sending
    failure raises after the others were tried."""
    if period not in DigestPeriod.values:
        raise ValueError(f"Unknown digest period {period!r}")
    # The chat channels' digests of the period go out on this schedule too (their own task,
    # community.services.chat_deliveries.chat_digests_send), whatever happens to the emails.
    enqueue(f"community.tasks.chat_digests_{period}_task")
    now = now or timezone.now()
    start = digest_period_start(period=period, day=timezone.localdate(now))
    user_ids = sorted(set(_waiting(period).values_list("user_id", flat=True)))
    NotificationDigest.objects.bulk_create(
        [NotificationDigest(user_id=u, period=period, period_start=start) for u in user_ids],
        ignore_conflicts=True,  # a second or parallel run: the row exists already
    )
    # This period's unsent digests, and any of an earlier period whose sending failed for good
    # (its retries ran out): they still hold their notifications.
    digests = list(
        NotificationDigest.objects.filter(
            period=period,
            period_start__lte=start,
            sent_at__isnull=True,
            failed_at__isnull=True,
            user__is_active=True,
        )
        .order_by("period_start", "pk")
        .values_list("pk", flat=True)
    )
    sent, failure = 0, None
    for digest_id in digests:
        try:
            sent += digest_send(digest_id=digest_id)
        except Exception as error:  # noqa: BLE001 - the others still go; raised at the end
            logger.warning("Digest %s not sent: %s", digest_id, error)
            failure = error
    if failure is not None:
        raise failure
    return sent


def digest_send(*, digest_id: int) -> int:
    """Claim one unsent digest, gather the person's waiting notifications into it and email
    it. Returns 1 when this call sent it; 0 when it was sent or is being sent by another run,
    or holds nothing (then it is removed: a later run of the same period may send one).

    A digest whose sender died (its claim was left) goes again as it was: the notifications
    it holds, under the same Message-ID, nothing gathered since (those wait for the next one).
    After a failure the backend reported (claim released) the retry gathers what came since."""
    with _sending_lock(_DIGEST_LOCKS, digest_id) as lock:
        unsent = NotificationDigest.objects.filter(
            pk=digest_id, sent_at__isnull=True, failed_at__isnull=True
        )
        digest = unsent.select_related("user").first()
        if digest is None or not _claim(unsent, field="claimed_at", lock=lock):
            return 0
        items = _digest_items(digest) if digest.claimed_at else []
        if items:
            logger.warning(
                "Digest %s: its sender died while sending; sending its %d notifications again "
                "with the same Message-ID",
                digest.pk,
                len(items),
            )
        else:
            _waiting(digest.period).filter(user_id=digest.user_id).update(digest=digest)
            items = _digest_items(digest)
        return _digest_deliver(digest=digest, items=items)


def _digest_items(digest: NotificationDigest) -> list[Notification]:
    """The digest's notifications, each read by the digest's person (named for them)."""
    items = list(
        Notification.objects.filter(digest=digest, emailed_at__isnull=True)
        .select_related("actor", "actor_account", "garden")
        .order_by("kind", "created_at", "pk")
    )
    for item in items:
        item.user = digest.user  # the reader, loaded once
    return items


def _digest_deliver(*, digest: NotificationDigest, items: list[Notification]) -> int:
    if not items:  # nothing waits any more (turned off meanwhile): no digest for now
        NotificationDigest.objects.filter(pk=digest.pk, sent_at__isnull=True).delete()
        return 0
    if not digest.user.is_active:
        NotificationDigest.objects.filter(pk=digest.pk).update(claimed_at=None)
        return 0
    try:
        _digest_email(digest=digest, items=items).send()
    except PERMANENT_EMAIL_FAILURES as error:
        _digest_failed(digest=digest, items=items, error=error)
        return 0
    except Exception:
        NotificationDigest.objects.filter(pk=digest.pk).update(claimed_at=None)
        raise
    with transaction.atomic():
        stamp = timezone.now()
        NotificationDigest.objects.filter(pk=digest.pk).update(sent_at=stamp)
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=stamp)
    return 1


@transaction.atomic
def _digest_failed(
    *, digest: NotificationDigest, items: list[Notification], error: BaseException
) -> None:
    """The digest could not be sent, for good: recorded on it and on each notification it held
    (listed for staff with the reason); none of them is sent again."""
    reason = email_failure_reason(error)
    logger.warning("Digest %s failed for good: %s", digest.pk, reason)
    now = timezone.now()
    NotificationDigest.objects.filter(pk=digest.pk).update(
        failed_at=now, error=reason, claimed_at=None
    )
    Notification.objects.filter(pk__in=[n.pk for n in items], emailed_at__isnull=True).update(
        email_failed_at=now, email_error=reason
    )


def _digest_email(
    *, digest: NotificationDigest, items: list[Notification]
) -> EmailMultiAlternatives:
    user = digest.user
    groups: dict[str, list[Notification]] = {}
    for item in items[:DIGEST_MAX_ITEMS]:
        groups.setdefault(item.kind, []).append(item)
    kinds = sorted({item.kind for item in items})
    sections = [
        {
            "kind": kind,
            "label": kind_label(kind),
            "items": rows,
            "unsubscribe_url": unsubscribe_url(user=user, kinds=[kind]),
        }
        for kind, rows in groups.items()
    ]
    count = len(items)
    period = digest.get_period_display().lower()
    context = {
        "digest": digest,
        "period": period,
        "sections": sections,
        "count": count,
        "more": max(0, count - DIGEST_MAX_ITEMS),
        "site_url": settings.SITE_URL,
        "notifications_url": settings.SITE_URL + reverse("community:notification-list"),
        "preferences_url": settings.SITE_URL + reverse("community:notification-preferences"),
        "unsubscribe_url": unsubscribe_url(user=user, kinds=kinds),
    }
    return email_build(
        user=user,
        subject=f"Your {period} digest: {count} notification{'s' if count != 1 else ''}",
        text=render_to_string("community/email/notification_digest.txt", context),
        html=render_to_string("community/email/notification_digest.html", context),
        kinds=kinds,
        unsubscribe=context["unsubscribe_url"],
        message_id=_message_id("digest", digest.pk, digest.created_at),
    )
