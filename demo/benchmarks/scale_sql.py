"""What the full-size data set's builders share (demo/benchmarks/scale_data.py): the sizes,
the steps' timings, exact allocations of a total by skewed weights, explicit ids, and bulk
loading with a table's secondary indexes and foreign keys set aside and then restored (so that
PostgreSQL checks every foreign key again, in one pass, when they come back)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

# The full size of issue 16 (scale 1.0). Votes and comments are not named there: about 50 votes
# and 10 comments an idea, as in the demo's busier ideas.
FULL_SIZE: dict[str, int] = {
    "accounts": 20_000,
    "customers": 250_000,
    "events": 20_000_000,
    "gardens": 50,
    "posts": 100_000,
    "ideas": 2_000,
    "votes": 100_000,
    "comments": 20_000,
    "pilots": 200,
    "notifications": 500_000,
}
DAYS = 365  # a year of events and of daily snapshots
POSTS_PER_THREAD = 20


def targets(scale: float) -> dict[str, int]:
    """Each size at `scale`, rounded (at least 1)."""
    return {name: max(1, round(full * scale)) for name, full in FULL_SIZE.items()}


@dataclass
class Progress:
    """Prints each step as it ends, with its rows, seconds and rows per second."""

    say: Callable[[str], object]
    steps: list[tuple[str, int, float]] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[list[int]]:
        """Time the block; it appends the rows it wrote to the yielded list."""
        rows: list[int] = []
        self.say(f"  {name}…")
        started = time.perf_counter()
        yield rows
        seconds = time.perf_counter() - started
        written = sum(rows)
        self.steps.append((name, written, seconds))
        rate = f"{written / seconds:>12,.0f} rows/s" if seconds > 0 and written else ""
        self.say(f"  {name:<34} {written:>12,} rows {seconds:8.1f} s {rate}")


def execute(sql: str, params: list | dict | None = None) -> int:
    """Run one statement; its row count. (Always with parameters, so that `%%` is `%`.)"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [] if params is None else params)
        return max(cursor.rowcount, 0)


def scalar(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, [] if params is None else params)
        row = cursor.fetchone()
        return row[0] if row else None


def next_id(table: str) -> int:
    """The first free id of `table`: rows are inserted with explicit ids from here, so that
    a row's id follows from its number, and `ids_settle` moves the sequence past them."""
    return int(scalar(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"))  # noqa: S608


def ids_settle(table: str) -> None:
    """Move `table`'s id sequence past its largest id (after inserts with explicit ids)."""
    execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def allocation_sql(*, source: str, weight: str, total: str, minimum: int = 0) -> str:
    """SQL selecting `source`'s rows with `share`: `minimum` each and the rest of `total`
    split by `weight`, exactly (the largest remainders get one more). `source` must have a
    unique column `n` that orders it."""
    return f"""
        SELECT s.*, {minimum} + floor(s.exact)::bigint
            + (row_number() OVER (ORDER BY s.exact - floor(s.exact) DESC, s.n)
               <= s.rest - sum(floor(s.exact)) OVER ())::int AS share
        FROM (
            SELECT src.*, ({total} - {minimum} * count(*) OVER ())
                * ({weight}) / sum({weight}) OVER () AS exact,
                ({total} - {minimum} * count(*) OVER ()) AS rest
            FROM {source} src
        ) s
    """  # noqa: S608 (our own SQL fragments)


@contextmanager
def bulk_loading(table: str) -> Iterator[None]:
    """Set aside `table`'s secondary indexes and foreign keys while a block loads it, then
    build them again: one sort per index instead of millions of inserts into each, and every
    foreign key validated once over the whole table when it is added back."""
    with connection.cursor() as cursor:
        # Deferred checks of rows written earlier in this transaction fire now (ALTER TABLE
        # refuses a table with pending trigger events).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """
            SELECT c.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique
            """,
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        foreign_keys = cursor.fetchall()
        for name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"ANALYZE {table}")
