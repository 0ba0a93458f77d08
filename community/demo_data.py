"""Demo gardens and a year of activity history for `manage.py seed_demo`.

Each account follows an engagement profile (champion, rising, fading, steady, occasional,
dormant) so that the engagement engine has trends to show: levels that rise, fall and hold.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db import transaction
from django.utils import timezone

from community import services
from community.models import ActivityEvent, ActivityKind, Garden, GardenTheme, GardenVisibility

DEMO_GARDENS = [
    (
        "Onboarding journeys",
        GardenTheme.CUSTOMER_JOURNEY,
        GardenVisibility.OPEN,
        "How new teams get going in their first 90 days: we try new onboarding paths, guided "
        "set-ups and check-ins with you before we roll them out.",
    ),
    (
        "Field service on the move",
        GardenTheme.CONTEXT_OF_USE,
        GardenVisibility.OPEN,
        "Using the product on site, offline and on small screens. Pilots of the mobile app and "
        "offline sync.",
    ),
    (
        "Data exchange and APIs",
        GardenTheme.DATA_SUPPLY,
        GardenVisibility.OPEN,
        "Which data you would share with us, and what you expect in return: benchmarks, "
        "forecasts, integrations.",
    ),
    (
        "Pricing and value models",
        GardenTheme.COST_AND_REVENUE,
        GardenVisibility.INVITE_ONLY,
        "New business models under NDA: usage-based pricing, outcome-based contracts, bundles.",
    ),
    (
        "Resilient operations",
        GardenTheme.ROBUSTNESS,
        GardenVisibility.OPEN,
        "What happens when things go wrong: fail-over, incident communication, recovery drills.",
    ),
    (
        "Sustainability reporting",
        GardenTheme.LONG_TERM_FIT,
        GardenVisibility.INVITE_ONLY,
        "Where your sustainability goals and our roadmap meet, over the next five years.",
    ),
]

# (profile, share of accounts, events per 30 days at its peak, shape over time)
_PROFILES = [
    ("champion", 0.12, 45, "steady"),
    ("rising", 0.15, 30, "rising"),
    ("fading", 0.15, 30, "fading"),
    ("steady", 0.23, 14, "steady"),
    ("occasional", 0.20, 4, "steady"),
    ("dormant", 0.15, 1.2, "fading"),
]

# How often each kind occurs among an account's events (visits dominate, referrals are rare).
_KIND_MIX = [
    (ActivityKind.VISIT, 40),
    (ActivityKind.HARVEST_READ, 10),
    (ActivityKind.VOTE, 14),
    (ActivityKind.COMMENT, 10),
    (ActivityKind.DISCUSSION_POST, 6),
    (ActivityKind.EXPECTATION_GIVEN, 4),
    (ActivityKind.PILOT_ENROLLED, 3),
    (ActivityKind.WORKSHOP_ATTENDED, 2),
    (ActivityKind.IDEA_PROPOSED, 4),
    (ActivityKind.FEEDBACK_GIVEN, 6),
    (ActivityKind.REFERRAL, 1),
]
_SUPPORT_KINDS = [ActivityKind.COMMENT, ActivityKind.WORKSHOP_ATTENDED, ActivityKind.VISIT]


@transaction.atomic
def demo_gardens_create() -> list[Garden]:
    return [
        services.garden_create(
            name=name, theme=theme, visibility=visibility, description=description
        )
        for name, theme, visibility, description in DEMO_GARDENS
    ]


def _profile(rng: random.Random):
    roll, total = rng.random(), 0.0
    for name, share, rate, shape in _PROFILES:
        total += share
        if roll <= total:
            return name, rate, shape
    name, _, rate, shape = _PROFILES[-1]
    return name, rate, shape


def _intensity(shape: str, days_ago: int, days: int) -> float:
    """Relative activity at a point in time: 1 is the profile's peak rate."""
    position = 1 - days_ago / days  # 0 = start of history, 1 = today
    if shape == "rising":
        return 0.1 + 0.9 * position**1.5
    if shape == "fading":
        return 0.1 + 0.9 * (1 - position) ** 1.5
    return 0.8 + 0.2 * math.sin(position * 6)


def demo_activity_create(
    *,
    rng: random.Random,
    members_by_account: dict[int, list[int]],
    support_user_by_account: dict[int, int],
    days: int,
    batch_size: int = 20_000,
) -> tuple[int, dict[int, str]]:
    """Write `days` of activity events per account; return the count and each profile."""
    now = timezone.now()
    kinds, weights = zip(*_KIND_MIX, strict=True)
    profiles: dict[int, str] = {}
    batch: list[ActivityEvent] = []
    total = 0
    for account_id, member_ids in members_by_account.items():
        name, rate, shape = _profile(rng)
        profiles[account_id] = name
        # Breadth: champions spread activity over many members, others over a few.
        active = member_ids if name == "champion" else member_ids[: max(1, len(member_ids) // 2)]
        # Dormant accounts went quiet: nothing from them in the last 45 days.
        quiet_days = 45 if name == "dormant" else 0
        for day in range(days):
            expected = 0 if day < quiet_days else rate / 30 * _intensity(shape, day, days)
            # A Poisson draw per day, by inversion (cheap for small means).
            count, limit, product = 0, math.exp(-expected), rng.random()
            while product > limit:
                count += 1
                product *= rng.random()
            for _ in range(count):
                moment = now - dt.timedelta(days=day, seconds=rng.randrange(86_400))
                batch.append(
                    ActivityEvent(
                        account_id=account_id,
                        user_id=rng.choice(active),
                        kind=rng.choices(kinds, weights)[0],
                        occurred_at=moment,
                        created_at=moment,
                    )
                )
            # The account team's own support for the account, now and then.
            if rng.random() < 0.04 and account_id in support_user_by_account:
                moment = now - dt.timedelta(days=day, seconds=rng.randrange(86_400))
                batch.append(
                    ActivityEvent(
                        account_id=account_id,
                        user_id=support_user_by_account[account_id],
                        kind=rng.choice(_SUPPORT_KINDS),
                        occurred_at=moment,
                        created_at=moment,
                        is_support=True,
                    )
                )
        if len(batch) >= batch_size:
            total += services.activity_events_bulk_record(events=batch, batch_size=batch_size)
            batch = []
    total += services.activity_events_bulk_record(events=batch, batch_size=batch_size)
    return total, profiles
