"""config.sql_once: a read whose SQL the ORM writes once per process gives the ORM's rows, and a
build whose SQL could depend on more than its values is refused."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, User
from accounts.permission_backend import _GRANTED_IDS, _granted, permission_names
from config.sql_once import SqlOnce
from tests.accounts.factories import AccountFactory
from tests.sql_compiles import compiles_counted

pytestmark = pytest.mark.needs_postgres


def test_the_permissions_read_once_written_are_the_orms(member_a, programme_admin):
    group = Group.objects.create(name="Moderators for this test")
    group.permissions.add(Permission.objects.get(codename="moderate_idea"))
    member_a.groups.add(group)
    member_a.user_permissions.add(Permission.objects.get(codename="view_all_accounts"))

    for person in (member_a, programme_admin):
        ids = _GRANTED_IDS.first(user_id=person.pk)
        names = permission_names(ids, using="default")
        assert names == {f"{app}.{codename}" for app, codename in _granted(person.pk)}
        assert names  # each has some: the comparison compares something
    assert "ideas.moderate_idea" in permission_names(
        _GRANTED_IDS.first(user_id=member_a.pk), using="default"
    )
    assert _GRANTED_IDS.first(user_id=-1) is None


def test_model_instances_with_their_relations_and_annotations_are_the_orms(member_a, monkeypatch):
    def build(user_id):
        return (
            User.objects.select_related("membership__account")
            .annotate(groups_held=Count("groups"))
            .filter(pk=user_id)[:1]
        )

    once = SqlOnce(User, build, user_id=int)
    first = once.first(user_id=member_a.pk)  # writes the SQL (twice: the check)
    expected = build(member_a.pk)[0]
    compiled = compiles_counted(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        again = once.first(user_id=member_a.pk)

    assert compiled == []  # the kept SQL ran; nothing was compiled
    assert len(queries) == 1 and str(member_a.pk) in queries[0]["sql"]
    for row in (first, again):
        assert row.pk == member_a.pk and row.email == expected.email
        assert row.membership.account.name == expected.membership.account.name
        assert row.groups_held == expected.groups_held == 0
    assert once.first(user_id=-5) is None


def test_each_value_takes_its_places_among_constants(db):
    early, late = AccountFactory.create_batch(2)
    Account.objects.filter(pk=early.pk).update(created_at=timezone.now() - datetime.timedelta(3))
    once = SqlOnce(
        Account,
        lambda pk, since, name: (
            Account.objects.filter(pk__gte=pk, id__gte=pk, created_at__gte=since, currency="EUR")
            .exclude(name=name)
            .order_by("pk")
            .values_list("name", flat=True)
        ),
        pk=int,
        since=datetime.datetime,
        name=str,
    )
    since = timezone.now() - datetime.timedelta(1)

    assert once.all(pk=early.pk, since=since, name="nobody") == [late.name]
    assert once.all(pk=early.pk, since=since, name=late.name) == []
    assert once.all(pk=late.pk + 1, since=since, name="nobody") == []


def test_a_none_an_empty_text_or_a_zero_take_the_orms_path(db):
    account = AccountFactory()
    once = SqlOnce(Account, lambda name: Account.objects.filter(name=name), name=str)
    # A build that branches on a value: its stand-ins always take the first branch.
    branching = SqlOnce(
        Account,
        lambda pk: Account.objects.filter(pk=pk) if pk else Account.objects.all(),
        pk=int,
    )

    assert once.all(name=None) == list(Account.objects.filter(name=None)) == []
    assert branching.all(pk=account.pk) == [account]
    assert branching.all(pk=0) == [account]  # the ORM's branch, not the kept SQL


def test_a_build_that_could_hide_something_is_refused(db):
    AccountFactory()
    now_inside = SqlOnce(
        Account, lambda pk: Account.objects.filter(pk=pk, created_at__lte=timezone.now()), pk=int
    )
    reads_inside = SqlOnce(
        Account,
        lambda pk: Account.objects.filter(pk__in=list(Account.objects.values("pk"))),
        pk=int,
    )
    in_a_pattern = SqlOnce(
        Account, lambda name: Account.objects.filter(name__icontains=name), name=str
    )
    arithmetic = SqlOnce(Account, lambda pk: Account.objects.filter(pk=pk + 1), pk=int)
    value_unused = SqlOnce(Account, lambda pk: Account.objects.all(), pk=int)
    other_model = SqlOnce(Account, lambda pk: User.objects.filter(pk=pk), pk=int)

    with pytest.raises(ValueError, match="depends on more than a value"):
        now_inside.all(pk=1)
    with pytest.raises(ValueError, match="ran a query"):
        reads_inside.all(pk=1)
    with pytest.raises(ValueError, match="depends on more than a value"):
        in_a_pattern.all(name="x")
    with pytest.raises(ValueError, match="depends on more than a value"):
        arithmetic.all(pk=1)
    with pytest.raises(ValueError, match="not a parameter of its own"):
        value_unused.all(pk=1)
    with pytest.raises(ValueError, match="queryset of"):
        other_model.all(pk=1)


def test_a_value_of_the_wrong_kind_is_refused(db):
    once = SqlOnce(Account, lambda pk: Account.objects.filter(pk=pk), pk=int)
    with pytest.raises(TypeError):
        once.all(pk="1")
    with pytest.raises(TypeError):
        once.all(pk=True)
    with pytest.raises(TypeError):
        once.all(other=1)


def test_the_benchmarks_switch_writes_every_read_again_then_keeps_it(member_a, monkeypatch):
    from demo.benchmarks.page_cpu import sql_once_off

    once = SqlOnce(User, lambda user_id: User.objects.filter(pk=user_id)[:1], user_id=int)
    once.first(user_id=member_a.pk)
    compiled = compiles_counted(monkeypatch)

    with sql_once_off():
        assert once.first(user_id=member_a.pk) == member_a
    assert compiled == [User]  # the ORM wrote it
    assert once.first(user_id=member_a.pk) == member_a
    assert compiled == [User]  # kept again afterwards


def _ids_once(build_lookup: str = "pk__any_of") -> SqlOnce:
    return SqlOnce(
        Account,
        lambda ids: (
            Account.objects.filter(**{build_lookup: ids})
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        ids=list,
    )


def test_a_list_of_ids_is_one_parameter_and_one_sql_serves_every_length(db, monkeypatch):
    accounts = [a.pk for a in AccountFactory.create_batch(5)]
    once = _ids_once()
    once.all(ids=accounts[:1])  # keeps the SQL
    expected = {
        length: list(
            Account.objects.filter(pk__in=accounts[:length])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for length in (1, 3, 5)
    }
    compiled = compiles_counted(monkeypatch)

    with CaptureQueriesContext(connection) as queries:
        for length in (1, 3, 5):
            assert once.all(ids=accounts[:length]) == expected[length]
        assert once.all(ids=[-1, -2]) == []

    assert compiled == []  # the kept SQL ran each time
    assert len({q["sql"].split(" WHERE ")[0] for q in queries}) == 1
    assert all("ANY(" in q["sql"] for q in queries)


def test_a_list_of_ids_written_with_in_is_refused(db):
    with pytest.raises(ValueError, match="depends on more than a value"):
        _ids_once("pk__in").all(ids=[1, 2])


def test_a_list_of_something_else_than_ints_is_refused_and_an_empty_one_finds_nothing(db):
    AccountFactory()
    once = _ids_once()
    with pytest.raises(TypeError):
        once.all(ids=["1"])
    with pytest.raises(TypeError):
        once.all(ids=[True])
    with pytest.raises(TypeError):
        once.all(ids=(1, 2))
    assert once.all(ids=[]) == []  # the ORM's path: IN of nothing


def test_the_sql_is_kept_per_time_zone(db):
    """A truncation to the site's day names the zone in the SQL: another zone, another SQL."""
    account = AccountFactory()
    noon = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=datetime.UTC)
    Account.objects.filter(pk=account.pk).update(created_at=noon)
    once = SqlOnce(
        Account,
        lambda pk: (
            Account.objects.filter(pk=pk)
            .annotate(day=TruncDate("created_at"))
            .values_list("day", flat=True)
        ),
        pk=int,
    )

    assert once.all(pk=account.pk) == [datetime.date(2026, 6, 30)]  # UTC
    with timezone.override("Pacific/Kiritimati"):  # UTC+14: already the next day
        assert once.all(pk=account.pk) == [datetime.date(2026, 7, 1)]
    assert once.all(pk=account.pk) == [datetime.date(2026, 6, 30)]


