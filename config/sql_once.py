"""Reads asked on nearly every request, whose SQL the ORM writes once per process instead of on
every request (issue 16, items 3 and 4: building and compiling a permission-scoped query costs
more Python than running it; `docs/cpu-per-request.md`).

`SqlOnce(model, build, name=kind, …)`: `build(**values)` returns the ORM's queryset of `model`
for plain values (ids, moments, texts), read from the database the router gives for `model`.
On PostgreSQL, the first call builds the queryset twice, each time with a different set of
stand-in values, and compiles both; every later call runs the first one's SQL with the caller's
values in the stand-ins' places, and Django turns the rows into what the queryset gives (model
instances with their select_related rows, `values_list` tuples, annotations), as it would have.

The SQL is only kept when it cannot depend on anything but the values; otherwise the first call
raises ValueError (a programming error, caught by the selector's own tests):
- both builds write the same SQL, and their parameters differ exactly where a stand-in is, so
  nothing else that changes from call to call (`timezone.now()`, a setting) is baked in;
- every value appears as a parameter of its own (not folded into a LIKE pattern, not dropped);
- the build runs no query (a list read inside it would be kept as it was the first time).
The build must not branch on a value: its stand-ins are never None, empty or zero, so a `None`,
`""`, `0` or `[]` takes the ORM's path (`None` changes the SQL: `IS NULL`), and so does every
other database (SQLite writes moments as text). The result is a list (or one row), never a
queryset to refine further.

A list of ids is a value too (`ids=list`), when the build reads it with `field__any_of=ids`
(`AnyOf`, below): PostgreSQL gets the whole list as one array parameter, so one SQL serves
lists of every length (`__in` writes one placeholder per id). The SQL is kept per time zone:
a truncation to the site's day or month names the zone in it.

A list read a page at a time (an API list): `page(offset=, limit=, **values)` runs the kept SQL
of the unsliced, ordered build followed by `LIMIT %s OFFSET %s`; `count(**values)` counts, as a
subquery, the kept SQL of its rows alone (without select_related's joins and the order, as
Django counts); `rows(**values)` gives both as Django's Paginator reads a list (`KeptRows`;
config.api's paginator reads the page before it counts, as it does a queryset's). Each value
converter of a kept read's columns is worked out once per connection.

On PostgreSQL a kept read runs prepared on its connection, so that the server plans it once
(config.sql_prepared; `DB_PREPARE_KEPT_SQL=0` turns that off).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import count

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import ForeignKey, IntegerField, Lookup, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from config.sql_prepared import preparing

_KINDS = (int, str, datetime.datetime, datetime.date, list)
_serial = count()


def _stand_in(kind: type, serial: int):
    """A value of `kind` that no real row or caller uses, different for every serial."""
    if kind is int:
        return -7_310_486_219_000 - serial
    if kind is list:  # of ids: two, so that no single id stands for the list
        return [_stand_in(int, serial), _stand_in(int, serial) - 1_000_000]
    if kind is str:
        return f"<stand-in {serial} for SqlOnce>"
    if kind is datetime.datetime:
        return datetime.datetime(2199, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
            microseconds=serial
        )
    return datetime.date(2199, 1, 1) + datetime.timedelta(days=serial)


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _refuse_queries(execute, sql, params, many, context):
    raise ValueError(f"SqlOnce: its build ran a query ({sql[:80]}…); pass that as a value")


@dataclass(frozen=True)
class _Kept:
    queryset: QuerySet  # built with the first stand-ins; its compiler below has compiled it
    compiler: object
    sql: str
    slots: tuple  # per parameter: ("value", name) or ("constant", the value)
    alias: str  # the database's
    pageable: bool  # unsliced and not combined: LIMIT/OFFSET may follow its SQL
    counting: tuple | None  # (SQL, slots) of its rows alone, to count them (None: sliced)
    prepared: bool  # run prepared on the server (config.sql_prepared)
    # The compiler's converters of its columns' values, per connection (`_kept_converters`).
    converters: dict = field(default_factory=dict)


class SqlOnce:
    def __init__(self, model, build: Callable[..., QuerySet], **kinds: type):
        for name, kind in kinds.items():
            if kind not in _KINDS:
                raise TypeError(f"SqlOnce: {name} is a {kind}; values are one of {_KINDS}")
        self._model, self._build, self._kinds = model, build, kinds
        self._kept: dict[tuple[str, str], _Kept] = {}

    def _stand_ins(self) -> dict:
        return {name: _stand_in(kind, next(_serial)) for name, kind in self._kinds.items()}

    def _compiled(
        self, connection, values: dict, *, counted: bool = False
    ) -> tuple[QuerySet, object, str, list]:
        """The build's queryset for `values`, its compiler, SQL and parameters; `counted`: of
        the rows alone, as Django counts them (without select_related and ordering)."""
        with connection.execute_wrapper(_refuse_queries):
            queryset = self._build(**values)
        if queryset.model is not self._model:
            raise ValueError(f"SqlOnce: a queryset of {queryset.model}, not of {self._model}")
        if counted:  # (as Query.get_aggregation leaves them out: also after values())
            queryset = queryset.order_by()
            queryset.query.select_related = False
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        return queryset, compiler, sql, list(params)

    def _sql_kept(self, connection, *, counted: bool = False):
        """(queryset, compiler, SQL, slots) of the build, checked with two sets of stand-ins."""
        first, second = self._stand_ins(), self._stand_ins()
        queryset, compiler, sql, params = self._compiled(connection, first, counted=counted)
        _q, _c, other_sql, other_params = self._compiled(connection, second, counted=counted)
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("SqlOnce: its SQL changes with the values")
        names = {(type(v), _hashable(v)): name for name, v in first.items()}
        slots, seen = [], set()
        for param, other in zip(params, other_params, strict=True):
            name = names.get((type(param), _hashable(param)))
            if name is not None and other == second[name]:
                slots.append(("value", name))
                seen.add(name)
            elif param == other and not any(
                isinstance(param, str) and isinstance(v, str) and v in param for v in first.values()
            ):
                slots.append(("constant", param))
            else:
                raise ValueError(f"SqlOnce: a parameter depends on more than a value: {param!r}")
        if missing := set(self._kinds) - seen:
            raise ValueError(f"SqlOnce: not a parameter of its own: {sorted(missing)}")
        return queryset, compiler, sql, tuple(slots)

    def _keep(self, connection) -> _Kept:
        queryset, compiler, sql, slots = self._sql_kept(connection)
        query = queryset.query
        pageable = not (query.low_mark or query.high_mark is not None or query.combinator)
        counting = self._sql_kept(connection, counted=True)[2:] if pageable else None
        prepared = settings.PREPARE_KEPT_SQL  # (config.sql_prepared)
        return _Kept(queryset, compiler, sql, slots, connection.alias, pageable, counting, prepared)

    def _queryset(self, values: dict, *, after: str = "", more: tuple = ()) -> QuerySet:
        """The queryset for these values: on PostgreSQL with every value given, one that runs
        the kept SQL (followed by `after`, whose parameters are `more`); else the build's."""
        kept = self._kept_for(values)
        if kept is None:
            return self._build(**values)
        params = (*(values[v] if kind == "value" else v for kind, v in kept.slots), *more)
        sql = f"{kept.sql}{after}"
        compiler = kept.compiler.__class__.__new__(kept.compiler.__class__)
        compiler.__dict__.update(kept.compiler.__dict__, connection=_connection(kept))
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = partial(_kept_converters, kept, compiler)
        queryset = kept.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return queryset

    def _kept_for(self, values: dict) -> _Kept | None:
        """The kept SQL for these values, or None where the ORM writes it (another database,
        a None or empty value)."""
        if set(values) != set(self._kinds):
            raise TypeError(f"SqlOnce: values {sorted(values)}, expected {sorted(self._kinds)}")
        for name, value in values.items():
            kind = self._kinds[name]
            if value is None:
                continue
            if not (
                type(value) is kind
                or (kind is datetime.datetime and isinstance(value, kind))
                or (kind is int and isinstance(value, int) and not isinstance(value, bool))
            ) or (kind is list and any(type(item) is not int for item in value)):
                raise TypeError(f"SqlOnce: {name} is a {type(value).__name__}, not a {kind}")
        connection = connections[router.db_for_read(self._model)]
        if connection.vendor != "postgresql" or not all(values.values()):
            return None
        key = (connection.alias, timezone.get_current_timezone_name())
        kept = self._kept.get(key)
        if kept is None:
            kept = self._kept[key] = self._keep(connection)
        return kept

    def all(self, **values) -> list:
        """The queryset's rows for these values."""
        return list(self._queryset(values))

    def first(self, **values):
        """The first row for these values (build it with a slice, `[:1]`), or None."""
        rows = self.all(**values)
        return rows[0] if rows else None

    def page(self, *, offset: int, limit: int, **values) -> list:
        """`limit` rows from the `offset`-th (counted from 0) of the queryset for these values
        (build it ordered and unsliced), as `queryset[offset:offset + limit]` gives them: the
        kept SQL followed by `LIMIT %s OFFSET %s`, so that one SQL serves every page."""
        if offset < 0 or limit < 1:
            raise ValueError(f"SqlOnce: a page from {offset}, of {limit} rows")
        kept = self._kept_for(values)
        if kept is None:
            return list(self._build(**values)[offset : offset + limit])
        if not kept.pageable:
            raise ValueError("SqlOnce: a page of a sliced or combined queryset")
        queryset = self._queryset(values, after=" LIMIT %s OFFSET %s", more=(limit, offset))
        return list(queryset)

    def count(self, **values) -> int:
        """How many rows the queryset has for these values, as `queryset.count()` tells: on
        PostgreSQL, the kept SQL of its rows alone (without select_related and ordering, as
        Django counts; a sliced build's rows as they are) counted as a subquery."""
        kept = self._kept_for(values)
        if kept is None:
            return self._build(**values).count()
        sql, slots = kept.counting or (kept.sql, kept.slots)  # (sliced: its rows as they are)
        params = tuple(values[v] if kind == "value" else v for kind, v in slots)
        with _connection(kept).cursor() as cursor:
            counted = f"SELECT COUNT(*) FROM ({sql}) AS kept_rows"  # noqa: S608 (the ORM's SQL)
            cursor.execute(counted, params)
            return cursor.fetchone()[0]

    def rows(self, *, counted_by: SqlOnce | None = None, **values) -> KeptRows:
        """The rows for these values as Django's Paginator reads a list: `count()` and slices,
        each running the kept SQL (`page`, `count`). `counted_by`: another kept read of the same
        rows for the same values that counts them for less (values read through joins are
        counted with the joins; model instances with select_related, without)."""
        return KeptRows(self, values, counted_by=counted_by)


