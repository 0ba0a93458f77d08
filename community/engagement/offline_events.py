"""Offline events: what a customer did outside the product (attended a workshop, gave a
referral), recorded by its account team as activity events so that engagement counts them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User
from community.models import ActivityEvent, ActivityKind
from community.services import activity_record

# The kinds an account team may record by hand (the customer's own actions in the product are
# recorded by the product).
OFFLINE_KINDS = [ActivityKind.WORKSHOP_ATTENDED, ActivityKind.REFERRAL]
OFFLINE_EVENT_MAX_AGE_DAYS = 365


def offline_kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in OFFLINE_KINDS]


def _moment(day: dt.date) -> dt.datetime:
    """Noon of the day in the site's time zone, or now if that is still to come."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone())
    return min(noon, timezone.now())


@transaction.atomic
def offline_event_record(
    *, account: Account, kind: str, occurred_on: dt.date, recorded_by: User | None
) -> ActivityEvent:
    """One customer event (not a support event: the customer did it) on `occurred_on`, which
    may be neither in the future nor older than a year. `recorded_by` is the account team
    member (not stored on the event, whose user is the customer's person: unknown here)."""
    today = timezone.localdate()
    if kind not in [k.value for k in OFFLINE_KINDS]:
        raise ValidationError({"kind": "Choose a workshop attended or a referral."})
    if occurred_on > today:
        raise ValidationError({"occurred_on": "The date may not be in the future."})
    if occurred_on < today - dt.timedelta(days=OFFLINE_EVENT_MAX_AGE_DAYS):
        raise ValidationError(
            {"occurred_on": f"The date may be at most {OFFLINE_EVENT_MAX_AGE_DAYS} days ago."}
        )
    event = activity_record(
        account=account,
        user=None,
        kind=ActivityKind(kind),
        occurred_at=_moment(occurred_on),
        is_support=False,
    )
    if event is None:  # activity_record records nothing without an account
        raise ValueError("An offline event needs an account.")
    return event
