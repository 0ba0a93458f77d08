"""Demo data of gardens: the six demo gardens, then their charters, stewards, invitations and
memberships (seed_demo calls both right after the people).

- every garden gets a charter and one or two stewards (product managers, a success manager);
- "Pricing and value models" (invite-only) has a few accepted accounts and one invitation still
  to answer by the demo account's admin (the first account: the demo customer admin);
- "Sustainability reporting" (invite-only) has a few accepted accounts, not the demo account
  (so its people see a garden they are not invited to does not exist);
- customers of many accounts joined open gardens over the last months; the demo customer member
  has NOT joined DEMO_UNJOINED_GARDEN (the acceptance walk joins it).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, InternalRole, MemberRole, Membership, User
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
    Notification,
)
from community.models.notifications import NotifyKind
from community.services import gardens as services
from community.services.notifications import notification_emails_suppressed

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

DEMO_INVITED_GARDEN = "pricing-and-value-models"  # the demo admin's pending invitation
DEMO_UNJOINED_GARDEN = "onboarding-journeys"  # open, not joined by the demo member

_CHARTERS = {
    "onboarding-journeys": (
        "**How ideas are proposed:** anyone in the garden proposes an idea with the job it "
        "should do; the stewards review new ideas every two weeks.\n\n"
        "**How we decide:** support (people and accounts) decides the order; product managers "
        "say why an idea is planned, piloted or declined.\n\n"
        "**What you give:** your expectations before a pilot and honest feedback after it.\n"
        "**What you get:** early access, a say in the roadmap, and the results of every pilot."
    ),
    "field-service-on-the-move": (
        "We try the mobile app where work happens: on site, offline, on small screens.\n\n"
        "- Propose what gets in your way in the field.\n"
        "- Pilots run four to six weeks with a few accounts.\n"
        "- You get the offline builds first and see what we changed because of you."
    ),
    "data-exchange-and-apis": (
        "Which data would you share, and what would you expect in return?\n\n"
        "Nothing is shared without your account admin's consent. Every data pilot has a written "
        "agreement; results come back to you as benchmarks."
    ),
    "pricing-and-value-models": (
        "**Invite-only, under NDA.** New business models are discussed here before anyone "
        "else hears of them. Your account admin accepts the invitation for the account.\n\n"
        "Members of other accounts stay anonymous; the stewards publish what we learn."
    ),
    "resilient-operations": (
        "What happens when things go wrong: fail-over, incident communication, recovery drills."
        "\n\nBring an incident you lived through; we turn the lessons into playbooks."
    ),
    "sustainability-reporting": (
        "**Invite-only.** Where your sustainability goals and our roadmap meet over the next "
        "five years. Quarterly sessions; the stewards write up each one as a harvest."
    ),
}

# Which internal people steward which garden (by first name; programme admins steward all).
_STEWARDS = {
    "onboarding-journeys": ["Pat", "Dana"],
    "field-service-on-the-move": ["Lucía"],
    "data-exchange-and-apis": ["Raj"],
    "pricing-and-value-models": ["Pat"],
    "resilient-operations": ["Felix"],
    "sustainability-reporting": ["Raj", "Grace"],
}


@transaction.atomic
def demo_gardens_create() -> list[Garden]:
    return [
        services.garden_create(
            created_by=None, name=name, theme=theme, visibility=visibility, description=description
        )
        for name, theme, visibility, description in DEMO_GARDENS
    ]


def _demo_account() -> Account | None:
    return Account.objects.order_by("pk").first()


def _first_member(account: Account, role: str) -> User | None:
    membership = (
        Membership.objects.filter(account=account, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def demo_gardens_build(
    *, gardens: list[Garden], members_by_account: dict[int, list[int]], seed: int = 5
) -> dict[str, int]:
    """Charters, stewards, invitations and memberships; returns counts for the summary."""
    rng = random.Random(seed)  # noqa: S311 (demo data): its own, so other builders keep theirs
    now = timezone.now()
    by_slug = {garden.slug: garden for garden in gardens}
    programme_admin = (
        User.objects.filter(groups__name=InternalRole.PROGRAMME_ADMIN.value).order_by("pk").first()
    )
    _stewards_appoint(by_slug)
    demo = _demo_account()
    account_ids = sorted(members_by_account)
    others = [pk for pk in account_ids if demo is None or pk != demo.pk]
    accepted_by_garden = _invite_only_accepted(
        rng, gardens, others, programme_admin=programme_admin, now=now
    )
    invited = 0
    if demo is not None and DEMO_INVITED_GARDEN in by_slug and programme_admin is not None:
        _demo_admin_invite(by_slug[DEMO_INVITED_GARDEN], demo, programme_admin, now=now)
        invited = 1
    memberships = _memberships(
        rng, gardens, members_by_account, accepted_by_garden, demo=demo, now=now
    )
    GardenMembership.objects.bulk_create(memberships, batch_size=5000)
    return {
        "memberships": len(memberships),
        "accepted": sum(len(accepted) for accepted in accepted_by_garden.values()),
        "invited": invited,
    }


def _stewards_appoint(by_slug: dict[str, Garden]) -> None:
    """Every garden's charter and stewards (`_CHARTERS`, `_STEWARDS`)."""
    internal = {
        user.first_name: user
        for user in User.objects.filter(membership__isnull=True, is_active=True).order_by("pk")
    }
    for slug, garden in by_slug.items():
        stewards = [internal[name] for name in _STEWARDS.get(slug, []) if name in internal]
        services.garden_update(garden=garden, charter=_CHARTERS.get(slug, ""), stewards=stewards)


