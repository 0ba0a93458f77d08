"""accounts.permission_backend: what a person may do, read as permission ids (PostgreSQL, with
the session's user or the API token) and named from a table kept per process, is what Django's
ModelBackend answers; a permission added, renamed or removed is seen at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from accounts.api.authentication import tokens_with_owner
from accounts.models import User
from accounts.permission_backend import _NAMES, PermissionBackend, permission_names
from accounts.services import api_token_create

pytestmark = pytest.mark.needs_postgres


def _model_backend_names(user: User) -> set[str]:
    return ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))


def _backend_names(user: User) -> set[str]:
    return PermissionBackend().get_all_permissions(User.objects.get(pk=user.pk))


def _token_names(user: User) -> set[str]:
    token = api_token_create(user=user, name="names")[1]
    (found,) = tokens_with_owner(token[:15])
    return found.user._perm_cache


@pytest.fixture
def moderator(member_a):
    group = Group.objects.create(name="Moderators for this test")
    group.permissions.add(Permission.objects.get(codename="moderate_idea"))
    member_a.groups.add(group)
    member_a.user_permissions.add(
        Permission.objects.get(codename="view_all_accounts"),
        Permission.objects.get(codename="moderate_idea"),  # given both ways: named once
    )
    return member_a


def test_a_persons_permissions_by_session_and_by_token_are_the_model_backends(
    moderator, programme_admin, product_manager, account_manager_a, member_b
):
    for person in (moderator, programme_admin, product_manager, account_manager_a, member_b):
        expected = _model_backend_names(person)
        assert _backend_names(person) == expected
        assert _token_names(person) == expected
    assert {"ideas.moderate_idea", "accounts.view_all_accounts"} <= _backend_names(moderator)
    assert _backend_names(programme_admin)  # a role's group gives some: compared, not empty


def test_a_permission_given_after_the_names_were_read_is_named(moderator):
    assert _backend_names(moderator)  # the names are read and kept
    content_type = ContentType.objects.get_for_model(User)
    # bulk_create sends no signal: the unknown id makes the table be read again.
    (added,) = Permission.objects.bulk_create(
        [Permission(codename="try_new_thing", name="Try", content_type=content_type)]
    )
    moderator.user_permissions.add(added)

    assert "accounts.try_new_thing" in _backend_names(moderator)
    assert "accounts.try_new_thing" in _token_names(moderator)


def test_a_renamed_or_removed_permission_is_forgotten(moderator):
    permission = Permission.objects.get(codename="view_all_accounts")
    assert "accounts.view_all_accounts" in _backend_names(moderator)
    assert _NAMES  # kept

    permission.codename = "view_every_account"
    permission.save()
    assert "accounts.view_every_account" in _backend_names(moderator)
    assert "accounts.view_all_accounts" not in _backend_names(moderator)

    permission.delete()
    assert not any("view_every_account" in name for name in _backend_names(moderator))


def test_ids_no_permission_has_are_left_out(db):
    known = Permission.objects.get(codename="moderate_idea")
    assert permission_names([known.pk, -4], using="default") == {"ideas.moderate_idea"}
    assert permission_names([], using="default") == set()
