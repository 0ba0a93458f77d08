"""Outgoing webhooks: events (community/services/webhook_events.py, and the other apps'
services) are posted as JSON to the endpoints a programme admin set up.

Each post is signed in the Standard Webhooks format (`community/webhook_signing.py`:
`webhook-id`, `webhook-timestamp`, `webhook-signature`), with the old X-Garden-* headers too
during a rotation period. A delivery is created once per endpoint, event and subject (unique
constraint: re-runs of the engine never post twice), and its `message_id` (webhook-id) is the
same at every attempt; the Celery task `webhook_deliver_task` claims it by an UPDATE … WHERE
status='pending' (and due) with a short lease, posts it (timeout `TIMEOUT_SECONDS`), and either
marks it succeeded or leaves it pending, due again after an exponential backoff
(`next_attempt_at`, when the task's retry comes back), until `settings.WEBHOOK_MAX_ATTEMPTS`
attempts failed.

A task can be lost: Redis restarted without persistence, a worker was killed mid-post. Every
few minutes a beat task (`webhook_deliveries_requeue`) queues again the deliveries still pending
`REQUEUE_AFTER_SECONDS` after they were due and not leased (a lease that ran out belonged to a
worker that died), claiming them by one UPDATE … RETURNING so that two beats never queue the
same delivery twice. A task that finds its delivery not due (another task's attempt failed
first and set the next one later) or leased does nothing: the owner of the attempt goes on.

Where a post may go is `config/outbound.py`'s rule: a URL is checked when its
endpoint is saved and again at each attempt, the post connects to the address that was checked
and follows no redirect, and the delivery log keeps a short reason of ours for a failure.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from accounts.outbox import enqueue_each
from community.models import (
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)
from community.webhook_signing import new_secret, signed_headers
from config.outbound import (
    DestinationRefused,
    PostOutcome,
    destination_check,
    destination_post,
    plain_http_allowed,
)

TIMEOUT_SECONDS = 5
LEASE_SECONDS = 60  # longer than a post can take; a killed worker's claim expires after it
REQUEUE_AFTER_SECONDS = 300  # still pending this long after it was due: its task was lost
REQUEUE_BATCH = 1000  # deliveries queued again per beat run, oldest due first
CLOCK_TOLERANCE_SECONDS = 1  # a retry's ETA may fire a moment before the due time it set
INTERRUPTED_ERROR = "The last attempt was interrupted (worker lost) and no attempt is left."
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
ERROR_MAX_LENGTH = 500
USER_AGENT = "CustomerGarden-Webhooks/1"


def max_attempts() -> int:
    return settings.WEBHOOK_MAX_ATTEMPTS


def backoff_seconds(attempts: int) -> int:
    """30 s, 60 s, 120 s … after the 1st, 2nd, 3rd failed attempt, at most an hour."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def _clean_url(url: str) -> str:
    """A well-formed URL whose host resolves, now, only to addresses a webhook may reach
    (config/outbound.py); https only, plain http when DEBUG is on, or to a
    loopback host where settings.OUTBOUND_ALLOW_LOOPBACK allows loopback (the tests' receiver)."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": "Give the URL to post alerts to."})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": "Enter a valid URL, such as https://example.com/hooks."}
        ) from None
    if len(url) > 500:
        raise ValidationError({"url": "Keep the URL to 500 characters."})
    try:
        destination = destination_check(url)
    except DestinationRefused as refused:
        raise ValidationError(
            {"url": f"Refused: {refused.reason}. Alerts are posted to public addresses only."}
        ) from None
    if urlsplit(url).scheme == "https" or plain_http_allowed(destination):
        return url
    raise ValidationError({"url": "Use an https:// URL: alerts are not sent in the clear."})


# --- Endpoints -------------------------------------------------------------------------------


def webhook_endpoint_create(
    *, url: str, description: str = "", created_by: User
) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret (show `endpoint.secret` once, now). The URL's
    host is resolved before the (single-row) insert, in no transaction of ours."""
    url = _clean_url(url)
    description = (description or "").strip()
    if len(description) > 200:
        raise ValidationError({"description": "Keep the description to 200 characters."})
    return WebhookEndpoint.objects.create(
        url=url, description=description, secret=new_secret(), created_by=created_by
    )


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret (show it once); posts from now on are signed with it and, for a rotation
    period of `settings.WEBHOOK_ROTATION_DAYS`, with the secret it replaces too (and carry the
    old-style headers, keyed with that one), so the receiver can switch in its own time."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.secret = new_secret()
    endpoint.rotation_ends_at = timezone.now() + dt.timedelta(days=settings.WEBHOOK_ROTATION_DAYS)
    endpoint.save(update_fields=["secret", "previous_secret", "rotation_ends_at", "updated_at"])
    return endpoint


