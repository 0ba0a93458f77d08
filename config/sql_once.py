"""Reads that every API call makes, whose SQL the ORM writes once per process instead of on
every call (issue 16, item 4: writing the SQL of a four-table query cost more than running it).

`SqlWrittenOnce(model, build)`: `build(value)` is the ORM's queryset of `model` for one value (a
person's id); the first call writes its SQL with a marker for the value, and every call runs
that SQL with the value in its place, through a cursor of the database the queryset would read
from (the router's for `model`). The
rows are what the queryset's `values_list` gives, for columns the database returns as Python
values with no conversion by Django (text, integers: checked when the SQL is written).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections, router
from django.db.models import QuerySet

# Stands for the value while the SQL is written: no real id or key is ever this.
_MARKER = -7_310_486_219


class SqlWrittenOnce:
    def __init__(self, model, build: Callable[[object], QuerySet]):
        self._model, self._build = model, build
        self._written: dict[tuple[str, str], tuple[str, int]] = {}

    def _sql(self, connection) -> tuple[str, int]:
        key = (connection.alias, connection.vendor)
        if key not in self._written:
            queryset = self._build(_MARKER)
            if queryset.model is not self._model:
                raise ValueError(f"A queryset of {queryset.model}, not of {self._model}")
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            if not params or any(p != _MARKER for p in params):
                raise ValueError(f"Not one value in its parameters: {params!r}")
            if any(compiler.get_converters([col for col, _sql, _alias in compiler.select])):
                raise ValueError("Its columns need Django's conversion: run it through the ORM")
            self._written[key] = (sql, len(params))
        return self._written[key]

    def rows(self, value) -> list[tuple]:
        connection = connections[router.db_for_read(self._model)]
        sql, count = self._sql(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [value] * count)
            return cursor.fetchall()
