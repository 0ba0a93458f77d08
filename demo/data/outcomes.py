"""Demo loyalty outcomes for `manage.py seed_demo`, over the engagement history it computed:
renewal decisions and advocacy that follow the accounts' levels at the time, as the insights
page (community/selectors/insights.py) would find them in a real portfolio — engaged accounts renew,
grow and recommend more often, fading ones shrink and leave — with the noise real data has."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from community.models import EngagementLevel, EngagementSnapshot, OutcomeKind, OutcomeSource
from community.services.outcomes import outcome_record

L, K = EngagementLevel, OutcomeKind

# How a renewal decision goes at each level at the time (believable odds, not data).
_DECISION_ODDS: dict[str, list[tuple[str, int]]] = {
    L.DORMANT: [(K.RENEWED, 40), (K.EXPANDED, 0), (K.CONTRACTED, 25), (K.CHURNED, 35)],
    L.OBSERVING: [(K.RENEWED, 60), (K.EXPANDED, 5), (K.CONTRACTED, 20), (K.CHURNED, 15)],
    L.PARTICIPATING: [(K.RENEWED, 65), (K.EXPANDED, 15), (K.CONTRACTED, 12), (K.CHURNED, 8)],
    L.CONTRIBUTING: [(K.RENEWED, 60), (K.EXPANDED, 30), (K.CONTRACTED, 7), (K.CHURNED, 3)],
    L.CO_CREATING: [(K.RENEWED, 50), (K.EXPANDED, 45), (K.CONTRACTED, 5), (K.CHURNED, 0)],
}
# The chance that an account refers us or advocates (reference call, case study) at a moment of
# its history, by its level then.
_ADVOCACY_CHANCE = {
    L.DORMANT: 0.0,
    L.OBSERVING: 0.05,
    L.PARTICIPATING: 0.2,
    L.CONTRIBUTING: 0.4,
    L.CO_CREATING: 0.65,
}
# The chance of a mid-term decision besides the renewal (an add-on module bought or dropped).
_MID_TERM_CHANCE = 0.4

_NOTES = {
    K.RENEWED: "Renewed for another year.",
    K.EXPANDED: "Added seats and a module.",
    K.CONTRACTED: "Fewer seats at renewal.",
    K.CHURNED: "Did not renew.",
    K.REFERRED: "Referred a peer company to us.",
    K.ADVOCATED: "Gave a reference call.",
}


@transaction.atomic
def demo_outcomes_create(*, rng: random.Random, today: dt.date | None = None) -> int:
    """Outcomes over the computed history (call it after `engagement_history_compute`): each
    account's last renewal (a year before its next renewal date) when it falls within the
    history, sometimes a mid-term decision, and now and then a referral or reference call —
    all drawn by the account's level on the day. Returns how many were recorded."""
    today = today or timezone.localdate()
    history: dict[int, dict[dt.date, str]] = defaultdict(dict)
    for account_id, day, level in EngagementSnapshot.objects.filter(day__lte=today).values_list(
        "account_id", "day", "level"
    ):
        history[account_id][day] = level
    recorded: set[tuple[int, str, dt.date]] = set()
    for account in Account.objects.order_by("pk"):
        levels = history.get(account.pk)
        if not levels:
            continue
        first, span = min(levels), (today - min(levels)).days
        days = []
        if account.renewal_date:
            last_renewal = account.renewal_date - dt.timedelta(days=365)
            if first <= last_renewal <= today:
                days.append(("decision", last_renewal))
        if rng.random() < _MID_TERM_CHANCE:
            days.append(("decision", first + dt.timedelta(days=rng.randint(0, span))))
        days.append(("advocacy", first + dt.timedelta(days=rng.randint(0, span))))
        for what, day in days:
            level = _level_on(levels, day)
            if what == "decision":
                kinds, weights = zip(*_DECISION_ODDS[level], strict=True)
                kind = rng.choices(kinds, weights)[0]
            elif rng.random() < _ADVOCACY_CHANCE[level]:
                kind = rng.choice([K.REFERRED, K.ADVOCATED])
            else:
                continue
            if (account.pk, kind, day) in recorded:
                continue
            recorded.add((account.pk, kind, day))
            outcome_record(
                account=account,
                kind=kind,
                occurred_on=day,
                amount=_amount(rng, account) if kind in (K.EXPANDED, K.CONTRACTED) else None,
                note=_NOTES[kind],
                recorded_by=None,
                source=OutcomeSource.IMPORT,
                external_id=f"CRM-{account.pk:04d}-{day:%Y%m%d}-{kind[:3].upper()}",
            )
    return len(recorded)


def _level_on(levels: dict[dt.date, str], day: dt.date) -> str:
    """The level of the latest snapshot on or before `day` (the history is daily)."""
    return levels[max(d for d in levels if d <= day)]


def _amount(rng: random.Random, account: Account) -> Decimal:
    base = account.annual_contract_value or Decimal(50_000)
    return max(Decimal(1000), (base * Decimal(rng.uniform(0.08, 0.3))).quantize(Decimal(1)))
