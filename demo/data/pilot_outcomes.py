"""Demo renewal decisions after the closed pilots (C → B), for `manage.py seed_demo`: an
account whose members found the pilot better than they expected and would recommend us is
likelier to renew or grow afterwards than one that was let down, so the insights page's
"pilot perception and later outcomes" has a story to show. Call it after the other outcomes
(demo/data/outcomes.py); accounts that decided after the pilot already are left alone."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from community.models import OutcomeKind, OutcomeSource
from community.services.outcomes import outcome_record
from ideas.selectors.perception_outcomes import NO_DECISION, pilot_perception_outcomes

K = OutcomeKind

# A pilot must have ended this long ago for a decision to have followed it.
MIN_DAYS_AFTER = 21

# How the next renewal decision goes, by how the pilot was perceived (believable odds).
_ODDS = {
    "pleased": [(K.RENEWED, 50), (K.EXPANDED, 40), (K.CONTRACTED, 7), (K.CHURNED, 3)],
    "mixed": [(K.RENEWED, 60), (K.EXPANDED, 10), (K.CONTRACTED, 20), (K.CHURNED, 10)],
    "let_down": [(K.RENEWED, 35), (K.EXPANDED, 0), (K.CONTRACTED, 35), (K.CHURNED, 30)],
}


def _perceived(gap: float | None, nps: int | None) -> str:
    if gap is None and nps is None:
        return "mixed"
    if (gap or 0) >= 0 and (nps is None or nps >= 0):
        return "pleased"
    if (gap or 0) < -0.5 or (nps is not None and nps < 0):
        return "let_down"
    return "mixed"


@transaction.atomic
def demo_pilot_outcomes_create(*, rng: random.Random, today: dt.date | None = None) -> int:
    """A renewal decision after each closed pilot for each account that has none yet, drawn by
    its members' perception, dated 2–10 weeks after the pilot's end (never after today)."""
    today = today or timezone.localdate()
    result = pilot_perception_outcomes(
        accounts=Account.objects.all(),
        period_from=today - dt.timedelta(days=730),
        period_to=today - dt.timedelta(days=MIN_DAYS_AFTER),
    )
    accounts = Account.objects.in_bulk({row.account_id for row in result.rows})
    recorded = 0
    for row in result.rows:
        if row.next_decision != NO_DECISION:
            continue
        kinds, weights = zip(*_ODDS[_perceived(row.gap_mean, row.nps)], strict=True)
        kind = rng.choices(kinds, weights)[0]
        latest = min(70, (today - row.pilot_ended).days)
        day = row.pilot_ended + dt.timedelta(days=rng.randint(min(14, latest), latest))
        account = accounts[row.account_id]
        amount = None
        if kind in (K.EXPANDED, K.CONTRACTED):
            base = account.annual_contract_value or Decimal(50_000)
            amount = max(Decimal(1000), (base * Decimal(rng.uniform(0.08, 0.25))).quantize(1))
        outcome_record(
            account=account,
            kind=kind,
            occurred_on=day,
            amount=amount,
            note=f"Decided after the pilot “{row.pilot_title}”.",
            recorded_by=None,
            source=OutcomeSource.IMPORT,
            external_id=f"CRM-{account.pk:04d}-{day:%Y%m%d}-P{row.pilot_id}",
        )
        recorded += 1
    return recorded
