"""Who sees which garden, who is a member, steward or may post (community/access/gardens.py), and
the garden services (community/services/gardens.py): create, update, invite, answer, join, leave."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.people import person_name
from community.access.gardens import (
    access_garden,
    access_garden_invitation,
    garden_can_post,
    garden_is_member,
    garden_is_steward,
    visible_gardens,
)
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
    Notification,
)
from community.selectors.gardens import garden_member_ids, garden_members
from community.services import gardens as garden_services
from tests.accounts.factories import customer
from tests.community.factories import GardenFactory


@pytest.fixture
def open_garden(db):
    return GardenFactory(name="Onboarding journeys", slug="onboarding")


@pytest.fixture
def secret(db):
    return GardenFactory(
        name="Pricing experiments", slug="pricing", visibility=GardenVisibility.INVITE_ONLY
    )


def _slugs(user) -> list[str]:
    return sorted(visible_gardens(user).values_list("slug", flat=True))


def test_an_uninvited_account_sees_only_open_gardens(member_a, admin_a, open_garden, secret):
    assert _slugs(member_a) == ["onboarding"]
    assert _slugs(admin_a) == ["onboarding"]
    with pytest.raises(Http404):
        access_garden(admin_a, "pricing")


def test_an_invited_account_shows_the_garden_to_its_admins_only_until_it_accepts(
    member_a, admin_a, member_b, programme_admin, secret
):
    invitation = garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )

    assert _slugs(admin_a) == ["pricing"]  # to answer the invitation
    assert _slugs(member_a) == []  # members wait for the account's answer
    assert _slugs(member_b) == []

    garden_services.garden_invitation_accept(invitation=invitation, by=admin_a)

    assert _slugs(member_a) == ["pricing"]
    assert _slugs(member_b) == []


def test_a_declined_invitation_hides_the_garden_again(admin_a, member_a, programme_admin, secret):
    invitation = garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )

    garden_services.garden_invitation_decline(invitation=invitation, by=admin_a)

    assert _slugs(admin_a) == [] and _slugs(member_a) == []
    invitation.refresh_from_db()
    assert (invitation.status, invitation.responded_by) == (GardenAccountStatus.DECLINED, admin_a)


def test_internal_users_see_every_garden_and_anonymous_none(
    product_manager, account_manager_a, open_garden, secret
):
    from django.contrib.auth.models import AnonymousUser

    assert _slugs(product_manager) == ["onboarding", "pricing"]
    assert _slugs(account_manager_a) == ["onboarding", "pricing"]
    assert list(visible_gardens(AnonymousUser())) == []


def test_only_programme_admins_may_change_a_garden(programme_admin, product_manager, open_garden):
    assert access_garden(programme_admin, "onboarding", for_write=True) == open_garden
    with pytest.raises(PermissionDenied):
        access_garden(product_manager, "onboarding", for_write=True)


def test_stewards_are_the_gardens_own_plus_programme_admins(
    programme_admin, product_manager, account_manager_a, member_a, open_garden
):
    open_garden.stewards.add(product_manager)

    assert garden_is_steward(product_manager, open_garden)
    assert garden_is_steward(programme_admin, open_garden)
    assert not garden_is_steward(account_manager_a, open_garden)
    assert not garden_is_steward(member_a, open_garden)


def test_customers_post_only_as_members_and_internal_users_always(
    member_a, member_b, account_manager_a, open_garden
):
    garden_services.garden_join(garden=open_garden, user=member_a)

    assert garden_is_member(member_a, open_garden) and garden_can_post(member_a, open_garden)
    assert not garden_is_member(member_b, open_garden)
    assert not garden_can_post(member_b, open_garden)
    assert not garden_is_member(account_manager_a, open_garden)
    assert garden_can_post(account_manager_a, open_garden)


def test_a_deactivated_member_may_not_post(member_a, open_garden):
    garden_services.garden_join(garden=open_garden, user=member_a)
    member_a.is_active = False
    member_a.save()

    assert not garden_can_post(member_a, open_garden)
    assert list(garden_members(garden=open_garden)) == []


def test_garden_members_lists_the_members_only(member_a, member_b, admin_a, open_garden):
    garden_services.garden_join(garden=open_garden, user=member_a)
    garden_services.garden_join(garden=open_garden, user=member_b)

    assert set(garden_members(garden=open_garden)) == {member_a, member_b}
    assert set(garden_member_ids(garden=open_garden).values_list("user_id", flat=True)) == {
        member_a.pk,
        member_b.pk,
    }


# --- Services ----------------------------------------------------------------------------------


def test_a_programme_admin_creates_a_garden_with_stewards(programme_admin, product_manager):
    garden = garden_services.garden_create(
        created_by=programme_admin,
        name="Data supply circle",
        theme=GardenTheme.CUSTOM,
        custom_theme="Sensor data",
        charter="Ideas are proposed by anyone; PMs decide monthly.",
        visibility=GardenVisibility.INVITE_ONLY,
        shows_other_members=True,
        stewards=[product_manager],
    )

    garden.refresh_from_db()
    assert garden.slug == "data-supply-circle"
    assert garden.theme_label == "Sensor data"
    assert list(garden.stewards.all()) == [product_manager]
    assert garden.created_by == programme_admin


def test_garden_slugs_stay_unique(programme_admin, open_garden):
    garden = garden_services.garden_create(
        created_by=programme_admin, name="Onboarding", theme=GardenTheme.ADAPTATION
    )

    assert garden.slug == "onboarding-2"


def test_a_custom_theme_needs_a_name_and_stewards_must_be_internal(programme_admin, member_a):
    with pytest.raises(ValidationError) as custom:
        garden_services.garden_create(
            created_by=programme_admin, name="X", theme=GardenTheme.CUSTOM
        )
    with pytest.raises(ValidationError) as steward:
        garden_services.garden_create(
            created_by=programme_admin,
            name="Y",
            theme=GardenTheme.ROBUSTNESS,
            stewards=[member_a],
        )

    assert "custom_theme" in custom.value.message_dict
    assert "stewards" in steward.value.message_dict
    assert Garden.objects.count() == 0


def test_closing_an_open_garden_keeps_its_members_accounts_in(
    member_a, member_b, open_garden, programme_admin
):
    garden_services.garden_join(garden=open_garden, user=member_a)

    garden_services.garden_update(garden=open_garden, visibility=GardenVisibility.INVITE_ONLY)

    assert _slugs(member_a) == ["onboarding"]
    assert _slugs(member_b) == []
    assert GardenAccount.objects.get().status == GardenAccountStatus.ACCEPTED


def test_inviting_notifies_the_accounts_admins(admin_a, member_a, programme_admin, secret):
    garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )

    notification = Notification.objects.get()
    assert notification.user == admin_a
    assert notification.kind == "garden_invitation"
    assert notification.url == "/gardens/pricing/invitation/"
    assert "Pricing experiments" in notification.title


def test_inviting_twice_or_to_an_open_garden_is_refused(
    admin_a, programme_admin, secret, open_garden
):
    account = admin_a.membership.account
    garden_services.garden_invite(garden=secret, account=account, invited_by=programme_admin)

    with pytest.raises(ValidationError):
        garden_services.garden_invite(garden=secret, account=account, invited_by=programme_admin)
    with pytest.raises(ValidationError):
        garden_services.garden_invite(
            garden=open_garden, account=account, invited_by=programme_admin
        )
    assert GardenAccount.objects.count() == 1


def test_an_account_that_declined_may_be_invited_again(admin_a, programme_admin, secret):
    account = admin_a.membership.account
    first = garden_services.garden_invite(
        garden=secret, account=account, invited_by=programme_admin
    )
    garden_services.garden_invitation_decline(invitation=first, by=admin_a)

    again = garden_services.garden_invite(
        garden=secret, account=account, invited_by=programme_admin
    )

    assert again.pk == first.pk
    assert again.status == GardenAccountStatus.INVITED
    assert Notification.objects.filter(user=admin_a).count() == 2


def test_only_the_invited_accounts_admin_answers(
    admin_a, member_a, admin_b, programme_admin, secret
):
    invitation = garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )

    for person in (member_a, admin_b, programme_admin):
        with pytest.raises(ValidationError):
            garden_services.garden_invitation_accept(invitation=invitation, by=person)
    invitation.refresh_from_db()
    assert invitation.status == GardenAccountStatus.INVITED
    with pytest.raises(Http404):
        access_garden_invitation(admin_b, invitation.pk, for_answer=True)
    with pytest.raises(Http404):
        access_garden_invitation(member_a, invitation.pk)
    with pytest.raises(PermissionDenied):
        access_garden_invitation(programme_admin, invitation.pk, for_answer=True)


def test_an_invitation_is_answered_once(admin_a, programme_admin, secret):
    invitation = garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )
    garden_services.garden_invitation_accept(invitation=invitation, by=admin_a)

    with pytest.raises(ValidationError):
        garden_services.garden_invitation_decline(invitation=invitation, by=admin_a)
    invitation.refresh_from_db()
    assert invitation.status == GardenAccountStatus.ACCEPTED


def test_joining_an_invite_only_garden_needs_the_accounts_acceptance(
    member_a, admin_a, programme_admin, secret
):
    with pytest.raises(ValidationError):
        garden_services.garden_join(garden=secret, user=member_a)
    invitation = garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )
    with pytest.raises(ValidationError):
        garden_services.garden_join(garden=secret, user=member_a)

    garden_services.garden_invitation_accept(invitation=invitation, by=admin_a)
    membership = garden_services.garden_join(garden=secret, user=member_a)

    assert membership.account == admin_a.membership.account
    assert GardenMembership.objects.filter(garden=secret).count() == 1


def test_joining_twice_keeps_one_membership_and_leaving_removes_it(member_a, open_garden):
    first = garden_services.garden_join(garden=open_garden, user=member_a)
    second = garden_services.garden_join(garden=open_garden, user=member_a)

    assert first.pk == second.pk
    assert garden_services.garden_leave(garden=open_garden, user=member_a) is True
    assert garden_services.garden_leave(garden=open_garden, user=member_a) is False
    assert not GardenMembership.objects.exists()


def test_internal_users_do_not_join(product_manager, open_garden):
    with pytest.raises(ValidationError):
        garden_services.garden_join(garden=open_garden, user=product_manager)


def test_removing_an_account_removes_its_members(member_a, admin_a, programme_admin, secret):
    account = admin_a.membership.account
    invitation = garden_services.garden_invite(
        garden=secret, account=account, invited_by=programme_admin
    )
    garden_services.garden_invitation_accept(invitation=invitation, by=admin_a)
    garden_services.garden_join(garden=secret, user=member_a)

    assert garden_services.garden_account_remove(garden=secret, account=account) == 1
    assert _slugs(member_a) == []
    assert not GardenAccount.objects.exists()


# --- Names in a garden -------------------------------------------------------------------------


def test_person_name_follows_the_gardens_setting(member_a, member_b, product_manager, open_garden):
    colleague = customer(member_a.membership.account, first_name="Ann", last_name="Other")

    def label(viewer, person):
        return person_name(viewer=viewer, person=person, garden=open_garden)

    assert label(member_a, colleague) == "Ann Other"
    assert (
        person_name(viewer=member_a, person=member_b, garden=open_garden)
        == "A member of another account"
    )
    assert (
        person_name(viewer=product_manager, person=member_b, garden=open_garden)
        == member_b.full_name
    )
    assert (
        person_name(viewer=member_b, person=product_manager, garden=open_garden)
        == product_manager.full_name
    )
    open_garden.shows_other_members = True
    assert (
        person_name(viewer=member_a, person=member_b, garden=open_garden)
        == "Bob (Globex Logistics)"
    )
    assert label(member_a, None) == "A former member"
