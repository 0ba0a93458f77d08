"""What every API call costs before its own work (issue 16, item 4): a token call reads the
token with its owner, their membership and account, and (PostgreSQL) the owner's permissions in
one query; a person's permissions are otherwise one query (accounts.permission_backend); a list
that fits on its page is not counted apart (config.api.CountSparingPaginator), while pages past
it still are, and say the same as Django's paginator would."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIRequestFactory

from accounts import services
from accounts.access import is_internal, sees_all_accounts
from accounts.api.authentication import ApiTokenAuthentication, tokens_with_owner
from accounts.models import Account, ApiToken, InternalRole, Membership, User
from tests.accounts.factories import AccountFactory, internal
from tests.api_helpers import api_error, api_login

ACCOUNTS = "/api/v1/accounts/"
ME = "/api/v1/me/"


# --- Pages -------------------------------------------------------------------------------------


def _names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_a_list_on_one_page_is_not_counted_apart(api, programme_admin, django_assert_num_queries):
    AccountFactory.create_batch(3)
    api_login(api, programme_admin)

    # 1 permissions (own and groups'), 2 the page, which tells the count
    with django_assert_num_queries(2):
        response = api.get(ACCOUNTS, {"page_size": 5})

    assert response.json()["count"] == 3
    assert (response.json()["next"], response.json()["previous"]) == (None, None)


def test_a_full_page_is_counted(api, programme_admin, django_assert_num_queries):
    AccountFactory.create_batch(5)
    api_login(api, programme_admin)

    # 1 permissions, 2 the page (full: there may be more), 3 COUNT of the accounts
    with django_assert_num_queries(3):
        response = api.get(ACCOUNTS, {"page_size": 5})

    assert response.json()["count"] == 5
    assert response.json()["next"] is None


def test_the_last_page_tells_the_count_and_links_back(
    api, programme_admin, django_assert_num_queries
):
    AccountFactory.create_batch(7)
    api_login(api, programme_admin)
    everyone = sorted(Account.objects.values_list("name", flat=True))

    with django_assert_num_queries(2):  # permissions; the page, not full: no COUNT
        last = api.get(ACCOUNTS, {"page_size": 5, "page": 2})
    first = api.get(ACCOUNTS, {"page_size": 5})

    assert last.json()["count"] == first.json()["count"] == 7
    assert sorted(_names(first) + _names(last)) == everyone
    assert last.json()["next"] is None
    assert last.json()["previous"].endswith("page_size=5")
    assert first.json()["next"].endswith("page=2&page_size=5")


# The last: past any database's OFFSET (the fuzzer found a 500 there).
@pytest.mark.parametrize("page", ["3", "0", "-1", "two", "1.5", "78579208108928566148519753154560"])
def test_a_page_that_is_not_there_is_a_404_as_before(api, programme_admin, page):
    AccountFactory.create_batch(7)
    api_login(api, programme_admin)

    response = api.get(ACCOUNTS, {"page_size": 5, "page": page})

    assert response.status_code == 404
    assert api_error(response)["code"] == "not_found"


def test_an_empty_list_is_one_empty_page(api, db):
    api_login(api, internal(InternalRole.ACCOUNT_MANAGER, email="new@garden.example"))

    body = api.get(ACCOUNTS).json()

    assert (body["count"], body["results"], body["next"]) == (0, [], None)


# --- Permissions -------------------------------------------------------------------------------


def test_permissions_come_from_the_person_and_their_groups_in_one_query(
    member_a, django_assert_num_queries
):
    own = Permission.objects.get(codename="view_all_accounts")
    of_group = Permission.objects.get(codename="moderate_idea")
    group = Group.objects.create(name="Moderators for this test")
    group.permissions.add(of_group)
    member_a.user_permissions.add(own)
    member_a.groups.add(group)
    person = User.objects.get(pk=member_a.pk)

    with django_assert_num_queries(1):
        allowed = person.get_all_permissions()
        asked = (
            person.has_perm("accounts.view_all_accounts"),
            person.has_perm("ideas.moderate_idea"),
        )

    assert {"accounts.view_all_accounts", "ideas.moderate_idea"} <= allowed
    assert asked == (True, True)
    assert not person.has_perm("accounts.manage_all_accounts")


def test_a_person_without_permissions_has_none_and_an_inactive_one_none_at_all(member_a):
    assert User.objects.get(pk=member_a.pk).get_all_permissions() == set()
    member_a.is_superuser = True
    member_a.is_active = False
    member_a.save()
    assert not User.objects.get(pk=member_a.pk).has_perm("accounts.view_all_accounts")


def test_a_superuser_has_every_permission(member_a):
    member_a.is_superuser = True
    member_a.save()

    permissions = User.objects.get(pk=member_a.pk).get_all_permissions()

    assert len(permissions) == Permission.objects.count()


def test_the_internal_roles_keep_their_permissions(programme_admin, account_manager_a):
    assert sees_all_accounts(User.objects.get(pk=programme_admin.pk))
    assert not sees_all_accounts(User.objects.get(pk=account_manager_a.pk))


# --- Tokens ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member_a", "account_manager_a"])
def test_a_token_call_reads_the_callers_membership_with_the_token(
    request, api, persona, django_assert_num_queries
):
    person = request.getfixturevalue(persona)
    token = services.api_token_create(user=person, name="Script")[1]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    api.get(ME)  # the token's first use is written down (then at most once a minute)

    found = {}
    with django_assert_num_queries(1):
        call = APIRequestFactory().get(ME, HTTP_AUTHORIZATION=f"Token {token}")
        found["user"], _ = ApiTokenAuthentication().authenticate(call)
        found["internal"] = is_internal(found["user"])

    assert found["user"].pk == person.pk
    assert found["internal"] is (persona == "account_manager_a")


@pytest.mark.parametrize("persona", ["member_a", "account_manager_a"])
def test_a_token_comes_with_what_the_orm_would_load(request, persona):
    """tokens_with_owner reads the ORM's SQL with a cursor, written once per process (the ORM
    spent half a cheap call writing it): the instances are the ORM's."""
    person = request.getfixturevalue(persona)
    row, _token = services.api_token_create(user=person, name="Script")
    services.api_token_create(user=person, name="Other")
    expected = ApiToken.objects.get(pk=row.pk)

    (found,) = tokens_with_owner(row.token_key)

    fields = ApiToken._meta.concrete_fields
    assert [f.value_from_object(found) for f in fields] == [
        f.value_from_object(expected) for f in fields
    ]
    assert found._state.adding is False and found._state.db == "default"
    assert found.user == person and found.user.email == person.email
    assert found.user.last_login == expected.user.last_login
    if persona == "member_a":
        assert found.user.membership == expected.user.membership
        assert found.user.membership.user is found.user
        assert found.user.membership.account.name == expected.user.membership.account.name
    else:
        with pytest.raises(Membership.DoesNotExist):
            found.user.membership  # noqa: B018 (loaded as absent: no query)


