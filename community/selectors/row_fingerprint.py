"""A fingerprint of the rows a result is computed from, to remember the result under
(config/results_cache.py): any changed, added or removed row gives another fingerprint, so a
remembered result is never stale. On PostgreSQL it is computed where the rows lie, from an index
when one holds the columns: their number and the sum of a 64-bit hash of each row's (account,
day, kind). Elsewhere (the demo's SQLite) it is a digest of the rows read."""

from __future__ import annotations

import hashlib

from django.db import connections
from django.db.models import BigIntegerField, Count, DecimalField, F, Func, QuerySet, Sum


class _RowHash(Func):
    """PostgreSQL's 64-bit hash of a row's (account, day, kind): the account and the day make
    one number (days since 2000 take 20 bits), the kind's text hash is the seed."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        (account, account_params), (day, day_params), (kind, kind_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql = (
            f"hashint8extended({account}::bigint * 1048576 + ({day} - date '2000-01-01'), "
            f"hashtext({kind}))"
        )
        return sql, (*account_params, *day_params, *kind_params)


def rows_fingerprint(rows: QuerySet, *, day: str, kind: str) -> str:
    """A fingerprint of the (account, day, kind) of every row: on PostgreSQL their number and
    the sum of a 64-bit hash of each, computed where they lie (nothing is sent over); elsewhere
    (the demo's SQLite) a digest of the rows read."""
    if connections[rows.db].vendor == "postgresql":
        found = rows.order_by().aggregate(
            n=Count("*"),  # not the id: the partial index of level changes has no id
            total=Sum(_RowHash(F("account_id"), F(day), F(kind)), output_field=DecimalField()),
        )
        return f"{found['n']}:{found['total']}"
    digest = hashlib.sha256()
    for account_id, on, value in rows.order_by("pk").values_list("account_id", day, kind):
        digest.update(f"{account_id},{on},{value};".encode())
    return digest.hexdigest()


class _IdHash(Func):
    """PostgreSQL's 64-bit hash of an id."""

    output_field = BigIntegerField()
    template = "hashint8extended(%(expressions)s::bigint, 0)"


def ids_fingerprint(ids: QuerySet) -> str:
    """A fingerprint of a set of ids (a `values("pk")` queryset): which rows a result covers,
    when some of them may have no rows of their own to fingerprint. On PostgreSQL their number
    and the sum of a 64-bit hash of each; elsewhere a digest of the sorted ids."""
    column = next(iter(ids.query.values_select), "pk")
    if connections[ids.db].vendor == "postgresql":
        found = ids.order_by().aggregate(
            n=Count("*"), total=Sum(_IdHash(F(column)), output_field=DecimalField())
        )
        return f"{found['n']}:{found['total']}"
    return hashlib.sha256(repr(sorted(ids.values_list(column, flat=True))).encode()).hexdigest()
