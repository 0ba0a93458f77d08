"""/api/v1/memberships/: the people of an account, their roles, and removing them.

Anonymous callers get 401 with `WWW-Authenticate: Token`: token authentication comes first,
and DRF answers 401 when the first authentication class names a challenge.
"""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import MemberRole, Membership, User
from tests.accounts.factories import MembershipFactory, customer
from tests.api_helpers import api_error, api_login

MEMBERSHIPS = "/api/v1/memberships/"


def _url(user: User, action: str = "") -> str:
    return f"{MEMBERSHIPS}{user.membership.pk}/{action}"


def _emails(response) -> list[str]:
    return [row["user"]["email"] for row in response.json()["results"]]


def _role(user: User) -> str:
    return Membership.objects.get(user=user).role


# --- Who sees whom ----------------------------------------------------------------------------


def test_a_member_lists_the_people_of_their_own_account_only(api, member_a, admin_a, member_b):
    api_login(api, member_a)

    response = api.get(MEMBERSHIPS)

    assert response.status_code == 200
    assert _emails(response) == ["alice@acme.example", "anna@acme.example"]
    assert {row["account"] for row in response.json()["results"]} == {"acme"}


def test_asking_for_another_accounts_members_is_404_as_the_account_is(api, member_a, member_b):
    api_login(api, member_a)

    response = api.get(MEMBERSHIPS, {"account": "globex"})

    assert response.status_code == 404
    assert b"bob@globex" not in response.content


def test_an_account_manager_lists_the_members_of_assigned_accounts_only(
    api, account_manager_a, member_a, member_b
):
    api_login(api, account_manager_a)

    assert _emails(api.get(MEMBERSHIPS)) == ["alice@acme.example"]
    assert api.get(_url(member_b)).status_code == 404


def test_a_programme_admin_filters_members_by_account(api, programme_admin, member_a, member_b):
    api_login(api, programme_admin)

    assert _emails(api.get(MEMBERSHIPS)) == ["alice@acme.example", "bob@globex.example"]
    assert _emails(api.get(MEMBERSHIPS, {"account": "globex"})) == ["bob@globex.example"]


def test_members_filter_by_role_and_search_by_name(api, admin_a, member_a):
    api_login(api, admin_a)

    assert _emails(api.get(MEMBERSHIPS, {"role": "admin"})) == ["anna@acme.example"]
    assert _emails(api.get(MEMBERSHIPS, {"search": "ALICE@acme"})) == ["alice@acme.example"]


def test_a_member_reads_a_colleagues_membership(api, member_a, admin_a):
    api_login(api, member_a)

    response = api.get(_url(admin_a))

    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert response.json()["user"]["first_name"] == "Anna"
    assert "password" not in response.json()["user"]


def test_a_member_may_also_ask_for_just_the_headers(api, member_a, admin_a):
    # HEAD is a read: it used to be treated as a write and answered 403.
    api_login(api, member_a)

    assert api.head(_url(admin_a)).status_code == 200


@pytest.mark.parametrize("persona", ["member_b", "admin_b"])
def test_an_outsider_gets_404_for_a_membership_of_another_account(api, request, persona, admin_a):
    api_login(api, request.getfixturevalue(persona))

    response = api.get(_url(admin_a))

    assert response.status_code == 404
    assert api_error(response)["detail"] == "No such member."


def test_a_membership_id_that_is_not_a_number_is_simply_not_found(api, programme_admin):
    api_login(api, programme_admin)

    assert api.get(f"{MEMBERSHIPS}abc/").status_code == 404


@pytest.mark.parametrize(("method", "action"), [("get", ""), ("delete", ""), ("post", "role/")])
def test_anonymous_callers_are_refused_and_nothing_changes(api, member_a, method, action):
    response = getattr(api, method)(_url(member_a, action), {"role": "admin"})

    assert response.status_code == 401
    assert api_error(response)["code"] == "not_authenticated"
    assert _role(member_a) == MemberRole.MEMBER


def test_anonymous_callers_cannot_list_members(api, member_a):
    response = api.get(MEMBERSHIPS)

    assert response.status_code == 401


# --- Changing roles ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_a", "account_manager_a", "programme_admin"])
def test_the_accounts_admins_and_managers_promote_a_member(api, request, persona, member_a):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(_url(member_a, "role/"), {"role": "admin"})

    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert _role(member_a) == MemberRole.ADMIN


def test_an_admin_steps_down_once_there_is_another_admin(api, admin_a, account_a):
    customer(account_a, role=MemberRole.ADMIN)
    api_login(api, admin_a)

    response = api.post(_url(admin_a, "role/"), {"role": "member"})

    assert response.status_code == 200
    assert _role(admin_a) == MemberRole.MEMBER


def test_demoting_the_last_admin_is_refused_with_a_clear_message(api, admin_a, member_a):
    api_login(api, admin_a)

    response = api.post(_url(admin_a, "role/"), {"role": "member"})

    assert response.status_code == 400
    assert api_error(response) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "An account needs at least one admin: name another first.",
        "attr": "role",
    }
    assert _role(admin_a) == MemberRole.ADMIN


