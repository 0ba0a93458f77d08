"""The seeded demo's gardens: charters and stewards, an invite-only garden with accepted
accounts and the demo admin's pending invitation, and an open garden the demo member has not
joined yet (the acceptance walk joins it)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import Account, MemberRole, Membership
from community.access.gardens import visible_gardens
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenVisibility,
    Notification,
)
from demo.data.gardens import DEMO_INVITED_GARDEN, DEMO_UNJOINED_GARDEN


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO(), accounts=12, members=5.0, days=30, ideas=0)
    account = Account.objects.order_by("pk").first()
    admin = Membership.objects.filter(account=account, role=MemberRole.ADMIN).order_by("pk")[0]
    member = Membership.objects.filter(account=account, role=MemberRole.MEMBER).order_by("pk")[0]
    return admin.user, member.user


def test_every_demo_garden_has_a_charter_and_a_steward(seeded):
    for garden in Garden.objects.prefetch_related("stewards"):
        assert garden.charter, garden.slug
        assert garden.stewards.exists(), garden.slug


def test_the_demo_admin_has_an_invitation_to_answer(seeded):
    admin, member = seeded

    invitation = GardenAccount.objects.get(
        garden__slug=DEMO_INVITED_GARDEN, account=admin.membership.account
    )

    assert invitation.status == GardenAccountStatus.INVITED
    assert Notification.objects.filter(user=admin, kind="garden_invitation").count() == 1
    assert visible_gardens(admin).filter(slug=DEMO_INVITED_GARDEN).exists()
    assert not visible_gardens(member).filter(slug=DEMO_INVITED_GARDEN).exists()
    accepted = GardenAccount.objects.filter(
        garden__slug=DEMO_INVITED_GARDEN, status=GardenAccountStatus.ACCEPTED
    )
    assert accepted.count() >= 3
    assert GardenMembership.objects.filter(garden__slug=DEMO_INVITED_GARDEN).exists()


def test_the_demo_member_has_an_open_garden_left_to_join(seeded):
    _, member = seeded
    garden = Garden.objects.get(slug=DEMO_UNJOINED_GARDEN)

    assert garden.visibility == GardenVisibility.OPEN
    assert not GardenMembership.objects.filter(garden=garden, user=member).exists()
    assert GardenMembership.objects.filter(user=member).exists()  # but is in others
    assert GardenMembership.objects.filter(garden=garden).count() >= 5


def test_members_of_invite_only_gardens_come_from_accepted_accounts_only(seeded):
    for membership in GardenMembership.objects.filter(
        garden__visibility=GardenVisibility.INVITE_ONLY
    ):
        assert GardenAccount.objects.filter(
            garden_id=membership.garden_id,
            account_id=membership.account_id,
            status=GardenAccountStatus.ACCEPTED,
        ).exists()
