"""Posting to chat channels: what is told to which channels (`chat_notices_post`, called by the
services that raise alerts, decide pilots and publish harvests), each channel's digests, and
the posts themselves, each made once.

A notice becomes one `ChatDelivery` per channel that receives its kind (unique per channel,
kind and subject: a re-run of the engine, or a service called twice, adds none). Those to post
at once are queued through the outbox (`community.tasks.chat_delivery_post_task`) after the
caller's transaction commits; the others wait for the channel's digest of their period, which
`chat_digests_send` (beat, daily and on Mondays, with the email digests) gathers once into one
`ChatDigest` per channel and period and queues (`community.tasks.chat_digest_post_task`).

A post is made as a webhook delivery is (community.services.webhooks): the task claims the row
with one UPDATE (pending, due, not leased by another worker) and a short lease, posts through
config/outbound.py, and writes the outcome. So a retried or redelivered task, or a second task
for the same row, never posts a message that was posted, and never posts it twice at once. A
failure is retried with the webhooks' backoff up to `WEBHOOK_MAX_ATTEMPTS` attempts, except an
answer no retry can mend (a 4xx other than 408 and 429: the webhook was removed, the channel
archived, the payload refused), which fails at once. A post whose task was lost is queued again
by `chat_posts_requeue` (beat, every few minutes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.access import customer_membership
from accounts.formats import format_date
from accounts.models import User
from accounts.outbox import enqueue_each
from community.models import (
    ChatChannelPreference,
    ChatDelivery,
    ChatDigest,
    ChatPostStatus,
    DigestPeriod,
)
from community.models.alerts import AlertResolution
from community.models.chat_channels import ChatChannel, ChatPost, kind_noun
from community.models.notifications import Delivery
from community.services import webhooks
from community.services.chat_channels import chat_post
from community.services.chat_messages import ChatMessage, ChatSection
from community.services.notification_emails import digest_period_start

DELIVERY_TASK = "community.tasks.chat_delivery_post_task"
DIGEST_TASK = "community.tasks.chat_digest_post_task"
LEASE_SECONDS = 60  # longer than a post can take; a killed worker's claim expires after it
CLOCK_TOLERANCE_SECONDS = 1
REQUEUE_AFTER_SECONDS = 300  # still pending this long after it was due: its task was lost
REQUEUE_BATCH = 1000
DIGEST_MAX_ITEMS = 20  # Slack takes at most 50 blocks: two per item, and the frame
INTERRUPTED_ERROR = "The last attempt was interrupted (worker lost)."
RETRIED_CODES = frozenset({408, 429})  # the 4xx answers worth trying again


@dataclass(frozen=True)
class ChatNotice:
    """One thing to tell the channels that receive `kind`: the account channels of
    `account_ids` and the channels of the garden `garden_id`. `subject` says what it is about
    (one delivery per channel, kind and subject). With `names_actor`, `title` and `body` were
    made by `actor_text` and hold the `{actor}` slot, filled for each channel's reader."""

    kind: str
    subject: str
    title: str
    body: str = ""
    url: str = ""  # a path of the site
    account_ids: Collection[int] = ()
    garden_id: int | None = None
    actor: User | None = None
    names_actor: bool = False
    alert_id: int | None = None


def chat_notices_post(*, notices: Sequence[ChatNotice]) -> list[int]:
    """One delivery per notice and channel that receives its kind (not off), none twice;
    those posted at once are queued after commit. One query reads the channels' preferences,
    one inserts, one reads back what this call inserted. Returns those deliveries' ids."""
    notices = [n for n in notices if n.account_ids or n.garden_id]
    account_ids = {pk for notice in notices for pk in notice.account_ids}
    garden_ids = {n.garden_id for n in notices if n.garden_id}
    if not notices:
        return []
    receiving = list(
        ChatChannelPreference.objects.filter(kind__in={n.kind for n in notices})
        .exclude(delivery=Delivery.OFF)
        .filter(Q(channel__account_id__in=account_ids) | Q(channel__garden_id__in=garden_ids))
        .values_list("channel_id", "kind", "delivery", "channel__account_id", "channel__garden_id")
    )
    stamp = timezone.now()
    rows = [
        _delivery_row(notice, channel_id, delivery, stamp)
        for notice in notices
        for channel_id, kind, delivery, account_id, garden_id in receiving
        if kind == notice.kind
        and (account_id in notice.account_ids if account_id else garden_id == notice.garden_id)
    ]
    if not rows:
        return []
    ChatDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        ChatDelivery.objects.filter(
            channel_id__in={row.channel_id for row in rows},
            subject__in={row.subject for row in rows},
            created_at=stamp,
        ).values_list("pk", "status")
    )
    queued = [pk for pk, status in created if status == ChatPostStatus.PENDING]
    enqueue_each(DELIVERY_TASK, [[pk] for pk in queued])
    return [pk for pk, _ in created]


