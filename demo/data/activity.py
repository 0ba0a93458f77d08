"""A year of activity history for `manage.py seed_demo`, with the account teams' offline events,
the alerts the engine raised over the last weeks, and the notifications people have read.

Each account follows an engagement profile (champion, rising, steady, fading, occasional,
dormant) so that the engagement engine has trends to show: levels that rise, fall and hold.
The profiles are dealt out by fixed shares (shuffled by the seed, the demo's own account always
a champion), so that every level has several accounts: with the default 40 accounts at least
three at each of the five levels (tests/community/test_engagement_seed_demo.py).

- champion: active all year across the team → Co-creating;
- rising: picked up over the year → Contributing or Co-creating;
- steady: a regular few → Contributing or Participating;
- fading: busy a year ago, slowly less → Participating or Observing;
- occasional: one person now and then → Observing;
- dormant: Participating four months ago, then faded and has been silent for two months →
  Dormant, with the level drops on its way down raised as alerts.

The history holds no pilot events (pilot enrolled, expectation given, feedback given): such an
event names its pilot (`pilot_ref`), and the history is written before there are pilots to
name. Every pilot event of the demo is a real one, recorded by the ideas services as the
accounts taking part enrol and answer (demo.data.ideas), so an account's activity lists
"pilot enrolled" exactly when its pilots section shows that pilot.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db.models import F
from django.utils import timezone

from accounts.models import Account, AccountTeamAssignment, TeamRole, User
from community.models import ActivityEvent, ActivityKind, Alert, Notification
from community.models.engagement import DEFAULT_ACTIVITY_WEIGHTS
from community.services.alerts import alerts_raise
from community.services.engagement import activity_events_bulk_record, offline_event_record

# (profile, share of accounts, events per 30 days at its peak, shape over time, share of the
# members who take part)
_PROFILES = [
    ("champion", 0.15, 45, "steady", 1.0),
    ("rising", 0.15, 30, "rising", 0.5),
    ("steady", 0.15, 14, "steady", 0.5),
    ("fading", 0.15, 30, "fading", 0.5),
    ("occasional", 0.20, 3, "steady", 0.0),  # one person
    ("dormant", 0.20, 6, "lapsed", 0.5),
]
# Profiles of accounts that take no part in discussions (a post would wake them up).
QUIET_PROFILES = ("dormant", "occasional")
# Dormant accounts: as busy as their rate until this many days ago, then less and less …
_LAPSE_STARTS_DAYS = 120
# … and nothing at all for the last this many days.
_LAPSE_QUIET_DAYS = 60

# How often each kind occurs among an account's events (visits dominate, referrals are rare);
# the engagement benchmark draws its events by the same shares.
KIND_MIX = [
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
# Kinds that name their pilot: only the pilots' own services record them.
PILOT_KINDS = (
    ActivityKind.PILOT_ENROLLED,
    ActivityKind.EXPECTATION_GIVEN,
    ActivityKind.FEEDBACK_GIVEN,
)
# The history's mix: KIND_MIX without the pilot kinds …
_HISTORY_MIX = [(kind, share) for kind, share in KIND_MIX if kind not in PILOT_KINDS]


def _points_per_event(mix: list[tuple[str, int]]) -> float:
    """What an event of `mix` weighs on average, by the default engagement model."""
    total = sum(share for _, share in mix)
    return sum(DEFAULT_ACTIVITY_WEIGHTS[kind] * share for kind, share in mix) / total


# … and as many more events of it (2.57 ÷ 2.05 points an event: 1.26 ×) as keep each profile's
# activity points, and so its level, where the full mix put them.
_HISTORY_RATE = _points_per_event(KIND_MIX) / _points_per_event(_HISTORY_MIX)
# The account team's own actions (PRODUCT.md: responses, workshops, closed loops); the ideas
# demo adds real ones (product managers' comments and decisions) through the services.
_SUPPORT_KINDS = [ActivityKind.COMMENT, ActivityKind.WORKSHOP_ATTENDED, ActivityKind.LOOP_CLOSED]

# What account teams recorded by hand: (profile, days ago, kind, note), for the first account of
# the profile (the demo logins' own account is the first champion). On champions, whose level is
# at the top already, and on a fading account more than 360 days ago (outside every activity
# window of the history): the demo's levels are the same with or without them.
_OFFLINE_EVENTS = [
    (
        "champion",
        6,
        ActivityKind.REFERENCE_CALL,
        "Took a reference call with a logistics prospect; spoke warmly about the onboarding "
        "pilot and the offline sync.",
    ),
    (
        "champion",
        23,
        ActivityKind.EXECUTIVE_MEETING,
        "Quarterly review with their COO: offline sync roadmap, interest in the pricing garden.",
    ),
    (
        "champion",
        75,
        ActivityKind.WORKSHOP_ATTENDED,
        "Four planners came to the field-service workshop; asked for a site-by-site export.",
    ),
    (
        "champion",
        140,
        ActivityKind.REFERRAL,
        "Introduced us to the IT lead of their sister company.",
    ),
    (
        "fading",
        361,
        ActivityKind.EXECUTIVE_MEETING,
        "Renewal talk with the new CIO: budget under review, wants clearer ROI figures.",
    ),
    (
        "fading",
        364,
        ActivityKind.WORKSHOP_ATTENDED,
        "Two admins at the reporting workshop.",
    ),
]


def _profiles_dealt(rng: random.Random, accounts: int) -> list[tuple]:
    """One profile per account, by the shares (largest remainders), shuffled; the first
    account (the demo logins' own) is a champion."""
    quotas = [share * accounts for _, share, *_ in _PROFILES]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: counts[i] - quotas[i])
    for i in by_remainder[: accounts - sum(counts)]:
        counts[i] += 1
    dealt = [profile for profile, n in zip(_PROFILES, counts, strict=True) for _ in range(n)]
    champion = next(p for p in dealt if p[0] == "champion") if counts[0] else dealt[0]
    dealt.remove(champion)
    rng.shuffle(dealt)
    return [champion, *dealt]