def _invite_only_accepted(
    rng: random.Random,
    gardens: list[Garden],
    others: list[int],
    *,
    programme_admin: User | None,
    now: dt.datetime,
) -> dict[int, set[int]]:
    """A few accounts (never the demo account) accepted each invite-only garden's invitation
    months ago; returns garden → the accounts that accepted."""
    accepted_by_garden: dict[int, set[int]] = {}
    rows = []
    for garden in gardens:
        if garden.visibility != GardenVisibility.INVITE_ONLY:
            continue
        chosen = sorted(rng.sample(others, min(len(others), max(3, len(others) // 8))))
        accepted_by_garden[garden.pk] = set(chosen)
        rows += [
            GardenAccount(
                garden=garden,
                account_id=account_id,
                status=GardenAccountStatus.ACCEPTED,
                invited_by=programme_admin,
                responded_at=now - dt.timedelta(days=rng.randint(20, 150)),
            )
            for account_id in chosen
        ]
    GardenAccount.objects.bulk_create(rows)
    return accepted_by_garden


def _demo_admin_invite(
    garden: Garden, demo: Account, programme_admin: User, *, now: dt.datetime
) -> None:
    """The demo account's invitation to `garden`, two days old and still to answer."""
    with notification_emails_suppressed():  # in the demo admin's inbox, not their email
        invitation = services.garden_invite(garden=garden, account=demo, invited_by=programme_admin)
    # Demo history is dated in the past: the invitation came two days ago.
    two_days_ago = now - dt.timedelta(days=2)
    GardenAccount.objects.filter(pk=invitation.pk).update(created_at=two_days_ago)
    Notification.objects.filter(
        kind=NotifyKind.GARDEN_INVITATION, user__membership__account=demo
    ).update(created_at=two_days_ago)


def _memberships(
    rng: random.Random,
    gardens: list[Garden],
    members_by_account: dict[int, list[int]],
    accepted_by_garden: dict[int, set[int]],
    *,
    demo: Account | None,
    now: dt.datetime,
) -> list[GardenMembership]:
    """Customers who joined gardens over the last months (of invite-only ones, only people of
    accounts that accepted); the demo member joined every open garden but one."""
    demo_member = _first_member(demo, MemberRole.MEMBER) if demo else None
    memberships = []
    for account_id in sorted(members_by_account):
        members = members_by_account[account_id]
        for garden in gardens:
            if garden.visibility == GardenVisibility.INVITE_ONLY:
                if account_id not in accepted_by_garden.get(garden.pk, set()):
                    continue
                share = 0.5
            else:
                share = 0.35
            for user_id in members:
                if demo_member and user_id == demo_member.pk:
                    continue  # the demo member's gardens are set below
                if rng.random() < share:
                    memberships.append(
                        GardenMembership(
                            garden=garden,
                            user_id=user_id,
                            account_id=account_id,
                            joined_at=now - dt.timedelta(days=rng.randint(1, 200)),
                        )
                    )
    if demo_member is not None:
        for garden in gardens:
            if garden.visibility == GardenVisibility.OPEN and garden.slug != DEMO_UNJOINED_GARDEN:
                memberships.append(
                    GardenMembership(
                        garden=garden,
                        user=demo_member,
                        account_id=demo.pk,
                        joined_at=now - dt.timedelta(days=60),
                    )
                )
    return memberships