def _delivery_row(
    notice: ChatNotice, channel_id: int, delivery: str, stamp: dt.datetime
) -> ChatDelivery:
    membership = customer_membership(notice.actor) if notice.actor is not None else None
    return ChatDelivery(
        channel_id=channel_id,
        kind=notice.kind,
        subject=notice.subject,
        title=notice.title[:200],
        body=notice.body,
        url=notice.url,
        delivery=delivery,
        status=ChatPostStatus.PENDING
        if delivery == Delivery.IMMEDIATELY
        else ChatPostStatus.WAITING,
        alert_id=notice.alert_id,
        actor=notice.actor,
        actor_account_id=membership.account_id if membership else None,
        names_actor=notice.names_actor,
        created_at=stamp,
        next_attempt_at=stamp,
    )


# --- Digests ---------------------------------------------------------------------------------


def chat_digests_send(*, period: str, now: dt.datetime | None = None) -> list[int]:
    """Gather each channel's deliveries waiting for this period's digest into its one digest of
    the period (the day, or the week from Monday) and queue it; alerts resolved as no longer
    true before it are left out, as in the email digest. A digest is gathered once, before its
    first attempt, so a post made again holds the same; what arrives after waits for the next
    period. However often (or concurrently) it runs, a channel gets one digest per period.
    Returns the ids of the digests queued."""
    if period not in DigestPeriod.values:
        raise ValueError(f"Unknown digest period {period!r}")
    now = now or timezone.now()
    start = digest_period_start(period=period, day=timezone.localdate(now))
    waiting = ChatDelivery.objects.filter(
        status=ChatPostStatus.WAITING, delivery=period, digest__isnull=True
    )
    with transaction.atomic():
        waiting.filter(alert__resolution=AlertResolution.NO_LONGER_TRUE).update(
            status=ChatPostStatus.LEFT_OUT
        )
        channel_ids = sorted(set(waiting.values_list("channel_id", flat=True)))
        ChatDigest.objects.bulk_create(
            [ChatDigest(channel_id=c, period=period, period_start=start) for c in channel_ids],
            ignore_conflicts=True,  # a second or parallel run: the row exists already
        )
        fresh = ChatDigest.objects.filter(
            channel_id__in=channel_ids,
            period=period,
            period_start=start,
            status=ChatPostStatus.PENDING,
            attempts=0,
        )
        for digest_id, channel_id in fresh.values_list("pk", "channel_id"):
            waiting.filter(channel_id=channel_id).update(digest_id=digest_id)
        fresh.filter(deliveries__isnull=True).delete()  # gathered by a parallel run
        queued = list(fresh.values_list("pk", flat=True))
        enqueue_each(DIGEST_TASK, [[pk] for pk in queued])
    return queued


# --- Posting once ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PostResult:
    """What one attempt did: `retry_in` seconds when the task should try again, else None."""

    status: str | None  # the row's status after it; None when nothing was attempted
    retry_in: int | None = None


def _claim(model: type[ChatPost], pk: int) -> bool:
    """Take the row for one attempt: pending, due, and not leased by another worker (one
    UPDATE, so two tasks never post the same attempt)."""
    now = timezone.now()
    return bool(
        model.objects.filter(
            pk=pk,
            status=ChatPostStatus.PENDING,
            next_attempt_at__lte=now + dt.timedelta(seconds=CLOCK_TOLERANCE_SECONDS),
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + dt.timedelta(seconds=LEASE_SECONDS), attempts=F("attempts") + 1)
    )


def _attempt(model: type[ChatPost], pk: int, message: Callable[[ChatPost], ChatMessage]):
    if not _claim(model, pk):
        return PostResult(status=None)
    row = model.objects.select_related("channel__account", "channel__garden").filter(pk=pk).first()
    if row is None:  # its channel was removed meanwhile
        return PostResult(status=None)
    outcome = chat_post(channel=row.channel, message=message(row))
    code = outcome.status_code
    if outcome.succeeded:
        _finish(model, pk, status=ChatPostStatus.SUCCEEDED, code=code, error="")
        return PostResult(status=ChatPostStatus.SUCCEEDED)
    final = code is not None and 400 <= code < 500 and code not in RETRIED_CODES
    if final or row.attempts >= webhooks.max_attempts():
        _finish(model, pk, status=ChatPostStatus.FAILED, code=code, error=outcome.reason)
        return PostResult(status=ChatPostStatus.FAILED)
    retry_in = webhooks.backoff_seconds(row.attempts)
    _finish(
        model, pk, status=ChatPostStatus.PENDING, code=code, error=outcome.reason, retry_in=retry_in
    )
    return PostResult(status=ChatPostStatus.PENDING, retry_in=retry_in)


