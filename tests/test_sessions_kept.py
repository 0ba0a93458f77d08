"""config.sessions: the session read, whose SQL is written once per process, finds what
Django's database session store finds: a live session by its key, nothing for an expired, a
deleted or an unknown one (and then it forgets the key, so the next save makes a new one)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.sessions import SessionStore
from tests.sql_compiles import compiles_counted

pytestmark = pytest.mark.needs_postgres


def _saved(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def _loaded(store_class, key: str) -> tuple[dict, str | None]:
    store = store_class(session_key=key)
    return store.load(), store._session_key


def test_a_live_session_reads_as_djangos_store_reads_it(db):
    key = _saved(colour="green", count=3)
    assert (
        _loaded(SessionStore, key)
        == _loaded(DjangoStore, key)
        == (
            {"colour": "green", "count": 3},
            key,
        )
    )


@pytest.mark.parametrize("case", ["expired", "deleted", "unknown", "another key"])
def test_a_session_that_is_not_live_reads_empty_and_forgets_its_key(db, case):
    key = _saved(colour="green")
    other = _saved(colour="blue")
    if case == "expired":
        Session.objects.filter(pk=key).update(
            expire_date=timezone.now() - datetime.timedelta(seconds=1)
        )
    elif case == "deleted":
        Session.objects.filter(pk=key).delete()
    elif case == "unknown":
        key = "x" * 32
    mine = _loaded(SessionStore, key if case != "another key" else key[:-1] + "0")
    assert mine == _loaded(DjangoStore, key if case != "another key" else key[:-1] + "0")
    assert mine == ({}, None)
    assert _loaded(SessionStore, other) == ({"colour": "blue"}, other)


def test_the_second_read_writes_no_sql(db, monkeypatch, django_assert_num_queries):
    key = _saved(colour="green")
    _loaded(SessionStore, key)  # keeps its SQL
    compiled = compiles_counted(monkeypatch)
    with django_assert_num_queries(1):
        assert _loaded(SessionStore, key) == ({"colour": "green"}, key)
    assert compiled == []


def test_the_site_uses_it(client, member_a):
    client.force_login(member_a)
    assert type(client.session) is SessionStore
    assert client.get("/").status_code == 200
