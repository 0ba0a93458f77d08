"""Demo data of gardens: charters, stewards, invitations and memberships for the gardens that
demo/data/activity.py creates (called by seed_demo right after them).

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
from community import gardens as services
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenVisibility,
    Notification,
)
from community.services import notification_emails_suppressed

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
    internal = {
        user.first_name: user
        for user in User.objects.filter(membership__isnull=True, is_active=True).order_by("pk")
    }
    programme_admin = (
        User.objects.filter(groups__name=InternalRole.PROGRAMME_ADMIN.value).order_by("pk").first()
    )
    for slug, garden in by_slug.items():
        stewards = [internal[name] for name in _STEWARDS.get(slug, []) if name in internal]
        services.garden_update(garden=garden, charter=_CHARTERS.get(slug, ""), stewards=stewards)

    demo = _demo_account()
    account_ids = sorted(members_by_account)
    others = [pk for pk in account_ids if demo is None or pk != demo.pk]
    invite_only = [g for g in gardens if g.visibility == GardenVisibility.INVITE_ONLY]
    accepted_by_garden: dict[int, set[int]] = {}
    rows = []
    for garden in invite_only:
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
    invited = 0
    if demo is not None and DEMO_INVITED_GARDEN in by_slug and programme_admin is not None:
        with notification_emails_suppressed():  # in the demo admin's inbox, not their email
            invitation = services.garden_invite(
                garden=by_slug[DEMO_INVITED_GARDEN], account=demo, invited_by=programme_admin
            )
        # Demo history is dated in the past: the invitation came two days ago.
        two_days_ago = now - dt.timedelta(days=2)
        GardenAccount.objects.filter(pk=invitation.pk).update(created_at=two_days_ago)
        Notification.objects.filter(
            kind=services.INVITATION_KIND, user__membership__account=demo
        ).update(created_at=two_days_ago)
        invited = 1

    demo_member = _first_member(demo, MemberRole.MEMBER) if demo else None
    memberships = []
    for account_id in account_ids:
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
    GardenMembership.objects.bulk_create(memberships, batch_size=5000)
    return {
        "memberships": len(memberships),
        "accepted": len(rows),
        "invited": invited,
    }