@transaction.atomic
def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """No new deliveries for it; its pending ones are not sent either (they fail as such)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.active:
        endpoint.active = False
        endpoint.save(update_fields=["active", "updated_at"])
    return endpoint


@transaction.atomic
def webhook_endpoint_reactivate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """New alerts are posted to it again (same URL and secret). Deliveries that failed while
    it was deactivated stay failed: "retry now" sends one again."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.active:
        endpoint.active = True
        endpoint.save(update_fields=["active", "updated_at"])
    return endpoint


# --- Deliveries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookMessage:
    """One occurrence of an event: what it is about (`subject`, unique per event), the JSON
    posted, a line for the delivery log, and the alert of an alert event."""

    subject: str
    payload: dict
    summary: str
    alert_id: int | None = None


def webhook_endpoints_active() -> list[int]:
    """The ids of the endpoints new events go to."""
    return list(WebhookEndpoint.objects.filter(active=True).values_list("pk", flat=True))


def webhook_event_emit(
    *, event: str, messages: Sequence[WebhookMessage], endpoint_ids: list[int] | None = None
) -> list[int]:
    """One pending delivery per active endpoint (or those of `endpoint_ids`, read by a caller
    that skips building its messages when there are none) and message (none twice: ON CONFLICT
    DO NOTHING on endpoint, event and subject), each posted by a task once the caller's
    transaction commits. Returns the ids of the deliveries this call created."""
    if not messages:
        return []
    if endpoint_ids is None:
        endpoint_ids = webhook_endpoints_active()
    if not endpoint_ids:
        return []
    stamp = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=endpoint_id,
                alert_id=message.alert_id,
                event=event,
                subject=message.subject,
                summary=message.summary[:200],
                payload=message.payload,
                created_at=stamp,
                next_attempt_at=stamp,
            )
            for message in messages
            for endpoint_id in endpoint_ids
        ],
        ignore_conflicts=True,
    )
    # The rows this call inserted carry its timestamp; rows of an earlier run carry another.
    created = list(
        WebhookDelivery.objects.filter(
            event=event, subject__in=[m.subject for m in messages], created_at=stamp
        ).values_list("pk", flat=True)
    )
    _enqueue_after_commit(created)
    return created


def _enqueue_after_commit(delivery_ids: list[int]) -> None:
    enqueue_each("community.tasks.webhook_deliver_task", [[pk] for pk in delivery_ids])


@transaction.atomic
def webhook_delivery_retry(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """ "Retry now" for a failed delivery: pending again with a fresh round of attempts,
    posted by a task after commit. Only failed deliveries of active endpoints."""
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .get(pk=delivery.pk)
    )
    if delivery.status != WebhookDeliveryStatus.FAILED:
        raise ValidationError("Only a failed delivery can be retried.")
    if not delivery.endpoint.active:
        raise ValidationError("This endpoint is deactivated: reactivate it first.")
    delivery.status = WebhookDeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.locked_until = None
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "locked_until", "next_attempt_at"])
    _enqueue_after_commit([delivery.pk])
    return delivery


@dataclass(frozen=True)
class AttemptResult:
    """What one attempt did: `retry_in` seconds when the task should try again, else None."""

    status: str | None  # the delivery's status after it; None when nothing was attempted
    retry_in: int | None = None