def _intensity(shape: str, days_ago: int, days: int) -> float:
    """Relative activity at a point in time: 1 is the profile's peak rate."""
    position = 1 - days_ago / days  # 0 = start of history, 1 = today
    if shape == "lapsed":
        if days_ago >= _LAPSE_STARTS_DAYS:
            return 1.0
        fade = _LAPSE_STARTS_DAYS - _LAPSE_QUIET_DAYS
        return max(0.0, (days_ago - _LAPSE_QUIET_DAYS) / fade)
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
    kinds, weights = zip(*_HISTORY_MIX, strict=True)
    profiles: dict[int, str] = {}
    batch: list[ActivityEvent] = []
    total = 0
    dealt = _profiles_dealt(rng, len(members_by_account))
    for (account_id, member_ids), profile in zip(members_by_account.items(), dealt, strict=True):
        name, _, rate, shape, taking_part = profile
        profiles[account_id] = name
        # Breadth: champions spread activity over every member, others over a few.
        active = member_ids[: max(1, round(len(member_ids) * taking_part))]
        # Dormant accounts went quiet: nothing from them in the last two months.
        quiet_days = _LAPSE_QUIET_DAYS if shape == "lapsed" else 0
        for day in range(days):
            expected = (
                0 if day < quiet_days else rate / 30 * _HISTORY_RATE * _intensity(shape, day, days)
            )
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
            total += activity_events_bulk_record(events=batch, batch_size=batch_size)
            batch = []
    total += activity_events_bulk_record(events=batch, batch_size=batch_size)
    return total, profiles


def demo_offline_events_create(*, profiles: dict[int, str]) -> int:
    """A few offline events with notes (`_OFFLINE_EVENTS`), recorded through the service by
    each account's account manager. Returns how many."""
    first_of = {}
    for account_id, profile in profiles.items():
        first_of.setdefault(profile, account_id)
    managers = dict(
        AccountTeamAssignment.objects.filter(
            account_id__in=first_of.values(), role=TeamRole.ACCOUNT_MANAGER
        ).values_list("account_id", "user")
    )
    accounts = Account.objects.in_bulk(first_of.values())
    users = User.objects.in_bulk(managers.values())
    today = timezone.localdate()
    recorded = 0
    for profile, days_ago, kind, note in _OFFLINE_EVENTS:
        if profile not in first_of:
            continue
        account_id = first_of[profile]
        offline_event_record(
            account=accounts[account_id],
            kind=kind,
            occurred_on=today - dt.timedelta(days=days_ago),
            note=note,
            recorded_by=users.get(managers.get(account_id)),
        )
        recorded += 1
    return recorded


def demo_alerts_raise(*, days: int = 45) -> int:
    """The alerts of the last `days` days, day by day as the engine raised them after each
    night's run (the levels' history must be computed first), each dated on its day; the
    account teams have not acted on them yet. Returns how many were raised."""
    today = timezone.localdate()
    ids = list(Account.objects.values_list("pk", flat=True))
    raised = 0
    for offset in range(days - 1, -1, -1):
        day = today - dt.timedelta(days=offset)
        alerts = alerts_raise(account_ids=ids, day=day)
        if offset and alerts:
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(1, 30)))
            Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(raised_at=moment)
        raised += len(alerts)
    return raised


def demo_notifications_settle(*, days: int) -> int:
    """People have read what they were told more than `days` ago (the demo's bells show only
    what is recent); the alerts themselves stay open in the account team's inbox."""
    return Notification.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=days), read_at__isnull=True
    ).update(read_at=F("created_at") + dt.timedelta(hours=5))
