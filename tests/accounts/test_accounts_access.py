"""accounts.access: the one place that decides who sees and changes which accounts and people.

Each helper either returns the object, raises Http404 (the caller may not even know it exists)
or PermissionDenied (they see it, but may not change it). The API and page tests check the
same rules through URLs; these pin the rules themselves, persona by persona.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import access
from accounts.models import AccountTeamAssignment, User
from tests.accounts.factories import AccountFactory, InvitationFactory, TeamAssignmentFactory

EVERYONE = [
    "member_a",
    "admin_a",
    "member_b",
    "admin_b",
    "account_manager_a",
    "product_manager",
    "programme_admin",
]


def _fresh(user: User) -> User:
    """A copy of `user` without the permission and membership caches of earlier checks."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def invitations(account_a, account_b):
    return {
        "acme": InvitationFactory(account=account_a, email="new@acme.example"),
        "globex": InvitationFactory(account=account_b, email="new@globex.example"),
    }


# --- Accounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member_a", ["acme"]),
        ("admin_a", ["acme"]),
        ("member_b", ["globex"]),
        ("admin_b", ["globex"]),
        ("account_manager_a", ["acme"]),
        ("product_manager", ["acme", "globex"]),
        ("programme_admin", ["acme", "globex"]),
    ],
)
def test_each_persona_sees_exactly_their_accounts(request, persona, expected, account_a, account_b):
    user = _fresh(request.getfixturevalue(persona))

    slugs = list(access.visible_accounts(user).values_list("slug", flat=True))

    assert slugs == expected


def test_nobody_who_is_logged_out_or_deactivated_sees_an_account(
    member_a, programme_admin, account_manager_a
):
    for user in (member_a, programme_admin, account_manager_a):
        User.objects.filter(pk=user.pk).update(is_active=False)

    assert not access.visible_accounts(AnonymousUser()).exists()
    for user in (member_a, programme_admin, account_manager_a):
        assert not access.visible_accounts(_fresh(user)).exists()


def test_an_account_manager_with_several_accounts_sees_each_once(account_manager_a, account_b):
    AccountTeamAssignment.objects.create(
        user=account_manager_a, account=account_b, role="customer_success_manager"
    )
    TeamAssignmentFactory(account=account_b)  # a colleague on the same team

    slugs = list(access.visible_accounts(_fresh(account_manager_a)).values_list("slug", flat=True))

    assert slugs == ["acme", "globex"]


def test_an_account_is_hidden_from_outsiders_with_404(member_b, account_a):
    with pytest.raises(Http404):
        access.access_account(_fresh(member_b), "acme")
    with pytest.raises(Http404):
        access.access_account(_fresh(member_b), account_a.pk)


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a", "product_manager"])
def test_only_programme_admins_may_edit_an_account_record(request, persona, account_a):
    user = _fresh(request.getfixturevalue(persona))

    assert access.access_account(user, "acme") == account_a
    with pytest.raises(PermissionDenied):
        access.access_account(user, "acme", for_write=True)


def test_a_programme_admin_fetches_an_account_for_writing_by_slug_or_id(programme_admin, account_a):
    user = _fresh(programme_admin)

    assert access.access_account(user, "acme", for_write=True) == account_a
    assert access.access_account(user, account_a.pk, for_write=True) == account_a


def test_a_slug_of_digits_is_a_slug_and_an_int_is_an_id(programme_admin, account_a, account_b):
    numeric = AccountFactory(name="1&1", slug=str(account_a.pk))
    user = _fresh(programme_admin)

    assert access.access_account(user, str(account_a.pk)) == numeric
    assert access.access_account(user, account_a.pk) == account_a
    with pytest.raises(Http404):
        access.access_account(user, str(account_b.pk))  # no account has this slug


@pytest.mark.parametrize(
    ("persona", "manages_acme", "manages_globex"),
    [
        ("member_a", False, False),
        ("admin_a", True, False),
        ("admin_b", False, True),
        ("account_manager_a", True, False),
        ("product_manager", False, False),
        ("programme_admin", True, True),
    ],
)
def test_who_manages_the_people_of_which_account(
    request, persona, manages_acme, manages_globex, account_a, account_b
):
    user = _fresh(request.getfixturevalue(persona))

    assert access.can_manage_account(user, account_a) is manages_acme
    assert access.can_manage_account(user, account_b) is manages_globex


