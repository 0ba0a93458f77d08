"""Offline events: what a customer did outside the product (attended a workshop, took a reference
call, met our executives, gave a referral), recorded by its account team. Each is an
OfflineEvent (who recorded it, their note) and the customer activity event that engagement
counts."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Account, User
from community.models import ActivityKind, OfflineEvent
from community.services import activity_record

# The kinds an account team may record by hand (the customer's own actions in the product are
# recorded by the product).
OFFLINE_KINDS = [
    ActivityKind.WORKSHOP_ATTENDED,
    ActivityKind.REFERENCE_CALL,
    ActivityKind.EXECUTIVE_MEETING,
    ActivityKind.REFERRAL,
]
OFFLINE_EVENT_MAX_AGE_DAYS = 365
OFFLINE_NOTE_MAX_LENGTH = OfflineEvent._meta.get_field("note").max_length


def offline_kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in OFFLINE_KINDS]


def _moment(day: dt.date) -> dt.datetime:
    """Noon of the day in the site's time zone, or now if that is still to come."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone())
    return min(noon, timezone.now())


def _kinds_in_words() -> str:
    labels = [kind.label.lower() for kind in OFFLINE_KINDS]
    return f"{', '.join(labels[:-1])} or {labels[-1]}"


@transaction.atomic
def offline_event_record(
    *,
    account: Account,
    kind: str,
    occurred_on: dt.date,
    note: str = "",
    recorded_by: User | None,
) -> OfflineEvent:
    """One customer event (not a support event: the customer did it) on `occurred_on`, which
    may be neither in the future nor older than a year, and its record: who on the account
    team recorded it (not the event's user, which would be the customer's person, unknown
    here) and their note. Both rows or neither."""
    today = timezone.localdate()
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in [k.value for k in OFFLINE_KINDS]:
        errors["kind"] = [f"Choose a {_kinds_in_words()}."]
    if occurred_on > today:
        errors["occurred_on"] = ["The date may not be in the future."]
    elif occurred_on < today - dt.timedelta(days=OFFLINE_EVENT_MAX_AGE_DAYS):
        errors["occurred_on"] = [f"The date may be at most {OFFLINE_EVENT_MAX_AGE_DAYS} days ago."]
    if len(note) > OFFLINE_NOTE_MAX_LENGTH:
        errors["note"] = [
            f"Keep the note under {OFFLINE_NOTE_MAX_LENGTH} characters ({len(note)} now)."
        ]
    if errors:
        raise ValidationError(errors)
    event = activity_record(
        account=account,
        user=None,
        kind=ActivityKind(kind),
        occurred_at=_moment(occurred_on),
        is_support=False,
    )
    if event is None:  # activity_record records nothing without an account
        raise ValueError("An offline event needs an account.")
    return OfflineEvent.objects.create(  # the event reaches it as `event.offline_record`
        account=account,
        event=event,
        kind=kind,
        occurred_on=occurred_on,
        note=note,
        recorded_by=recorded_by,
    )


def offline_events_of(*, account: Account) -> QuerySet[OfflineEvent]:
    """The account's offline events, latest first, with who recorded them and the event."""
    return (
        OfflineEvent.objects.filter(account=account)
        .select_related("account", "event", "recorded_by")
        .order_by("-occurred_on", "-pk")
    )
