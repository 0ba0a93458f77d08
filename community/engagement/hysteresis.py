"""Levels from scores, with the hysteresis of docs/product.md so that levels do not flap.

Promotion happens as soon as the score reaches a level's threshold. Demotion happens only when
the score falls below the low-water mark (90% of the current level's threshold) *and* the
current level has held for the hold period (14 days); the account then drops to the level its
score indicates. Pure functions: the computation passes the previous snapshot's level and since.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from community.models import EngagementLevel, EngagementModel

LEVELS: list[str] = list(EngagementLevel.values)  # lowest first, as thresholds are


@dataclass(frozen=True)
class LevelRule:
    """The numbers of an engagement model that decide levels."""

    thresholds: tuple[float, ...]  # Dormant's (0) first
    low_water_ratio: float
    hold_days: int

    @classmethod
    def of(cls, model: EngagementModel) -> LevelRule:
        return cls(
            thresholds=tuple(model.thresholds),
            low_water_ratio=model.low_water_ratio,
            hold_days=model.hold_days,
        )


def level_for_score(score: float, *, rule: LevelRule) -> str:
    """The highest level whose threshold the score reaches (no hysteresis)."""
    reached = 0
    for rank, threshold in enumerate(rule.thresholds):
        if score >= threshold:
            reached = rank
    return LEVELS[reached]


def level_next(
    *,
    score: float,
    day: dt.date,
    previous_level: str | None,
    previous_since: dt.date | None,
    rule: LevelRule,
) -> tuple[str, dt.date]:
    """The level on `day` and the day it has held since, given the level before `day` and the
    day that level started (None: unknown, counted from `day`)."""
    indicated = level_for_score(score, rule=rule)
    if previous_level not in LEVELS:  # first computation for this account
        return indicated, day
    current = LEVELS.index(previous_level)
    since = previous_since or day
    if LEVELS.index(indicated) > current:
        return indicated, day
    if LEVELS.index(indicated) == current:
        return previous_level, since
    low_water = rule.low_water_ratio * rule.thresholds[current]
    held_days = (day - since).days
    if score < low_water and held_days >= rule.hold_days:
        return indicated, day
    return previous_level, since