def test_managing_people_needs_both_sight_and_the_right(member_a, member_b, admin_a):
    with pytest.raises(PermissionDenied):
        access.access_account_for_management(_fresh(member_a), "acme")
    with pytest.raises(Http404):
        access.access_account_for_management(_fresh(member_b), "acme")
    assert access.access_account_for_management(_fresh(admin_a), "acme").slug == "acme"


def test_only_programme_admins_see_all_and_manage_all(product_manager, programme_admin, admin_a):
    assert access.sees_all_accounts(_fresh(product_manager))
    assert not access.manages_all_accounts(_fresh(product_manager))
    assert access.manages_all_accounts(_fresh(programme_admin))
    assert not access.sees_all_accounts(_fresh(admin_a))
    assert not access.sees_all_accounts(AnonymousUser())


# --- Memberships and account teams ------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERYONE)
def test_memberships_are_visible_exactly_where_their_account_is(
    request, persona, member_a, member_b
):
    user = _fresh(request.getfixturevalue(persona))

    seen = set(access.visible_memberships(user).values_list("account__slug", flat=True))

    assert seen == set(access.visible_accounts(user).values_list("slug", flat=True))


def test_a_membership_is_404_to_outsiders_and_403_to_colleagues_who_may_not_manage(
    member_a, admin_a, member_b
):
    target = member_a.membership.pk

    with pytest.raises(Http404):
        access.access_membership(_fresh(member_b), target)
    assert access.access_membership(_fresh(admin_a), target).user == member_a
    with pytest.raises(PermissionDenied):
        access.access_membership(_fresh(member_a), admin_a.membership.pk, for_write=True)
    assert access.access_membership(_fresh(admin_a), target, for_write=True).user == member_a


def test_a_team_assignment_is_changed_by_programme_admins_only(
    account_manager_a, member_a, member_b, programme_admin
):
    assignment = AccountTeamAssignment.objects.get(user=account_manager_a)

    with pytest.raises(Http404):
        access.access_team_assignment(_fresh(member_b), assignment.pk)
    for user in (member_a, account_manager_a):
        assert access.access_team_assignment(_fresh(user), assignment.pk) == assignment
        with pytest.raises(PermissionDenied):
            access.access_team_assignment(_fresh(user), assignment.pk, for_write=True)
    assert access.access_team_assignment(_fresh(programme_admin), assignment.pk, for_write=True)


# --- Invitations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member_a", []),
        ("admin_a", ["new@acme.example"]),
        ("member_b", []),
        ("admin_b", ["new@globex.example"]),
        ("account_manager_a", ["new@acme.example"]),
        ("product_manager", []),
        ("programme_admin", ["new@acme.example", "new@globex.example"]),
    ],
)
def test_invitations_are_seen_only_by_those_who_manage_the_account(
    request, persona, expected, invitations
):
    user = _fresh(request.getfixturevalue(persona))

    emails = sorted(access.visible_invitations(user).values_list("email", flat=True))

    assert emails == expected


def test_an_invisible_invitation_is_404(member_a, admin_b, invitations):
    for user in (member_a, admin_b):
        with pytest.raises(Http404):
            access.access_invitation(_fresh(user), invitations["acme"].pk)


def test_a_deactivated_admin_sees_no_invitations(admin_a, invitations):
    User.objects.filter(pk=admin_a.pk).update(is_active=False)

    assert not access.visible_invitations(_fresh(admin_a)).exists()
    assert not access.visible_invitations(AnonymousUser()).exists()


# --- The membership cache ---------------------------------------------------------------------


def test_a_users_membership_is_read_once_per_user_object(
    member_a, product_manager, django_assert_num_queries
):
    user = _fresh(member_a)
    with django_assert_num_queries(1):
        assert access.customer_membership(user).account.slug == "acme"
        assert access.customer_membership(user).account.slug == "acme"

    assert access.customer_membership(_fresh(product_manager)) is None
    assert access.customer_membership(AnonymousUser()) is None
