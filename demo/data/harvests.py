"""Demo data of harvests (called by seed_demo once the engagement history is computed: the
more engaged an account, the likelier its people read):

- eight harvests from the demo gardens: "you said, we did" (one from a closed pilot when the
  ideas demo made one), playbooks and results; aimed at their garden, at segments (reaching
  accounts outside the garden), or at all customers; one of the invite-only "Pricing and value
  models" reaches enterprise accounts that were not invited, without naming the garden;
- published over the last two months by the gardens' stewards (in-app notifications only);
- reads spread over the levels: the more engaged an account, the likelier its people read;
- a member of a Dormant account who has not joined "Field service on the move" sees its
  results recommended, with an invitation to join (`DemoHarvests.dormant_member`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, InternalRole, User
from community.models import (
    ActivityEvent,
    ActivityKind,
    EngagementLevel,
    Garden,
    GardenMembership,
    Harvest,
    HarvestAudience,
    HarvestKind,
    HarvestRead,
    Notification,
    NotificationFanout,
    Thread,
)
from community.selectors.account_levels import account_levels
from community.services import harvests as services
from community.services.notification_fanouts import notification_fanout_run
from community.services.notifications import notification_emails_suppressed

RECOMMENDED_GARDEN = "field-service-on-the-move"

# (garden slug, kind, audience, segments, days ago, title, summary, body)
_HARVESTS = [
    (
        "onboarding-journeys",
        HarvestKind.YOU_SAID_WE_DID,
        HarvestAudience.GARDEN,
        [],
        50,
        "You said the first week was confusing: guided set-up",
        "Eleven accounts told us the first week felt like a maze. The guided set-up pilot "
        "cut the time to a first working project from nine days to three.",
        '## What you said\n\n- *"We did not know where to start."*\n'
        '- *"Too many settings before anything works."*\n\n## What we did\n\n'
        "1. A guided set-up that asks three questions and configures the rest.\n"
        "2. A checklist on the home page for the first 30 days.\n\n"
        "## What happened\n\nTime to a first working project: **9 days → 3 days**.",
    ),
    (
        "onboarding-journeys",
        HarvestKind.PLAYBOOK,
        HarvestAudience.SEGMENTS,
        ["smb", "mid_market"],
        35,
        "Playbook: your team's first 30 days",
        "What the accounts with the smoothest starts did in their first month, step by step.",
        "1. **Week 1** — name one champion and invite three colleagues.\n"
        "2. **Week 2** — connect one data source, not five.\n"
        "3. **Week 3** — run the guided set-up with the people who will use it daily.\n"
        "4. **Week 4** — book a check-in with your customer success manager.",
    ),
    (
        RECOMMENDED_GARDEN,
        HarvestKind.RESULT,
        HarvestAudience.ALL,
        [],
        21,
        "Offline sync: the pilot's results",
        "Six accounts tried offline sync on site for five weeks: fewer lost forms, and field "
        "teams trust the app again.",
        "| | before | after |\n|---|---|---|\n| forms lost per month | 14 | 1 |\n"
        "| trust (1–7) | 3.9 | 5.8 |\n\nThe expectation that sync would be *instant* was not "
        "met: it takes up to a minute after reconnecting. We say so up front now.",
    ),
    (
        RECOMMENDED_GARDEN,
        HarvestKind.YOU_SAID_WE_DID,
        HarvestAudience.GARDEN,
        [],
        12,
        "You said photos were too slow to attach: now they upload in the background",
        "Field teams waited for every photo. Uploads now run in the background and resume "
        "after a lost connection.",
        "Thanks to everyone who flagged it in the discussions. Try it and tell us in the garden.",
    ),
    (
        "data-exchange-and-apis",
        HarvestKind.PLAYBOOK,
        HarvestAudience.SEGMENTS,
        ["enterprise", "public_sector"],
        28,
        "Playbook: sharing usage data safely",
        "How accounts that share usage data get benchmarks back without exposing anything "
        "sensitive: the agreement, the fields, the review.",
        "- Start with the **agreement**: your admin accepts it once for the account.\n"
        "- Share aggregated fields only; we never need names.\n"
        "- Review the first benchmark together before anything is automated.",
    ),
    (
        "pricing-and-value-models",
        HarvestKind.RESULT,
        HarvestAudience.GARDEN,
        [],
        18,
        "Usage-based pricing: what the first round taught us",
        "For the accounts in the pricing garden only: the numbers behind the usage-based "
        "pilot, under the garden's NDA.",
        "Predictability mattered more than the price itself: accounts want a monthly cap.",
    ),
    (
        "pricing-and-value-models",
        HarvestKind.PLAYBOOK,
        HarvestAudience.SEGMENTS,
        ["enterprise"],
        9,
        "Playbook: forecasting your usage for next year's budget",
        "A simple way to forecast next year's usage from this year's, that enterprise "
        "accounts in our pilots found reliable within 10%.",
        "Take the last six months, drop the onboarding month, and multiply the median by 12. "
        "Add the projects you already know of.",
    ),
    (
        "resilient-operations",
        HarvestKind.RESULT,
        HarvestAudience.ALL,
        [],
        4,
        "What the outage drill showed: recovery in 14 minutes",
        "We rehearsed a full outage with four accounts watching. Recovery took 14 minutes; "
        "here is what we changed so it takes less.",
        "The status page now updates automatically, and your admins get an email when an "
        "incident touches your account.",
    ),
]

# The chance that an account at a level reads a harvest aimed at it.
_READ_CHANCE = {
    EngagementLevel.DORMANT: 0.05,
    EngagementLevel.OBSERVING: 0.2,
    EngagementLevel.PARTICIPATING: 0.4,
    EngagementLevel.CONTRIBUTING: 0.6,
    EngagementLevel.CO_CREATING: 0.8,
}


@dataclass
class DemoHarvests:
    harvests: int
    reads: int
    dormant_member: str  # the email of a Dormant account's member with a recommendation


def _publisher(garden: Garden) -> User:
    steward = garden.stewards.order_by("pk").first()
    if steward is not None:
        return steward
    return User.objects.filter(groups__name=InternalRole.PROGRAMME_ADMIN.value).order_by("pk")[0]


@transaction.atomic
def demo_harvests_build(
    *, rng: random.Random, closed_pilot_ids: list[int] | None = None
) -> DemoHarvests:
    gardens = {g.slug: g for g in Garden.objects.all()}
    pilots = list(closed_pilot_ids or [])
    now = timezone.now()
    harvests: list[Harvest] = []
    with notification_emails_suppressed():
        for slug, kind, audience, segments, days_ago, title, summary, body in _HARVESTS:
            garden = gardens.get(slug)
            if garden is None:
                continue
            publisher = _publisher(garden)
            source_pilot = None
            if kind == HarvestKind.YOU_SAID_WE_DID and pilots:
                source_pilot = pilots.pop(0)
            thread = Thread.objects.filter(garden=garden, hidden_at__isnull=True).first()
            harvest = services.harvest_create(
                created_by=publisher,
                title=title,
                summary=summary,
                body=body,
                kind=kind,
                garden=garden,
                audience=audience,
                segments=segments,
                source_pilot_ref=source_pilot,
                source_thread=thread if kind != HarvestKind.RESULT else None,
                inspired_by=_inspirers(rng, garden),
            )
            told_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
            services.harvest_publish(harvest=harvest, by=publisher)
            _fanouts_finish()  # the readers past the first hundred, now, not by a worker later
            published_at = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8))
            Harvest.objects.filter(pk=harvest.pk).update(published_at=published_at)
            # People were told when it was published, not today.
            Notification.objects.filter(pk__gt=told_before or 0).update(created_at=published_at)
            harvest.published_at = published_at
            harvests.append(harvest)
    dormant_member = _dormant_member()
    reads = _reads(rng, harvests, keep_unread=dormant_member, now=now)
    return DemoHarvests(
        harvests=len(harvests),
        reads=reads,
        dormant_member=dormant_member.email if dormant_member else "",
    )


def _inspirers(rng: random.Random, garden: Garden) -> list[User]:
    members = list(
        User.objects.filter(garden_memberships__garden=garden, is_active=True).order_by("pk")[:40]
    )
    return rng.sample(members, k=min(3, len(members)))


def _fanouts_finish() -> None:
    """Tell now whom the fan-outs just made would tell from a worker after commit (the seed's
    notifications are back-dated to the publishing; their queued tasks then find them done)."""
    for fanout_id in NotificationFanout.objects.filter(finished_at__isnull=True).values_list(
        "pk", flat=True
    ):
        notification_fanout_run(fanout_id=fanout_id)


def _dormant_member() -> User | None:
    """A member of a Dormant account who has not joined the recommended harvest's garden."""
    accounts = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    levels = account_levels(account_ids=accounts)
    dormant = [pk for pk in accounts if levels.get(pk) == EngagementLevel.DORMANT]
    joined = GardenMembership.objects.filter(garden__slug=RECOMMENDED_GARDEN).values("user_id")
    return (
        User.objects.filter(membership__account_id__in=dormant, is_active=True)
        .exclude(pk__in=joined)
        .order_by("membership__account_id", "pk")
        .first()
    )


