"""/api/v1/account-teams/: who inside the company looks after which account.

Customers see their own account's team (their contacts); account-team members see the teams of
their accounts; only programme admins assign and unassign.
Anonymous callers get 401 with `WWW-Authenticate: Token`: token authentication comes first,
and DRF answers 401 when the first authentication class names a challenge.
"""

from __future__ import annotations

import pytest

from accounts.models import AccountTeamAssignment, InternalRole, TeamRole, User
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, internal
from tests.api_helpers import api_error, api_login

TEAMS = "/api/v1/account-teams/"


def _url(assignment: AccountTeamAssignment) -> str:
    return f"{TEAMS}{assignment.pk}/"


def _rows(response) -> list[tuple[str, str]]:
    return [(row["account"], row["user"]["email"]) for row in response.json()["results"]]


@pytest.fixture
def globex_manager(account_b):
    """An account manager assigned to Globex only."""
    manager = internal(InternalRole.ACCOUNT_MANAGER, email="gil@garden.example")
    return TeamAssignmentFactory(user=manager, account=account_b)


@pytest.fixture
def acme_assignment(account_manager_a):
    return AccountTeamAssignment.objects.get(user=account_manager_a)


# --- Who sees which teams ---------------------------------------------------------------------


def test_a_member_sees_their_own_accounts_team(api, member_a, acme_assignment, globex_manager):
    api_login(api, member_a)

    response = api.get(TEAMS)

    assert response.status_code == 200
    assert _rows(response) == [("acme", "carol@garden.example")]


def test_an_outsider_sees_none_of_another_accounts_team(
    api, member_b, acme_assignment, globex_manager
):
    api_login(api, member_b)

    assert _rows(api.get(TEAMS)) == [("globex", "gil@garden.example")]
    assert api.get(TEAMS, {"account": "acme"}).status_code == 404  # as the account itself
    response = api.get(_url(acme_assignment))
    assert response.status_code == 404
    assert api_error(response)["detail"] == "No such assignment."


def test_an_account_manager_sees_only_the_teams_of_assigned_accounts(
    api, account_manager_a, acme_assignment, globex_manager
):
    api_login(api, account_manager_a)

    assert _rows(api.get(TEAMS)) == [("acme", "carol@garden.example")]
    assert api.get(_url(acme_assignment)).status_code == 200
    assert api.get(_url(globex_manager)).status_code == 404


def test_a_product_manager_sees_every_team_and_filters_by_account(
    api, product_manager, acme_assignment, globex_manager
):
    api_login(api, product_manager)

    assert len(_rows(api.get(TEAMS))) == 2
    assert _rows(api.get(TEAMS, {"account": "globex"})) == [("globex", "gil@garden.example")]


@pytest.mark.parametrize("method", ["get", "delete"])
def test_anonymous_callers_are_refused_and_nothing_changes(api, acme_assignment, method):
    response = getattr(api, method)(_url(acme_assignment))

    assert response.status_code == 401
    assert api_error(response)["code"] == "not_authenticated"
    assert AccountTeamAssignment.objects.filter(pk=acme_assignment.pk).exists()


def test_anonymous_callers_cannot_list_or_assign(api, product_manager, account_a):
    listed = api.get(TEAMS)
    assigned = api.post(
        TEAMS, {"user": product_manager.pk, "account": "acme", "role": "account_manager"}
    )

    assert (listed.status_code, assigned.status_code) == (401, 401)
    assert not AccountTeamAssignment.objects.exists()


# --- Assigning --------------------------------------------------------------------------------


def test_a_programme_admin_assigns_an_internal_user_to_an_account(
    api, programme_admin, product_manager, account_b
):
    api_login(api, programme_admin)

    response = api.post(
        TEAMS,
        {
            "user": product_manager.pk,
            "account": "globex",
            "role": TeamRole.CUSTOMER_SUCCESS_MANAGER,
        },
    )

    assert response.status_code == 201
    assignment = AccountTeamAssignment.objects.get()
    assert (assignment.user, assignment.account, assignment.role) == (
        product_manager,
        account_b,
        TeamRole.CUSTOMER_SUCCESS_MANAGER,
    )
    assert response.json()["id"] == assignment.pk
    assert response.json()["account"] == "globex"