def _connection(kept: _Kept):
    """The connection a kept read runs on: one that prepares it, if it may be."""
    connection = connections[kept.alias]
    return preparing(connection) if kept.prepared else connection


def _kept_converters(kept: _Kept, compiler, expressions) -> dict:
    """`compiler.get_converters(expressions)`, worked out once per kept read and connection:
    the expressions are the kept compiler's own columns, the same objects on every call (and
    the converters, the connection's methods, keep it alive, so its id stays its own)."""
    key = (id(compiler.connection), tuple(map(id, expressions)))
    found = kept.converters.get(key)
    if found is None:
        found = kept.converters[key] = type(compiler).get_converters(compiler, expressions)
    return found


class KeptRows:
    """A kept read's rows for given values, as a list is given to Django's Paginator: `count()`
    (and `len`) and slices of consecutive rows (`rows[a:b]`, a list), each one query."""

    def __init__(self, kept: SqlOnce, values: dict, *, counted_by: SqlOnce | None = None):
        self._kept, self._values = kept, values
        self._counted_by = counted_by or kept
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self._counted_by.count(**self._values)
        return self._count

    __len__ = count

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("KeptRows are read a slice of consecutive rows at a time")
        start = item.start or 0
        if start < 0 or (item.stop is not None and item.stop < 0):
            raise ValueError("KeptRows take no negative index")
        if item.stop is None:
            raise ValueError("KeptRows are read a page at a time: give the slice's end")
        if item.stop <= start:
            return []
        return self._kept.page(offset=start, limit=item.stop - start, **self._values)


@IntegerField.register_lookup
@ForeignKey.register_lookup
class AnyOf(Lookup):
    """`field__any_of=ids`: the rows whose `field` is one of `ids` (a list of ints), as
    `field__in=ids` gives them. On PostgreSQL the list is one parameter (`= ANY(%s::bigint[])`,
    which uses the field's index as IN does), so SqlOnce can keep the SQL of a read of a list of
    ids of any length; elsewhere it is `IN (…)`."""

    lookup_name = "any_of"
    prepare_rhs = False  # the list stays a list: one parameter

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = list(self.rhs)
        if not ids:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*lhs_params, *ids]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, list(self.rhs)]


def int_parameter(value: int) -> RawSQL:
    """`value` as a plain SQL parameter, for a kept read's positions (`position__gte=…`): a
    `Value` is sent typed, and a plain number compared to an int column is first checked
    against the int's range, where SqlOnce's stand-ins are out of it."""
    return RawSQL("%s", (value,), output_field=IntegerField())
