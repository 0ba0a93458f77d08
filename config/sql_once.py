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
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import ForeignKey, IntegerField, Lookup, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

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


class SqlOnce:
    def __init__(self, model, build: Callable[..., QuerySet], **kinds: type):
        for name, kind in kinds.items():
            if kind not in _KINDS:
                raise TypeError(f"SqlOnce: {name} is a {kind}; values are one of {_KINDS}")
        self._model, self._build, self._kinds = model, build, kinds
        self._kept: dict[tuple[str, str], _Kept] = {}

    def _stand_ins(self) -> dict:
        return {name: _stand_in(kind, next(_serial)) for name, kind in self._kinds.items()}

    def _compiled(self, connection, values: dict) -> tuple[QuerySet, object, str, list]:
        with connection.execute_wrapper(_refuse_queries):
            queryset = self._build(**values)
        if queryset.model is not self._model:
            raise ValueError(f"SqlOnce: a queryset of {queryset.model}, not of {self._model}")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        return queryset, compiler, sql, list(params)

    def _keep(self, connection) -> _Kept:
        first, second = self._stand_ins(), self._stand_ins()
        queryset, compiler, sql, params = self._compiled(connection, first)
        _q, _c, other_sql, other_params = self._compiled(connection, second)
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
        return _Kept(queryset, compiler, sql, tuple(slots))

    def _queryset(self, values: dict) -> QuerySet:
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
            return self._build(**values)
        key = (connection.alias, timezone.get_current_timezone_name())
        kept = self._kept.get(key)
        if kept is None:
            kept = self._kept[key] = self._keep(connection)
        params = tuple(values[v] if kind == "value" else v for kind, v in kept.slots)
        compiler = kept.compiler.__class__.__new__(kept.compiler.__class__)
        compiler.__dict__.update(kept.compiler.__dict__, connection=connection)
        compiler.as_sql = lambda *args, **kwargs: (kept.sql, params)
        queryset = kept.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return queryset

    def all(self, **values) -> list:
        """The queryset's rows for these values."""
        return list(self._queryset(values))

    def first(self, **values):
        """The first row for these values (build it with a slice, `[:1]`), or None."""
        rows = self.all(**values)
        return rows[0] if rows else None


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
