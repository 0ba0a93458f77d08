"""Writes of bad times (docs/product.md, "Robustness after bad times"): an incident the account
team records or imports, and the bad times the ideas app records when a pilot falls short of an
account's expectations or one of its ideas is declined (ideas/services/robustness.py: community
never imports ideas, ideas calls in here).

Recording is idempotent: one bad time per account, kind and reference (a database constraint).
A person recording the same incident twice is told so (`bad_time_record`); the product's own
hooks and imports add what is missing and leave the rest as it is (`bad_times_ensure`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User
from community.models import BadTime, BadTimeKind, BadTimeSource
from config.single_line import validate_single_line

REFERENCE_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 2000
# How far back an incident may be recorded by hand (as offline events: a year).
INCIDENT_MAX_AGE_DAYS = 365


def incident_reference(*, reference: str, occurred_on: dt.date) -> str:
    """An incident's reference as stored: the ticket's id given, else its day (then one
    incident per account and day, unless told apart by a reference)."""
    reference = (reference or "").strip()
    return reference or occurred_on.isoformat()


def incident_problems(
    *, occurred_on: dt.date, reference: str, note: str, today: dt.date | None = None
) -> dict[str, list[str]]:
    """What is wrong with an incident's fields, by field (empty: nothing). The form, the API
    and the import say the same."""
    today = today or timezone.localdate()
    problems: dict[str, list[str]] = {}
    if occurred_on > today:
        problems["occurred_on"] = ["An incident cannot be in the future."]
    elif occurred_on < today - dt.timedelta(days=INCIDENT_MAX_AGE_DAYS):
        problems["occurred_on"] = [f"At most {INCIDENT_MAX_AGE_DAYS} days back."]
    if len(reference) > REFERENCE_MAX_LENGTH:
        problems["reference"] = [f"At most {REFERENCE_MAX_LENGTH} characters."]
    else:
        try:
            validate_single_line(reference)
        except ValidationError as error:
            problems["reference"] = error.messages
    if len(note) > NOTE_MAX_LENGTH:
        problems["note"] = [f"At most {NOTE_MAX_LENGTH} characters."]
    return problems


@transaction.atomic
def bad_time_record(
    *,
    account: Account,
    occurred_on: dt.date,
    reference: str = "",
    note: str = "",
    recorded_by: User | None,
) -> BadTime:
    """The account team records an incident of `account`. The same incident (account and
    reference; without a reference, the same day) twice is refused."""
    reference, note = (reference or "").strip(), (note or "").strip()
    problems = incident_problems(occurred_on=occurred_on, reference=reference, note=note)
    if problems:
        raise ValidationError(problems)
    reference = incident_reference(reference=reference, occurred_on=occurred_on)
    if BadTime.objects.filter(
        account=account, kind=BadTimeKind.INCIDENT, reference=reference
    ).exists():
        field = "reference" if reference != occurred_on.isoformat() else "occurred_on"
        raise ValidationError(
            {field: ["This incident is recorded already; give another reference to add one."]}
        )
    return BadTime.objects.create(
        account=account,
        kind=BadTimeKind.INCIDENT,
        occurred_on=occurred_on,
        reference=reference,
        note=note,
        source=BadTimeSource.MANUAL,
        recorded_by=recorded_by,
    )


@dataclass(frozen=True)
class BadTimeRow:
    """A bad time to ensure: what `bad_times_ensure` adds when it is missing."""

    account_id: int
    kind: str
    reference: str
    occurred_on: dt.date
    note: str = ""


def bad_times_ensure(
    *, rows: list[BadTimeRow], source: str = BadTimeSource.AUTOMATIC, recorded_by=None
) -> int:
    """Add the bad times among `rows` that are not recorded yet (same account, kind and
    reference), in one statement that skips the others (INSERT … ON CONFLICT DO NOTHING):
    running it twice, or two runs at once, adds each once. Returns how many it added."""
    if not rows:
        return 0
    keys = {(r.account_id, r.kind, r.reference) for r in rows}
    before = _existing(keys)
    BadTime.objects.bulk_create(
        [
            BadTime(
                account_id=r.account_id,
                kind=r.kind,
                reference=r.reference,
                occurred_on=r.occurred_on,
                note=r.note,
                source=source,
                recorded_by=recorded_by,
            )
            for r in rows
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(_existing(keys)) - len(before)


def _existing(keys: set[tuple[int, str, str]]) -> set[tuple[int, str, str]]:
    return {
        key
        for key in BadTime.objects.filter(
            account_id__in={k[0] for k in keys}, reference__in={k[2] for k in keys}
        ).values_list("account_id", "kind", "reference")
        if key in keys
    }
