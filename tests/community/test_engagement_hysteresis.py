"""Levels do not flap: promotion at once, demotion only below 90% of the current level's
threshold *and* after the level has held for 14 days (docs/product.md, "Levels")."""

from __future__ import annotations

import datetime as dt

import pytest

from community.models import ActivityKind, EngagementSnapshot
from community.selectors.engagement_figures import LevelRule, level_for_score, level_next
from community.services.engagement import engagement_history_compute, engagement_snapshots_compute
from tests.accounts.factories import AccountFactory, customer
from tests.community.factories import D, engagement_event

RULE = LevelRule(thresholds=(0, 10, 30, 50, 70), low_water_ratio=0.9, hold_days=14)
DAY = dt.date(2026, 6, 30)


def _next(score, previous, held_days):
    return level_next(
        score=score,
        day=DAY,
        previous_level=previous,
        previous_since=DAY - dt.timedelta(days=held_days),
        rule=RULE,
    )


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, "dormant"),
        (9.9, "dormant"),
        (10, "observing"),
        (29.9, "observing"),
        (30, "participating"),
        (50, "contributing"),
        (69.9, "contributing"),
        (70, "co_creating"),
        (100, "co_creating"),
    ],
)
def test_a_score_indicates_the_highest_level_whose_threshold_it_reaches(score, level):
    assert level_for_score(score, rule=RULE) == level


def test_the_first_computation_takes_the_indicated_level_from_that_day():
    assert level_next(score=55, day=DAY, previous_level=None, previous_since=None, rule=RULE) == (
        "contributing",
        DAY,
    )


def test_promotion_is_immediate_even_two_levels_up():
    assert _next(71, "observing", held_days=1) == ("co_creating", DAY)


def test_a_level_holds_and_keeps_its_start_day_while_the_score_stays_in_it():
    assert _next(35, "participating", held_days=40) == (
        "participating",
        DAY - dt.timedelta(days=40),
    )


def test_no_demotion_above_ninety_percent_of_the_threshold_however_long_it_held():
    assert _next(45.1, "contributing", held_days=100)[0] == "contributing"  # 0.9 × 50 = 45
    assert _next(45.0, "contributing", held_days=100)[0] == "contributing"


def test_no_demotion_within_fourteen_days_even_far_below_the_threshold():
    assert _next(5, "contributing", held_days=13) == (
        "contributing",
        DAY - dt.timedelta(days=13),
    )


def test_demotion_after_fourteen_days_below_ninety_percent_drops_to_the_indicated_level():
    assert _next(44.9, "contributing", held_days=14) == ("participating", DAY)
    assert _next(5, "contributing", held_days=30) == ("dormant", DAY)


def test_an_unknown_start_day_counts_from_today():
    assert level_next(
        score=5, day=DAY, previous_level="contributing", previous_since=None, rule=RULE
    ) == ("contributing", DAY)


# --- Through the computation: the previous snapshot decides --------------------------------


def _account_scoring_about(score: str):
    """'low': one of three people visits (≈ 9.6, Dormant by itself);
    'high': all three visit (≈ 28.6, Observing by itself)."""
    account = AccountFactory()
    people = [customer(account) for _ in range(3)]
    for person in people if score == "high" else people[:1]:
        engagement_event(account, person, ActivityKind.VISIT, days_ago=1)
    return account


def _yesterday(account, level, *, held_days):
    EngagementSnapshot.objects.create(
        account=account,
        day=D - dt.timedelta(days=1),
        score=35,
        level=level,
        level_since=D - dt.timedelta(days=held_days),
        activity=0.1,
        breadth=1,
        co_creation=0,
        model_version=1,
    )


@pytest.mark.django_db
def test_the_computation_promotes_from_yesterdays_level_at_once():
    account = _account_scoring_about("high")
    _yesterday(account, "dormant", held_days=100)

    engagement_snapshots_compute(account_ids=[account.pk], day=D)

    today = EngagementSnapshot.objects.get(account=account, day=D)
    assert (today.level, today.level_since) == ("observing", D)


@pytest.mark.django_db
def test_the_computation_keeps_a_level_that_has_not_held_fourteen_days():
    account = _account_scoring_about("low")
    _yesterday(account, "participating", held_days=5)

    engagement_snapshots_compute(account_ids=[account.pk], day=D)

    today = EngagementSnapshot.objects.get(account=account, day=D)
    assert float(today.score) < 27
    assert (today.level, today.level_since) == ("participating", D - dt.timedelta(days=5))


@pytest.mark.django_db
def test_the_computation_keeps_a_level_while_the_score_is_above_the_low_water_mark():
    account = _account_scoring_about("high")  # ≈ 28.6: below 30 but above 27
    _yesterday(account, "participating", held_days=60)

    engagement_snapshots_compute(account_ids=[account.pk], day=D)

    assert EngagementSnapshot.objects.get(account=account, day=D).level == "participating"


@pytest.mark.django_db
def test_the_computation_demotes_once_the_level_has_held_fourteen_days():
    account = _account_scoring_about("low")
    _yesterday(account, "participating", held_days=14)

    engagement_snapshots_compute(account_ids=[account.pk], day=D)

    today = EngagementSnapshot.objects.get(account=account, day=D)
    assert (today.level, today.level_since) == ("dormant", D)


@pytest.mark.django_db
def test_a_history_holds_a_level_for_fourteen_days_after_activity_stops():
    """Three people busy until 40 days before D, then silence: the score decays below the
    low-water mark, and the level goes down only in steps that each held 14 days."""
    account = AccountFactory()
    people = [customer(account) for _ in range(3)]
    for days_ago in range(40, 100):
        for person in people:
            engagement_event(account, person, ActivityKind.COMMENT, days_ago=days_ago)

    engagement_history_compute(days=60, until=D)

    history = list(
        EngagementSnapshot.objects.filter(account=account)
        .order_by("day")
        .values_list("day", "score", "level", "level_since")
    )
    assert len(history) == 60
    changes = [(day, level) for day, _, level, since in history if since == day]
    for (earlier, _), (later, _) in zip(changes, changes[1:], strict=False):
        assert (later - earlier).days >= 14 or later == history[0][0]
    ranks = ["dormant", "observing", "participating", "contributing", "co_creating"]
    levels = [ranks.index(level) for _, _, level, _ in history]
    assert levels == sorted(levels, reverse=True)  # only down, as the activity fades
    assert levels[0] > levels[-1]