def test_an_unknown_role_is_a_field_error(api, admin_a, member_a):
    api_login(api, admin_a)

    response = api.post(_url(member_a, "role/"), {"role": "owner"})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "role"
    assert api_error(response)["code"] == "invalid_choice"
    assert _role(member_a) == MemberRole.MEMBER


def test_changing_a_role_cannot_move_the_member_to_another_account(
    api, admin_a, member_a, member_b
):
    api_login(api, admin_a)

    response = api.post(
        _url(member_a, "role/"),
        {"role": "admin", "account": "globex", "user": member_b.pk, "is_staff": True},
    )

    assert response.status_code == 200
    membership = Membership.objects.select_related("account", "user").get(pk=member_a.membership.pk)
    assert (membership.account.slug, membership.user_id, membership.role) == (
        "acme",
        member_a.pk,
        MemberRole.ADMIN,
    )
    assert membership.user.is_staff is False
    assert _role(member_b) == MemberRole.MEMBER


@pytest.mark.parametrize("persona", ["member_a", "product_manager"])
def test_people_who_see_a_member_but_may_not_manage_them_get_403(api, request, persona, member_a):
    caller = request.getfixturevalue(persona)
    api_login(api, caller)

    response = api.post(_url(member_a, "role/"), {"role": "admin"})

    assert response.status_code == 403
    assert api_error(response)["detail"] == (
        "Only the account's admins and its account team may do this."
    )
    assert _role(member_a) == MemberRole.MEMBER


@pytest.mark.parametrize("persona", ["member_b", "admin_b"])
def test_an_outsider_cannot_change_a_role_in_another_account(api, request, persona, member_a):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(_url(member_a, "role/"), {"role": "admin"})

    assert response.status_code == 404
    assert _role(member_a) == MemberRole.MEMBER


# --- Removing members -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_a", "account_manager_a", "programme_admin"])
def test_removing_a_member_deletes_the_membership_and_ends_their_login(
    api, request, persona, member_a
):
    api_login(api, request.getfixturevalue(persona))

    response = api.delete(_url(member_a))

    assert response.status_code == 204
    assert not Membership.objects.filter(user=member_a).exists()
    member_a.refresh_from_db()
    assert member_a.is_active is False


def test_a_removed_members_api_token_stops_working(api, admin_a, member_a):
    _, token = services.api_token_create(user=member_a, name="Script")
    api_login(api, admin_a)
    api.delete(_url(member_a))
    api.force_authenticate(None)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api.get(MEMBERSHIPS)

    assert response.status_code == 401
    assert api_error(response) == {
        "type": "client_error",
        "code": "authentication_failed",
        "detail": "User inactive or deleted.",
        "attr": None,
    }


def test_the_last_admin_cannot_be_removed(api, admin_a, programme_admin):
    api_login(api, programme_admin)

    response = api.delete(_url(admin_a))

    assert response.status_code == 400
    assert (
        api_error(response)["detail"] == "An account needs at least one admin: name another first."
    )
    admin_a.refresh_from_db()
    assert admin_a.is_active is True
    assert _role(admin_a) == MemberRole.ADMIN


@pytest.mark.parametrize("persona", ["member_a", "product_manager"])
def test_people_who_see_a_member_but_may_not_manage_them_cannot_remove_them(
    api, request, persona, admin_a
):
    colleague = customer(admin_a.membership.account, email="ali@acme.example")
    api_login(api, request.getfixturevalue(persona))

    response = api.delete(_url(colleague))

    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active is True
    assert Membership.objects.filter(user=colleague).exists()


@pytest.mark.parametrize("persona", ["member_b", "admin_b"])
def test_an_outsider_cannot_remove_a_member_of_another_account(api, request, persona, member_a):
    api_login(api, request.getfixturevalue(persona))

    response = api.delete(_url(member_a))

    assert response.status_code == 404
    member_a.refresh_from_db()
    assert member_a.is_active is True
    assert Membership.objects.filter(user=member_a).exists()


def test_memberships_cannot_be_created_or_edited_directly(
    api, programme_admin, member_a, account_b
):
    api_login(api, programme_admin)

    created = api.post(MEMBERSHIPS, {"user": member_a.pk, "account": "globex", "role": "admin"})
    patched = api.patch(_url(member_a), {"account": "globex", "role": "admin"})

    assert (created.status_code, patched.status_code) == (405, 405)
    membership = Membership.objects.select_related("account").get(user=member_a)
    assert (membership.account.slug, membership.role) == ("acme", MemberRole.MEMBER)
    assert Membership.objects.count() == 1


# --- Query count ------------------------------------------------------------------------------


def test_listing_members_costs_three_queries_however_many_there_are(
    api, admin_a, django_assert_num_queries
):
    account = admin_a.membership.account
    for total in (3, 13):
        MembershipFactory.create_batch(total - account.memberships.count(), account=account)
        MembershipFactory()  # someone in another account, never listed
        api_login(api, admin_a)

        # 1. the caller's permissions, own and groups'  has_perm("accounts.view_all_accounts")
        # 2. the caller's membership, with its account
        # 3. the page of memberships JOINed with their users and accounts (not full: it tells
        #    the count, no COUNT query)
        with django_assert_num_queries(3):
            response = api.get(MEMBERSHIPS)

        assert response.json()["count"] == total
        assert all(row["user"]["email"] for row in response.json()["results"])
