"""The Django admin is for programme admins, and keeps the rules the services keep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import MemberRole, Membership, User
from community.models import ActivityEvent, ActivityKind, EngagementRepair
from community.services.engagement import engagement_history_compute, engagement_repair
from tests.accounts.factories import customer
from tests.community.reference_engagement import differences


def _user_change(member, **fields) -> dict:
    """The admin's change form of a member, as posted."""
    return {
        "email": member.email,
        "is_active": "on",
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "1",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "0",
        "membership-0-id": member.membership.pk,
        "membership-0-user": member.pk,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        **fields,
    }


def test_a_programme_admin_cannot_make_anyone_a_superuser(client_for, programme_admin, member_a):
    client = client_for(programme_admin)
    form = client.get(f"/admin/accounts/user/{member_a.pk}/change/").content.decode()

    assert 'name="is_superuser"' not in form  # shown read-only
    response = client.post(
        f"/admin/accounts/user/{member_a.pk}/change/", _user_change(member_a, is_superuser="on")
    )
    assert response.status_code == 302  # saved: the form was valid, the flag was ignored
    assert User.objects.get(pk=member_a.pk).is_superuser is False


@pytest.mark.parametrize(
    "email", ["annı@acme.example", "anna@ａｃｍｅ.example", "ſam@acme.example"]
)
def test_an_address_with_look_alike_letters_is_refused_in_the_admin(
    client_for, programme_admin, member_a, email
):
    client = client_for(programme_admin)

    changed = client.post(
        f"/admin/accounts/user/{member_a.pk}/change/", _user_change(member_a, email=email)
    )
    added = client.post(
        "/admin/accounts/user/add/",
        {"email": email, "password1": "quiet orchard 7", "password2": "quiet orchard 7"},
    )

    for response in (changed, added):
        assert response.status_code == 200  # the form again, with its error
        assert "Type this address in plain letters" in response.content.decode()
    assert User.objects.get(pk=member_a.pk).email == "alice@acme.example"
    assert not User.objects.exclude(pk__in=[member_a.pk, programme_admin.pk]).exists()


def test_demoting_the_last_account_admin_in_the_admin_is_a_form_error(
    client_for, programme_admin, admin_a
):
    membership = admin_a.membership
    response = client_for(programme_admin).post(
        f"/admin/accounts/membership/{membership.pk}/change/", {"role": MemberRole.MEMBER}
    )

    assert response.status_code == 200  # the form again, with its error
    assert "An account needs at least one admin" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == MemberRole.ADMIN


def test_a_role_change_in_the_admin_goes_through_when_another_admin_remains(
    client_for, programme_admin, admin_a, member_a
):
    Membership.objects.filter(user=member_a).update(role=MemberRole.ADMIN)
    response = client_for(programme_admin).post(
        f"/admin/accounts/membership/{admin_a.membership.pk}/change/", {"role": MemberRole.MEMBER}
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=admin_a).role == MemberRole.MEMBER


def test_memberships_cannot_be_deleted_in_the_admin(client_for, programme_admin, member_a):
    url = f"/admin/accounts/membership/{member_a.membership.pk}/delete/"
    response = client_for(programme_admin).post(url, {"post": "yes"})

    assert response.status_code == 403
    assert Membership.objects.filter(user=member_a).exists()


# --- Deactivating and deleting people: their account's engagement history follows -----------


@pytest.fixture
def history(account_a, member_a):
    """Ten days of account A's engagement, with twelve members (0.3 × 12 = 3.6 people make a
    full breadth, so one person more or less changes every day's breadth) of whom two were
    active; no repair waiting."""
    colleagues = [customer(account_a) for _ in range(11)]
    for person, days_ago in ((member_a, 5), (colleagues[0], 3)):
        ActivityEvent.objects.create(
            account=account_a,
            user=person,
            kind=ActivityKind.VISIT,
            occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        )
    engagement_history_compute(days=10)
    EngagementRepair.objects.all().delete()
    return colleagues


def _repaired_from(account) -> dt.date:
    """The day the account's repair starts from; then the repair, and the history checked
    against the plain reference computation (members count while their login is active)."""
    since = EngagementRepair.objects.get(account=account).since
    engagement_repair(account_ids=[account.pk])
    assert differences([account.pk]) == []
    return since


def test_deactivating_a_member_in_the_admin_repairs_their_accounts_history(
    client_for, programme_admin, account_a, history
):
    leaving = history[5]
    client = client_for(programme_admin)
    first_day = timezone.localdate() - dt.timedelta(days=9)

    off = client.post(
        f"/admin/accounts/user/{leaving.pk}/change/", _user_change(leaving, is_active="")
    )

    assert off.status_code == 302
    assert User.objects.get(pk=leaving.pk).is_active is False
    assert _repaired_from(account_a) == first_day  # the first snapshot, not before

    back = client.post(f"/admin/accounts/user/{leaving.pk}/change/", _user_change(leaving))

    assert back.status_code == 302
    assert User.objects.get(pk=leaving.pk).is_active is True
    assert _repaired_from(account_a) == first_day


def test_saving_a_member_in_the_admin_without_changing_active_marks_nothing(
    client_for, programme_admin, account_a, history
):
    person = history[5]
    response = client_for(programme_admin).post(
        f"/admin/accounts/user/{person.pk}/change/", _user_change(person, first_name="Ana")
    )

    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).first_name == "Ana"
    assert not EngagementRepair.objects.exists()


def test_a_member_cannot_be_deleted_in_the_admin_only_deactivated(
    client_for, programme_admin, account_a, history
):
    # Their membership may not be deleted here (removals go through the account page), so
    # neither may the login: nothing leaves the history behind the repair's back.
    leaving = history[5]

    response = client_for(programme_admin).post(
        f"/admin/accounts/user/{leaving.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert User.objects.filter(pk=leaving.pk, is_active=True).exists()
    assert not EngagementRepair.objects.exists()


def test_customers_and_account_managers_do_not_get_into_the_admin(
    client_for, member_a, account_manager_a, product_manager
):
    for person in (member_a, account_manager_a, product_manager):
        response = client_for(person).get("/admin/accounts/account/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
