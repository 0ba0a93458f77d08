"""config.sql_once.AnyOf (`field__any_of=ids`) finds what `field__in=ids` finds, on every
database: by primary key, by foreign key, across a join, and nothing for no ids."""

from __future__ import annotations

import pytest

from accounts.models import Account, Membership
from tests.accounts.factories import AccountFactory, customer

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds():
    accounts = AccountFactory.create_batch(4)
    people = [customer(account) for account in accounts]
    ids = [accounts[0].pk, accounts[2].pk, -5]

    assert sorted(Account.objects.filter(pk__any_of=ids).values_list("pk", flat=True)) == sorted(
        Account.objects.filter(pk__in=ids).values_list("pk", flat=True)
    )
    assert set(Membership.objects.filter(account_id__any_of=ids)) == {
        people[0].membership,
        people[2].membership,
    }
    assert set(Membership.objects.filter(account__pk__any_of=ids[1:])) == {people[2].membership}
    assert list(Account.objects.filter(pk__any_of=[])) == []
