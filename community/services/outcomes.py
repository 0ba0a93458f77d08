"""Writes of loyalty outcomes: an account team records what its account did (B in A → C → B)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Account, User
from community.models import LoyaltyOutcome, OutcomeSource
from community.services.webhook_events import outcomes_recorded_emit


@transaction.atomic
def outcome_record(
    *,
    account: Account,
    kind: str,
    occurred_on: dt.date,
    amount: Decimal | None = None,
    note: str = "",
    recorded_by: User | None,
    source: str = OutcomeSource.MANUAL,
    external_id: str = "",
) -> LoyaltyOutcome:
    """Record one outcome (posted to the webhooks as outcome.recorded once this commits). The
    same account, kind, day and external id twice is refused."""
    outcome = LoyaltyOutcome(
        account=account,
        kind=kind,
        occurred_on=occurred_on,
        amount=amount,
        note=note.strip(),
        recorded_by=recorded_by,
        source=source,
        external_id=external_id.strip(),
    )
    try:
        outcome.full_clean()
    except ValidationError as error:
        if "__all__" in getattr(error, "error_dict", {}):
            raise ValidationError(
                {"occurred_on": "This outcome is already recorded for the account on that day."}
            ) from error
        raise
    outcome.save()
    outcomes_recorded_emit(outcomes=[outcome])
    return outcome