def test_an_unknown_token_key_finds_nothing(db):
    assert tokens_with_owner("nothing-here") == []


def _token_call(person) -> object:
    token = services.api_token_create(user=person, name="Script")[1]
    return APIRequestFactory().get(ME, HTTP_AUTHORIZATION=f"Token {token}")


@pytest.mark.parametrize("persona", ["member_a", "account_manager_a", "programme_admin"])
def test_a_token_call_reads_the_callers_permissions_with_the_token(
    request, persona, django_assert_num_queries
):
    person = request.getfixturevalue(persona)
    group = Group.objects.create(name="Moderators for this test")
    group.permissions.add(Permission.objects.get(codename="moderate_idea"))
    person.groups.add(group)
    person.user_permissions.add(Permission.objects.get(codename="view_all_accounts"))
    call = _token_call(person)
    ApiTokenAuthentication().authenticate(call)  # the first use is written down

    # 1 the token with its owner, membership, account and the owner's permissions
    with django_assert_num_queries(1):
        user, _ = ApiTokenAuthentication().authenticate(call)
        read = user.get_all_permissions()
        asked = (user.has_perm("ideas.moderate_idea"), user.has_perm("accounts.view_all_accounts"))

    assert read == User.objects.get(pk=person.pk).get_all_permissions()
    assert {"ideas.moderate_idea", "accounts.view_all_accounts"} <= read
    assert asked == (True, True)


def test_a_token_call_of_someone_without_permissions_has_none(member_a):
    call = _token_call(member_a)

    user, _ = ApiTokenAuthentication().authenticate(call)

    assert user.get_all_permissions() == set()
    assert not user.has_perm("accounts.view_all_accounts")


def test_a_superusers_token_call_still_has_every_permission(member_a):
    member_a.is_superuser = True
    member_a.save()
    call = _token_call(member_a)

    user, _ = ApiTokenAuthentication().authenticate(call)

    assert len(user.get_all_permissions()) == Permission.objects.count()
