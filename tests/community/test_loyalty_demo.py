"""The demo's churn and expansion over time (demo/data/loyalty.py) follow the level an account
is at on the day: churn is likeliest while Dormant and never while Co-creating, and nothing
follows an account's churn. Dates are fixed; the random draws are seeded."""

from __future__ import annotations

import datetime as dt
import random

from community.models import EngagementLevel, OutcomeKind
from demo.data.loyalty import CHURN_PER_MONTH, EXPANSION_PER_MONTH, _account_months

L, K = EngagementLevel, OutcomeKind
TODAY = dt.date(2026, 6, 30)


def _history(level: str, days: int = 180) -> dict[dt.date, str]:
    return {TODAY - dt.timedelta(days=n): level for n in range(days)}


def test_the_chances_fall_with_the_level_for_churn_and_rise_for_expansion():
    churn = [CHURN_PER_MONTH[level] for level in L.values]
    growth = [EXPANSION_PER_MONTH[level] for level in L.values]

    assert churn == sorted(churn, reverse=True) and churn[-1] == 0
    assert growth == sorted(growth) and growth[0] == 0


def test_dormant_accounts_churn_far_more_often_than_engaged_ones_and_co_creators_never():
    rng = random.Random(7)
    churned = {
        level: sum(
            any(kind == K.CHURNED for kind, _ in _account_months(
                rng, _history(level), today=TODAY, churned=None
            ))
            for _ in range(200)
        )
        for level in (L.DORMANT, L.CONTRIBUTING, L.CO_CREATING)
    }  # fmt: skip

    assert churned[L.CO_CREATING] == 0
    assert churned[L.DORMANT] > 4 * churned[L.CONTRIBUTING] > 0


def test_nothing_follows_a_churn_and_an_earlier_churn_is_not_repeated():
    rng = random.Random(3)
    for _ in range(50):
        outcomes = _account_months(rng, _history(L.DORMANT), today=TODAY, churned=None)
        kinds = [kind for kind, _ in outcomes]
        assert K.CHURNED not in kinds[:-1]  # the churn, if any, is the last outcome
        assert all(day <= TODAY for _, day in outcomes)
    left = TODAY - dt.timedelta(days=100)
    for _ in range(50):
        outcomes = _account_months(rng, _history(L.CO_CREATING), today=TODAY, churned=left)
        assert all(kind == K.EXPANDED and day < left for kind, day in outcomes)
