"""config.sql_once: a read whose SQL the ORM writes once per process gives the ORM's rows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import Account, User
from accounts.permission_backend import _GRANTED, _granted
from config.sql_once import SqlWrittenOnce
from tests.accounts.factories import AccountFactory


def test_the_permissions_read_once_written_are_the_orms(member_a, programme_admin):
    group = Group.objects.create(name="Moderators for this test")
    group.permissions.add(Permission.objects.get(codename="moderate_idea"))
    member_a.groups.add(group)
    member_a.user_permissions.add(Permission.objects.get(codename="view_all_accounts"))

    for person in (member_a, programme_admin):
        rows = _GRANTED.rows(person.pk)
        assert sorted(rows) == sorted(_granted(person.pk))
        assert rows  # each has some: the comparison compares something
    assert _GRANTED.rows(-1) == []


def test_a_value_in_several_places_takes_each(db):
    accounts = AccountFactory.create_batch(2)
    by_pk = SqlWrittenOnce(
        Account, lambda pk: Account.objects.filter(pk=pk, id__gte=pk).values_list("name")
    )

    assert by_pk.rows(accounts[1].pk) == [(accounts[1].name,)]


def test_a_query_it_cannot_keep_is_refused(db):
    two_values = SqlWrittenOnce(User, lambda pk: User.objects.filter(pk=pk, email="x"))
    other_model = SqlWrittenOnce(Account, lambda pk: User.objects.filter(pk=pk))

    with pytest.raises(ValueError, match="one value"):
        two_values.rows(1)
    with pytest.raises(ValueError, match="queryset of"):
        other_model.rows(1)
