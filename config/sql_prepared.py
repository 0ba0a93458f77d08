"""Kept SQL (config.sql_once) prepared on the PostgreSQL server (issue 16, items 3 and 4).

Django binds a query's parameters in Python and sends PostgreSQL the whole text, which it
parses and plans on every call; planning a permission-scoped list (the ideas a person sees)
costs more than running it. Kept SQL is the same text on every call, so it is worth preparing:
a kept read runs on a cursor that sends the parameters apart and prepares the statement on its
connection (psycopg's `prepare=True`); after five calls PostgreSQL may keep a generic plan and
plan no more (`plan_cache_mode = auto`: it does so when the generic plan's cost is close to
the custom plans'). Every other query runs as before: only these cursors bind on the server.

What changes with binding on the server:
- A text parameter goes as psycopg sends it, of a type PostgreSQL infers from where it stands
  (`setweight(…, %s)` takes a "char"), as a quoted literal was. A parameter standing where
  nothing tells its type (alone in a SELECT list) would fail on the first call, so every kept
  read is run by the tests on PostgreSQL.
- psycopg forgets a connection's prepared statements after a ROLLBACK (also to a savepoint) or
  a DROP or ALTER run on it, and prepares them again when next asked: a test, which ends in a
  rollback, prepares its reads anew. A web process that has prepared a read before another
  process's migration changed the type of a column it reads must be restarted, as a deploy
  does after migrating ("cached plan must not change result type").
- Each prepared statement holds server memory per connection; a connection keeps at most
  `PREPARED_PER_CONNECTION` of them (psycopg forgets the least used beyond that).
- A connection pooler in transaction mode must keep prepared statements (PgBouncer 1.21+,
  `max_prepared_statements`); `DB_PREPARE_KEPT_SQL=0` (the PREPARE_KEPT_SQL setting) turns
  this off: kept SQL then runs as every other query does.
"""

from __future__ import annotations

import psycopg
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.utils.asyncio import async_unsafe
from psycopg.pq import Format

PREPARED_PER_CONNECTION = 256
_TIMESTAMPTZ = 1184


class _PreparingCursor(psycopg.Cursor):
    """psycopg's cursor that binds on the server, preparing every statement it runs."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class PreparingConnection:
    """A Django PostgreSQL connection as a kept read's compiler sees it: the same in every way
    (its operations, features, error wrapping, execute wrappers and query log) but that its
    cursors prepare what they run, and its log shows a query with its values, as Django's
    shows the others. One per connection (`preparing`), so that a kept read's converters are
    worked out once per connection (config.sql_once)."""

    def __init__(self, connection):
        self._connection = connection
        self.ops = _LoggedWithValues(connection.ops)

    def __getattr__(self, name):
        return getattr(self._connection, name)

    @async_unsafe
    def cursor(self):
        # Django's `cursor()` (its health check, connecting, error wrapping and cursor wrapper),
        # around a preparing cursor instead of the one Django would have made and thrown away.
        connection = self._connection
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        with connection.wrap_database_errors:
            raw = _preparing_cursor(connection, connection.connection)
        wrapper = connection._prepare_cursor(raw)
        wrapper.db = self  # (the wrapper logs through `ops`)
        return wrapper


class _LoggedWithValues:
    """The connection's operations, but that a query run prepared is logged with its values
    written in, as Django does for a connection that binds on the server."""

    def __init__(self, ops):
        self._ops = ops

    def __getattr__(self, name):
        return getattr(self._ops, name)

    def last_executed_query(self, cursor, sql, params):
        try:
            return self._ops.compose_sql(sql, params)
        except psycopg.errors.DataError:
            return None


def preparing(connection) -> PreparingConnection:
    found = connection.__dict__.get("_kept_sql_preparing")
    if found is None:
        found = connection.__dict__["_kept_sql_preparing"] = PreparingConnection(connection)
    return found


def _preparing_cursor(connection, raw: psycopg.Connection) -> _PreparingCursor:
    if raw.prepare_threshold is None:  # as Django opens it: nothing is prepared
        # Only the cursors above ask to prepare; the rest bind on the client, which never does.
        raw.prepare_threshold, raw.prepared_max = 0, PREPARED_PER_CONNECTION
    cursor = _PreparingCursor(raw)
    # The time zone of the datetimes read, as Django's own cursors are given it.
    if connection.timezone != raw.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT).timezone:
        register_tzloader(connection.timezone, cursor)
    return cursor
