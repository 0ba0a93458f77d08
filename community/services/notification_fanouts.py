"""Telling a large audience off the request path: a fan-out.

`notify_audience` keeps one message and its audience as a query (a registered audience's
name and arguments: "the readers of harvest 7", "the followers of idea 12"), never as a list
of people, so the request that publishes to 100,000 people does the same work as for 200. It
tells the first `FANOUT_AT_ONCE` people at once (a small audience is all told in the request,
as `notify` would) and queues one task by name after commit, through the outbox (a broker
outage delays it, never loses it). The task (community.tasks.notification_fanout_task) tells
the rest in chunks of `FANOUT_CHUNK` people, each chunk its own transaction, in the order of
their ids.

Exactly once: a chunk locks the fan-out's row, tells the active people of the audience above
its high-water mark (`told_up_to`) and moves the mark, in one transaction. A task retried,
redelivered or killed mid-way and run again starts after the last committed chunk; a second
task of the same fan-out waits for the lock and finds the people told. The unique constraint
on (fanout, user) of Notification backs this up. Emails then go as each person chose for the
kind (community.services.notifications.notifications_store).

Audiences are registered by the app that knows them (`fanout_audience_register`, from its
AppConfig.ready), so community never imports ideas: an audience is a function of its JSON
arguments that returns a queryset of people (duplicates and inactive people are fine: the
fan-out reads each active person once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import User
from accounts.outbox import enqueue
from community.models import Garden, Notification, NotificationFanout
from community.services.notifications import (
    notification_emails_are_suppressed,
    notifications_store,
)

FANOUT_CHUNK = 2000  # people told per transaction by the task
FANOUT_AT_ONCE = 100  # people told in the request itself (a small audience is done there)

Audience = Callable[[dict[str, Any]], QuerySet[User]]
_AUDIENCES: dict[str, Audience] = {}


def fanout_audience_register(*, name: str, audience: Audience) -> None:
    """Make `audience(args)` (a queryset of people) available to fan-outs under `name`."""
    _AUDIENCES[name] = audience


def _audience_ids(fanout: NotificationFanout) -> QuerySet:
    """The ids of the active people of the fan-out's audience not told yet, in order."""
    people = _AUDIENCES[fanout.audience](fanout.audience_args)
    ids = User.objects.filter(
        is_active=True, pk__gt=fanout.told_up_to, pk__in=people.values("pk")
    ).order_by("pk")
    if fanout.exclude_id is not None:
        ids = ids.exclude(pk=fanout.exclude_id)
    return ids.values_list("pk", flat=True)


@transaction.atomic
def notify_audience(
    *,
    audience: str,
    audience_args: dict[str, Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    exclude: User | None = None,
    actor: User | None = None,
    garden: Garden | None = None,
    names_actor: bool = False,
) -> NotificationFanout:
    """Tell everyone active in the audience one thing (as `notify` would, `exclude` left out),
    in a number of queries that does not grow with the audience: the first `FANOUT_AT_ONCE`
    people now, the rest by one task after commit."""
    if audience not in _AUDIENCES:
        raise ValueError(f"No audience is registered as “{audience}”.")
    if names_actor and actor is None:
        raise ValueError("A message that names who acted needs the actor.")
    membership = customer_membership(actor) if actor is not None else None
    fanout = NotificationFanout.objects.create(
        kind=kind,
        title=title[:200],
        body=body,
        url=url,
        actor=actor,
        actor_account_id=membership.account_id if membership is not None else None,
        garden=garden,
        names_actor=names_actor,
        email=email and not notification_emails_are_suppressed(),
        audience=audience,
        audience_args=audience_args,
        exclude=exclude,
    )
    if _chunk_tell(fanout, limit=FANOUT_AT_ONCE) == FANOUT_AT_ONCE:  # some may be left
        enqueue("community.tasks.notification_fanout_task", fanout.pk)
    return fanout


def notification_fanout_continue(*, fanout_id: int, chunk: int = FANOUT_CHUNK) -> int | None:
    """Tell the next `chunk` people of the fan-out, in one transaction; how many were told, or
    None when the fan-out is finished (or deleted) and tells nobody."""
    with transaction.atomic():
        fanout = (
            NotificationFanout.objects.select_for_update()
            .filter(pk=fanout_id, finished_at__isnull=True)
            .first()
        )
        if fanout is None:
            return None
        return _chunk_tell(fanout, limit=chunk)


def notification_fanout_run(*, fanout_id: int, chunk: int = FANOUT_CHUNK) -> int:
    """Tell everyone left, chunk after chunk; how many people this run told."""
    told = 0
    while (
        chunk_told := notification_fanout_continue(fanout_id=fanout_id, chunk=chunk)
    ) is not None:
        told += chunk_told
    return told


def _chunk_tell(fanout: NotificationFanout, *, limit: int) -> int:
    """Tell the next `limit` people above the mark and move it (the caller holds the row's
    lock in its transaction); how many were told. Fewer than `limit`: the fan-out is done."""
    ids = list(_audience_ids(fanout)[:limit])
    notifications_store(
        rows=[
            Notification(
                user_id=user_id,
                kind=fanout.kind,
                title=fanout.title,
                body=fanout.body,
                url=fanout.url,
                actor_id=fanout.actor_id,
                actor_account_id=fanout.actor_account_id,
                garden_id=fanout.garden_id,
                names_actor=fanout.names_actor,
                fanout=fanout,
            )
            for user_id in ids
        ],
        email=fanout.email,
    )
    fields = {"told_count": fanout.told_count + len(ids), "updated_at": timezone.now()}
    if ids:
        fields["told_up_to"] = ids[-1]
    if len(ids) < limit:
        fields["finished_at"] = timezone.now()
    NotificationFanout.objects.filter(pk=fanout.pk).update(**fields)
    for name, value in fields.items():
        setattr(fanout, name, value)
    return len(ids)
