"""The Django admin is for programme admins, and keeps the rules the services keep."""

from __future__ import annotations

from accounts.models import MemberRole, Membership, User


def test_a_programme_admin_cannot_make_anyone_a_superuser(client_for, programme_admin, member_a):
    client = client_for(programme_admin)
    form = client.get(f"/admin/accounts/user/{member_a.pk}/change/").content.decode()

    assert 'name="is_superuser"' not in form  # shown read-only
    response = client.post(
        f"/admin/accounts/user/{member_a.pk}/change/",
        {
            "email": member_a.email,
            "is_active": "on",
            "is_superuser": "on",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "1",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "0",
            "membership-0-id": member_a.membership.pk,
            "membership-0-user": member_a.pk,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302  # saved: the form was valid, the flag was ignored
    assert User.objects.get(pk=member_a.pk).is_superuser is False


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


def test_customers_and_account_managers_do_not_get_into_the_admin(
    client_for, member_a, account_manager_a, product_manager
):
    for person in (member_a, account_manager_a, product_manager):
        response = client_for(person).get("/admin/accounts/account/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
