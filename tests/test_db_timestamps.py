"""Timestamps read by psycopg's C loader (config/db_timestamps.py) are the values Django's own
loader reads, with the same tzinfo; a connection not in UTC keeps Django's loader."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from config import db_timestamps

pytestmark = pytest.mark.needs_postgres

# Microseconds, offsets that cross midnight and the year, the ends of the range, leap days.
_VALUES = """
select t from (values
  ('2026-12-07 08:59:01.123456+00'::timestamptz),
  ('2026-12-31 23:30:00.000001-05:30'),
  ('2024-02-29 00:00:00+14'),
  ('0001-01-01 00:00:00+00'),
  ('9999-12-31 23:59:59.999999+00'),
  ('1970-01-01 00:00:00+00'),
  ('2026-03-29 01:30:00+02'),
  (null)
) v(t)
union all
select '2000-01-01 00:00:00+00'::timestamptz + g * interval '37 hours 13 minutes 7.654321 seconds'
from generate_series(-3000, 3000) g
"""


def _read(sql: str, *, django_loader: bool):
    with connection.cursor() as cursor:
        if django_loader:
            register_tzloader(dt.UTC, cursor.cursor)  # Django's own, on this cursor alone
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_connection_reads_timestamps_with_the_c_loader_and_gets_what_djangos_loader_gets():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, psycopg.pq.Format.TEXT)
    assert loader is db_timestamps._CTimestamptzLoader
    fast, django = _read(_VALUES, django_loader=False), _read(_VALUES, django_loader=True)
    assert len(fast) == 6009 and fast == django
    assert all(value.tzinfo is dt.UTC for value in fast if value is not None)
    assert all(value.tzinfo is dt.UTC for value in django if value is not None)
    assert fast[-1] - fast[-2] == dt.timedelta(hours=37, minutes=13, seconds=7.654321)


@pytest.mark.django_db
def test_a_timestamp_past_pythons_range_fails_alike_with_either_loader():
    messages = []
    for django_loader in (False, True):
        with pytest.raises(DataError, match="infinity") as raised:
            _read("select 'infinity'::timestamptz", django_loader=django_loader)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]


@pytest.mark.django_db
def test_a_connection_in_another_time_zone_keeps_djangos_loader():
    connection.ensure_connection()
    assert db_timestamps.c_timestamp_loader_applies(connection)
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Europe/Paris'")
    try:
        assert not db_timestamps.c_timestamp_loader_applies(connection)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert db_timestamps.c_timestamp_loader_applies(connection)
