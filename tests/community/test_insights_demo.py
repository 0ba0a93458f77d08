"""`manage.py seed_demo` gives the insights page something to read: loyalty outcomes over the
engagement history, at several levels at the time."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import Account
from community.models import LoyaltyOutcome
from community.selectors.insights import default_period, outcome_rates_by_level


def _seed() -> list[tuple]:
    call_command("seed_demo", accounts=16, members=3.0, days=120, ideas=0, stdout=io.StringIO())
    return list(
        LoyaltyOutcome.objects.order_by("pk").values_list("account__slug", "kind", "occurred_on")
    )


@pytest.mark.django_db
def test_the_demo_records_outcomes_at_several_levels_within_the_history():
    outcomes = _seed()

    assert len(outcomes) >= 8
    period_from, period_to = default_period()
    rates = outcome_rates_by_level(
        accounts=Account.objects.all(), period_from=period_from, period_to=period_to
    )
    assert sum(1 for level in rates.levels if level.decided) >= 2
    assert all(level.level != "not_computed" for level in rates.levels)  # within the history
    assert {kind for _, kind, _ in outcomes} >= {"renewed", "expanded"}
