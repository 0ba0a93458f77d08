"""Demo churn and expansion over time for `manage.py seed_demo`, so that the insights page's
"Loyalty over time by engagement" (community/selectors/loyalty.py) has a story to tell:
accounts leave mostly while Dormant or Observing and grow mostly while Contributing or
Co-creating, month after month, as the level they are at on the day says.

Called once, after the renewal decisions (demo/data/outcomes.py) and the levels: each account
is walked through its history a month at a time, and on a day drawn within each month it
churns, or expands, with a chance that depends on its level on that day. An account churns at
most once (not at all if the renewals made it churn already) and nothing follows its churn.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from community.models import (
    EngagementLevel,
    EngagementSnapshot,
    LoyaltyOutcome,
    OutcomeKind,
    OutcomeSource,
)
from community.services.outcomes import outcome_record

L, K = EngagementLevel, OutcomeKind

MONTH = 30
# The chance, per month at a level, that an account churns / expands (believable, not data).
CHURN_PER_MONTH = {
    L.DORMANT: 0.35,
    L.OBSERVING: 0.15,
    L.PARTICIPATING: 0.05,
    L.CONTRIBUTING: 0.03,
    L.CO_CREATING: 0.0,
}
EXPANSION_PER_MONTH = {
    L.DORMANT: 0.0,
    L.OBSERVING: 0.02,
    L.PARTICIPATING: 0.06,
    L.CONTRIBUTING: 0.1,
    L.CO_CREATING: 0.2,
}
_NOTES = {
    K.CHURNED: "Left: the service had gone unused.",
    K.EXPANDED: "Rolled the product out to another site.",
}


@transaction.atomic
def demo_loyalty_history_create(*, rng: random.Random, today: dt.date | None = None) -> int:
    """Churn and expansion month by month over each account's computed history (call it after
    `demo_outcomes_create`). Returns how many outcomes were recorded."""
    today = today or timezone.localdate()
    history: dict[int, dict[dt.date, str]] = defaultdict(dict)
    for account_id, day, level in EngagementSnapshot.objects.filter(day__lte=today).values_list(
        "account_id", "day", "level"
    ):
        history[account_id][day] = level
    churned = dict(  # each account's first churn (the latest rows come first, the first last)
        LoyaltyOutcome.objects.filter(kind=K.CHURNED)
        .order_by("account_id", "-occurred_on")
        .values_list("account_id", "occurred_on")
    )
    recorded = 0
    for account in Account.objects.order_by("pk"):
        levels = history.get(account.pk)
        if not levels:
            continue
        for kind, day in _account_months(rng, levels, today=today, churned=churned.get(account.pk)):
            outcome_record(
                account=account,
                kind=kind,
                occurred_on=day,
                amount=_amount(rng, account) if kind == K.EXPANDED else None,
                note=_NOTES[kind],
                recorded_by=None,
                source=OutcomeSource.IMPORT,
                external_id=f"CRM-{account.pk:04d}-{day:%Y%m%d}-{kind[:3].upper()}-M",
            )
            recorded += 1
    return recorded


def _account_months(
    rng: random.Random, levels: dict[dt.date, str], *, today: dt.date, churned: dt.date | None
) -> list[tuple[str, dt.date]]:
    """The account's outcomes, a month at a time from its first snapshot, until it churns."""
    days = sorted(levels)
    outcomes = []
    start = days[0]
    while start <= today and (churned is None or start <= churned):
        day = min(today, start + dt.timedelta(days=rng.randrange(MONTH)))
        if churned is not None and day >= churned:
            break
        level = levels[max(d for d in days if d <= day)]
        if churned is None and rng.random() < CHURN_PER_MONTH[level]:
            outcomes.append((K.CHURNED, day))
            break
        if rng.random() < EXPANSION_PER_MONTH[level]:
            outcomes.append((K.EXPANDED, day))
        start += dt.timedelta(days=MONTH)
    return outcomes


def _amount(rng: random.Random, account: Account) -> Decimal:
    base = account.annual_contract_value or Decimal(50_000)
    return max(Decimal(1000), (base * Decimal(rng.uniform(0.05, 0.2))).quantize(Decimal(1)))