def _accounts_from(currency):
    return Account.objects.filter(currency=currency).order_by("name", "pk")


def test_pages_and_counts_of_kept_sql_are_the_orms(db, monkeypatch):
    AccountFactory.create_batch(7, currency="EUR")
    AccountFactory.create_batch(2, currency="USD")
    once = SqlOnce(Account, _accounts_from, currency=str)
    once.page(offset=0, limit=1, currency="EUR")  # writes the SQL (twice: the check)
    expected = list(_accounts_from("EUR"))

    compiled = compiles_counted(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        pages = [once.page(offset=offset, limit=3, currency="EUR") for offset in (0, 3, 6, 9)]
        counted = once.count(currency="EUR")
    assert compiled == []  # the kept SQL ran, with LIMIT and OFFSET as parameters
    assert len({query["sql"] for query in queries[:4]}) == 4  # (values inlined by the log)
    assert [[a.pk for a in page] for page in pages] == [
        [a.pk for a in expected[i : i + 3]] for i in (0, 3, 6, 9)
    ]
    assert counted == 7 == len(expected)
    assert once.count(currency="GBP") == 0 and once.page(offset=0, limit=5, currency="GBP") == []


def test_a_page_is_refused_for_a_sliced_build_or_an_empty_page(db):
    AccountFactory.create_batch(2, currency="EUR")
    sliced = SqlOnce(Account, lambda currency: _accounts_from(currency)[:1], currency=str)
    with pytest.raises(ValueError, match="sliced or combined"):
        sliced.page(offset=0, limit=5, currency="EUR")
    once = SqlOnce(Account, _accounts_from, currency=str)
    with pytest.raises(ValueError, match="a page from"):
        once.page(offset=0, limit=0, currency="EUR")


def test_kept_rows_are_what_the_paginator_reads_of_the_queryset(db):
    from config.api import CountSparingPaginator

    AccountFactory.create_batch(5, currency="EUR")
    once = SqlOnce(Account, _accounts_from, currency=str)
    expected = [a.pk for a in _accounts_from("EUR")]
    for per_page, number in ((2, 1), (2, 3), (5, 1), (10, 1)):
        kept = CountSparingPaginator(once.rows(currency="EUR"), per_page).page(number)
        orm = CountSparingPaginator(_accounts_from("EUR"), per_page).page(number)
        assert [a.pk for a in kept] == [a.pk for a in orm]
        assert [a.pk for a in kept] == expected[(number - 1) * per_page : number * per_page]
        assert kept.paginator.count == orm.paginator.count == 5
        assert kept.has_next() == orm.has_next()
    rows = once.rows(currency="EUR")
    assert len(rows) == 5 and rows[1:1] == []
    with pytest.raises(TypeError):
        rows[0]
    with pytest.raises(ValueError):
        rows[2:]


def test_a_kept_read_works_out_its_values_converters_once(db, monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    from accounts.models import OutboxTask

    OutboxTask.objects.create(task="t", args=[1, "two"], kwargs={"three": [3]})
    OutboxTask.objects.create(task="t", args=[], kwargs={"four": None})
    once = SqlOnce(
        OutboxTask, lambda task: OutboxTask.objects.filter(task=task).order_by("pk"), task=str
    )
    expected = [(o.args, o.kwargs) for o in OutboxTask.objects.filter(task="t").order_by("pk")]
    worked_out = []
    real = SQLCompiler.get_converters

    def counted(compiler, expressions):
        worked_out.append(len(expressions))
        return real(compiler, expressions)

    monkeypatch.setattr(SQLCompiler, "get_converters", counted)
    for _ in range(3):
        assert [(o.args, o.kwargs) for o in once.all(task="t")] == expected  # JSON decoded
        assert [(o.args, o.kwargs) for o in once.page(offset=1, limit=1, task="t")] == expected[1:]
    assert len(worked_out) == 1  # the first call's; the ORM's way works them out on each
    assert expected[0] == ([1, "two"], {"three": [3]})


def test_a_kept_count_reads_the_rows_alone_as_django_counts_them(db, member_a, admin_a):
    from accounts.models import Membership

    def build(account_id):
        return (
            Membership.objects.filter(account_id=account_id)
            .select_related("user", "account")
            .order_by("user__email", "pk")
        )

    once = SqlOnce(Membership, build, account_id=int)
    account_id = member_a.membership.account_id
    once.page(offset=0, limit=1, account_id=account_id)  # keeps the SQL
    with CaptureQueriesContext(connection) as queries:
        counted = once.count(account_id=account_id)
    assert counted == build(account_id).count() == 2
    (sql,) = [query["sql"] for query in queries]
    assert "JOIN" not in sql and "ORDER BY" not in sql  # no joined rows, no order to count
    sliced = SqlOnce(Membership, lambda account_id: build(account_id)[:1], account_id=int)
    assert sliced.count(account_id=account_id) == 1 == build(account_id)[:1].count()


def test_kept_rows_may_be_counted_by_another_kept_read_of_the_same_rows(db, member_a, admin_a):
    """Values read through a join are counted with the join; a kept read of the same rows as
    model instances counts them without it."""
    from accounts.models import Membership

    def members(account_id):
        return Membership.objects.filter(account_id=account_id).order_by("pk")

    values = SqlOnce(
        Membership,
        lambda account_id: members(account_id).values_list("pk", "user__email"),
        account_id=int,
    )
    instances = SqlOnce(Membership, members, account_id=int)
    account_id = member_a.membership.account_id
    expected = list(members(account_id).values_list("pk", "user__email"))
    for counted_by, joined in ((None, True), (instances, False)):
        rows = values.rows(counted_by=counted_by, account_id=account_id)
        assert rows[0:5] == expected
        with CaptureQueriesContext(connection) as queries:
            assert rows.count() == len(expected) == 2
        (sql,) = [query["sql"] for query in queries]
        assert ("JOIN" in sql) is joined
