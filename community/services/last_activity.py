"""Each account's last customer activity, stored on the account (`last_customer_activity_at`)
so that a portfolio of thousands of accounts is filtered and sorted by it without looking up
each account's latest event.

Its definition stays `community.selectors.engagement.last_customer_activity` (the latest
`occurred_at` of the account's events that are not support events; NULL for none); these
functions keep the stored value equal to it:

- recording events raises it to the latest new customer event, and only ever raises it, so a
  late event (one that happened before the stored moment) leaves it as it is
  (`last_activity_raise`, called by community.services.engagement's recorders);
- deleting events, and every computation of today's snapshots and every repair, recompute it
  from the events (`last_activity_refresh`), which also mends a write that went around the
  services (the demo dating its events back, bulk loads in SQL).

Concurrency: a raise is one conditional UPDATE per chunk, so two requests recording events of
one account at once both end at the later moment. A refresh locks its accounts' rows first
(`FOR NO KEY UPDATE`, which an event's foreign-key check does not wait for) and only then reads
the events: an event committed before the lock is read; one whose transaction raises after it
waits for the refresh to commit and then raises on top of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Case, F, Q, Value, When

from accounts.models import Account
from community.selectors.engagement import last_customer_activity

CHUNK = 500  # accounts per UPDATE


def latest_customer_moments(events: Iterable) -> dict[int, dt.datetime]:
    """The latest `occurred_at` per account among `events` that are not support events."""
    latest: dict[int, dt.datetime] = {}
    for event in events:
        if event.is_support:
            continue
        moment = latest.get(event.account_id)
        if moment is None or event.occurred_at > moment:
            latest[event.account_id] = event.occurred_at
    return latest


def last_activity_raise(*, latest_by_account: dict[int, dt.datetime]) -> None:
    """Raise each account's stored last customer activity to the given moment where that is
    later (or none is stored): one UPDATE per CHUNK accounts."""
    pks = sorted(latest_by_account)
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        later = Q()
        for pk in chunk:
            moment = latest_by_account[pk]
            later |= Q(pk=pk) & (
                Q(last_customer_activity_at__isnull=True) | Q(last_customer_activity_at__lt=moment)
            )
        Account.objects.filter(later).update(
            last_customer_activity_at=Case(
                *[When(pk=pk, then=Value(latest_by_account[pk])) for pk in chunk],
                default=F("last_customer_activity_at"),
            )
        )


def last_activity_refresh(*, account_ids: Sequence[int]) -> None:
    """Recompute the stored last customer activity of these accounts from their events, their
    rows locked first (see the module's docstring): one lock and one UPDATE per CHUNK."""
    pks = sorted(set(account_ids))
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        with transaction.atomic():
            list(
                Account.objects.select_for_update(no_key=True)
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            Account.objects.filter(pk__in=chunk).update(
                last_customer_activity_at=last_customer_activity()
            )