def _finish(
    model: type[ChatPost],
    pk: int,
    *,
    status: str,
    code: int | None,
    error: str,
    retry_in: int | None = None,
) -> None:
    """Write an attempt's outcome and release the lease; a row left pending is due again in
    `retry_in` seconds."""
    now = timezone.now()
    changes: dict = {}
    if retry_in is not None:
        changes["next_attempt_at"] = now + dt.timedelta(seconds=retry_in)
    model.objects.filter(pk=pk, status=ChatPostStatus.PENDING).update(
        status=status,
        last_status_code=code,
        last_error=error[:200],
        locked_until=None,
        posted_at=now if status == ChatPostStatus.SUCCEEDED else None,
        **changes,
    )


def chat_delivery_attempt(*, delivery_id: int) -> PostResult:
    """One attempt at posting a delivery on its own, if it can be claimed (see the module)."""
    return _attempt(ChatDelivery, delivery_id, _delivery_message)


def chat_digest_attempt(*, digest_id: int) -> PostResult:
    """One attempt at posting a digest, if it can be claimed (see the module)."""
    return _attempt(ChatDigest, digest_id, _digest_message)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path if path else ""


def _scope_name(channel: ChatChannel) -> str:
    return channel.account.name if channel.account_id else channel.garden.name


def _delivery_message(delivery: ChatDelivery) -> ChatMessage:
    channel = delivery.channel
    return ChatMessage(
        heading=delivery.shown_title,
        context=f"{kind_noun(delivery.kind)} · {_scope_name(channel)}",
        sections=[ChatSection(text=delivery.shown_body)],
        link=_absolute(delivery.url),
    )


def _digest_message(digest: ChatDigest) -> ChatMessage:
    channel = digest.channel
    items = list(
        digest.deliveries.select_related("actor", "actor_account").order_by(
            "kind", "created_at", "pk"
        )
    )
    for item in items:
        item.channel = channel  # the reader, loaded once
    count = len(items)
    more = count - DIGEST_MAX_ITEMS
    if channel.account_id:
        home = reverse("community:account-engagement", kwargs={"slug": channel.account.slug})
    else:
        home = reverse("community:garden-detail", kwargs={"slug": channel.garden.slug})
    return ChatMessage(
        heading=f"{digest.get_period_display()} digest for {_scope_name(channel)}: "
        f"{count} update{'s' if count != 1 else ''}",
        context=f"From {format_date(digest.period_start)} · Customer Garden",
        sections=[
            ChatSection(
                title=f"{kind_noun(item.kind)}: {item.shown_title}",
                text=item.shown_body,
                link=_absolute(item.url),
            )
            for item in items[:DIGEST_MAX_ITEMS]
        ],
        more=f"and {more} more on the site" if more > 0 else "",
        link=_absolute(home),
    )


# --- Recovery of lost tasks ------------------------------------------------------------------


def chat_posts_requeue(*, now: dt.datetime | None = None) -> int:
    """Queue again the deliveries and digests whose task was lost (the beat's job): pending,
    due `REQUEUE_AFTER_SECONDS` ago or more, not leased (or a dead worker's lease ran out).
    Each is taken with SELECT … FOR UPDATE SKIP LOCKED and moved to due now, so two beats never
    queue one twice; those whose attempts are used up fail instead. Returns how many."""
    now = now or timezone.now()
    overdue = now - dt.timedelta(seconds=REQUEUE_AFTER_SECONDS)
    queued = 0
    for model, task in ((ChatDelivery, DELIVERY_TASK), (ChatDigest, DIGEST_TASK)):
        lost = model.objects.filter(
            status=ChatPostStatus.PENDING, next_attempt_at__lte=overdue
        ).filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        with transaction.atomic():
            lost.filter(attempts__gte=webhooks.max_attempts()).update(
                status=ChatPostStatus.FAILED, locked_until=None, last_error=INTERRUPTED_ERROR
            )
            ids = list(
                lost.select_for_update(skip_locked=True)
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:REQUEUE_BATCH]
            )
            model.objects.filter(pk__in=ids).update(next_attempt_at=now)
            enqueue_each(task, [[pk] for pk in ids])
        queued += len(ids)
    return queued