def _reads(
    rng: random.Random, harvests: list[Harvest], *, keep_unread: User | None, now: dt.datetime
) -> int:
    """People of the accounts each harvest is aimed at read it, likelier the more engaged."""
    count = 0
    for harvest in harvests:
        accounts = list(
            services.harvest_target_accounts(harvest=harvest)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        levels = account_levels(account_ids=accounts)
        for account_id in accounts:
            chance = _READ_CHANCE.get(levels.get(account_id, EngagementLevel.DORMANT), 0.05)
            if rng.random() > chance:
                continue
            people = list(
                User.objects.filter(membership__account_id=account_id, is_active=True)
                .exclude(pk=keep_unread.pk if keep_unread else None)
                .order_by("pk")[:6]
            )
            for person in rng.sample(people, k=min(len(people), rng.choice([1, 1, 2, 3]))):
                if services.harvest_read(harvest=harvest, user=person) is not None:
                    count += 1
        # Reads happened after publishing, not all at this moment.
        span = max(1, int((now - harvest.published_at).total_seconds()))
        for read in HarvestRead.objects.filter(harvest=harvest):
            read.read_at = harvest.published_at + dt.timedelta(seconds=rng.randint(0, span))
            read.save(update_fields=["read_at"])
            # The engagement event of the read happened then too.
            ActivityEvent.objects.filter(
                kind=ActivityKind.HARVEST_READ,
                object_type=Harvest._meta.label_lower,
                object_id=str(harvest.pk),
                user_id=read.user_id,
            ).update(occurred_at=read.read_at, created_at=read.read_at)
    return count