@pytest.mark.parametrize("persona", ["admin_a", "admin_b", "account_manager_a", "product_manager"])
def test_only_programme_admins_assign_account_teams(api, request, persona, product_manager):
    caller = request.getfixturevalue(persona)
    before = AccountTeamAssignment.objects.count()
    api_login(api, caller)

    response = api.post(
        TEAMS, {"user": product_manager.pk, "account": "acme", "role": "account_manager"}
    )

    assert response.status_code == 403
    assert api_error(response)["detail"] == "Only programme admins assign account teams."
    assert AccountTeamAssignment.objects.count() == before
    assert not AccountTeamAssignment.objects.filter(user=product_manager).exists()


def test_a_customer_cannot_be_put_on_an_account_team(api, programme_admin, member_b, account_a):
    api_login(api, programme_admin)

    response = api.post(TEAMS, {"user": member_b.pk, "account": "acme", "role": "account_manager"})

    assert response.status_code == 400
    assert api_error(response) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "Only internal users can be on an account team.",
        "attr": "user",
    }
    assert not AccountTeamAssignment.objects.exists()


def test_the_same_person_cannot_be_assigned_twice(api, programme_admin, acme_assignment):
    api_login(api, programme_admin)

    response = api.post(
        TEAMS,
        {"user": acme_assignment.user_id, "account": "acme", "role": "executive_sponsor"},
    )

    assert response.status_code == 400
    assert api_error(response)["attr"] == "user"
    assert AccountTeamAssignment.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "status", "attr"),
    [
        ({"account": "acme", "role": "wizard"}, 400, "role"),
        ({"account": "acme"}, 400, "role"),
        ({"account": "nowhere", "role": "account_manager"}, 404, None),
        ({"account": "acme", "role": "account_manager", "user": 987654}, 404, None),
        ({"account": "acme", "role": "account_manager", "user": "carol"}, 400, "user"),
    ],
)
def test_an_invalid_assignment_is_refused(
    api, programme_admin, product_manager, account_a, payload, status, attr
):
    api_login(api, programme_admin)

    response = api.post(TEAMS, {"user": product_manager.pk, **payload})

    assert response.status_code == status
    assert api_error(response)["attr"] == attr
    assert not AccountTeamAssignment.objects.exists()


# --- Unassigning ------------------------------------------------------------------------------


def test_a_programme_admin_removes_someone_from_an_account_team(
    api, programme_admin, acme_assignment
):
    api_login(api, programme_admin)

    response = api.delete(_url(acme_assignment))

    assert response.status_code == 204
    assert not AccountTeamAssignment.objects.filter(pk=acme_assignment.pk).exists()
    assert User.objects.filter(pk=acme_assignment.user_id, is_active=True).exists()


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a", "product_manager"])
def test_people_who_see_a_team_but_may_not_change_it_get_403(
    api, request, persona, acme_assignment
):
    api_login(api, request.getfixturevalue(persona))

    response = api.delete(_url(acme_assignment))

    assert response.status_code == 403
    assert AccountTeamAssignment.objects.filter(pk=acme_assignment.pk).exists()


@pytest.mark.parametrize("persona", ["member_b", "admin_b"])
def test_an_outsider_cannot_remove_another_accounts_team(api, request, persona, acme_assignment):
    api_login(api, request.getfixturevalue(persona))

    response = api.delete(_url(acme_assignment))

    assert response.status_code == 404
    assert AccountTeamAssignment.objects.filter(pk=acme_assignment.pk).exists()


def test_an_assignment_cannot_be_edited_in_place(api, programme_admin, acme_assignment, account_b):
    api_login(api, programme_admin)

    response = api.patch(_url(acme_assignment), {"account": "globex", "role": "executive_sponsor"})

    assert response.status_code == 405
    acme_assignment.refresh_from_db()
    assert (acme_assignment.account.slug, acme_assignment.role) == ("acme", "account_manager")


# --- Query count ------------------------------------------------------------------------------


def test_listing_teams_costs_two_queries_however_many_assignments_there_are(
    api, programme_admin, django_assert_num_queries
):
    for total in (3, 13):
        for _ in range(total - AccountTeamAssignment.objects.count()):
            TeamAssignmentFactory(account=AccountFactory())
        api_login(api, programme_admin)

        # 1. the caller's permissions, own and groups'  has_perm("accounts.view_all_accounts")
        # 2. the page of assignments JOINed with their users and accounts (not full: it tells
        #    the count, no COUNT query)
        with django_assert_num_queries(2):
            response = api.get(TEAMS)

        assert response.json()["count"] == total