def _claim(delivery_id: int) -> bool:
    """Take the delivery for one attempt: only a pending one that is due, not leased by
    another worker (a single UPDATE, so two workers never post the same attempt, and a second
    task for the same delivery never posts before the backoff the first one set is over)."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status=WebhookDeliveryStatus.PENDING,
            next_attempt_at__lte=now + dt.timedelta(seconds=CLOCK_TOLERANCE_SECONDS),
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + dt.timedelta(seconds=LEASE_SECONDS), attempts=F("attempts") + 1)
    )


def webhook_delivery_attempt(*, delivery_id: int) -> AttemptResult:
    """One attempt at a delivery, if it can be claimed: a succeeded or failed delivery is left
    alone (nothing is ever posted twice after a success), one another worker holds is looked at
    again by nobody here: its holder goes on, or the recovery beat queues it once the lease ran
    out (webhook_deliveries_requeue); one not due yet belongs to the task that set its next
    attempt. The post happens outside any transaction; the outcome is written after it."""
    if not _claim(delivery_id):
        return AttemptResult(status=None)
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        _finish(
            delivery, status=WebhookDeliveryStatus.FAILED, code=None, error="Endpoint deactivated."
        )
        return AttemptResult(status=WebhookDeliveryStatus.FAILED)
    outcome = _post(delivery, endpoint)
    code, error = outcome.status_code, outcome.reason
    if outcome.succeeded:
        _finish(delivery, status=WebhookDeliveryStatus.SUCCEEDED, code=code, error="")
        return AttemptResult(status=WebhookDeliveryStatus.SUCCEEDED)
    if delivery.attempts >= max_attempts():
        _finish(delivery, status=WebhookDeliveryStatus.FAILED, code=code, error=error)
        return AttemptResult(status=WebhookDeliveryStatus.FAILED)
    retry_in = backoff_seconds(delivery.attempts)
    _finish(
        delivery, status=WebhookDeliveryStatus.PENDING, code=code, error=error, retry_in=retry_in
    )
    return AttemptResult(status=WebhookDeliveryStatus.PENDING, retry_in=retry_in)


def _post(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> PostOutcome:
    """The signed JSON post (signed now: webhook_signing), to an address checked now
    (config.outbound)."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    signature = signed_headers(
        endpoint=endpoint,
        message_id=delivery.message_id,
        delivery_id=delivery.pk,
        event=delivery.event,
        body=body,
        now=timezone.now(),
    )
    return destination_post(
        url=endpoint.url,
        body=body,
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **signature},
        timeout=TIMEOUT_SECONDS,
    )


def _finish(
    delivery: WebhookDelivery,
    *,
    status: str,
    code: int | None,
    error: str,
    retry_in: int | None = None,
) -> None:
    """Write an attempt's outcome and release the lease (only the pending row we hold); a
    delivery left pending is due again in `retry_in` seconds."""
    now = timezone.now()
    changes = {}
    if retry_in is not None:
        changes["next_attempt_at"] = now + dt.timedelta(seconds=retry_in)
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDeliveryStatus.PENDING).update(
        status=status,
        last_status_code=code,
        last_error=error[:ERROR_MAX_LENGTH],
        locked_until=None,
        delivered_at=now if status == WebhookDeliveryStatus.SUCCEEDED else None,
        **changes,
    )


# --- Recovery of lost tasks ------------------------------------------------------------------


def webhook_deliveries_requeue(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the deliveries whose task was lost (the beat's job, every few minutes):
    pending, due `REQUEUE_AFTER_SECONDS` ago or more, and not leased — never leased, or the
    lease of a worker that died mid-attempt ran out. Those whose attempts are all used up
    (the lost one was the last) fail instead. Returns the ids queued again.

    Each is claimed by a single UPDATE … WHERE (the same conditions) … RETURNING that moves
    its due time to now: a second beat running at the same moment finds the rows no longer
    overdue (PostgreSQL re-checks the WHERE on the row the first one updated), and one a
    minute later does too, so no delivery is queued twice by the beats; and the attempt itself
    is claimed with a lease (`_claim`), so even a stray second task never posts it twice."""
    now = now or timezone.now()
    overdue = now - dt.timedelta(seconds=REQUEUE_AFTER_SECONDS)
    lost = WebhookDelivery.objects.filter(
        status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=overdue
    ).filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
    with transaction.atomic():
        lost.filter(attempts__gte=max_attempts()).update(
            status=WebhookDeliveryStatus.FAILED, locked_until=None, last_error=INTERRUPTED_ERROR
        )
        requeued = _claim_overdue(now=now, overdue=overdue)
        _enqueue_after_commit(requeued)
    return requeued


def _claim_overdue(*, now: dt.datetime, overdue: dt.datetime) -> list[int]:
    ops = connection.ops
    table = connection.ops.quote_name(WebhookDelivery._meta.db_table)
    conditions = (
        "status = %s AND next_attempt_at <= %s AND (locked_until IS NULL OR locked_until < %s)"
    )
    condition_params = [
        WebhookDeliveryStatus.PENDING.value,
        ops.adapt_datetimefield_value(overdue),
        ops.adapt_datetimefield_value(now),
    ]
    sql = (
        f"UPDATE {table} SET next_attempt_at = %s "  # noqa: S608 (names from the model)
        f"WHERE id IN (SELECT id FROM {table} WHERE {conditions} "
        f"ORDER BY next_attempt_at LIMIT %s) AND {conditions} RETURNING id"
    )
    params = [
        ops.adapt_datetimefield_value(now),
        *condition_params,
        REQUEUE_BATCH,
        *condition_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())
