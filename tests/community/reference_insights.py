"""Levels at the time, and outcome rates by level at the time, worked out plainly from
docs/product.md ("Insights") and the raw rows (loyalty outcomes, engagement snapshots): no
product function is called. For the tests that hold the insights page, its CSV and its API (and
a harvest's reach by level) against the rows at any moment, after a late event's repair too,
when the levels at the time move."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from accounts.models import Account
from community.models import EngagementSnapshot, LoyaltyOutcome

DECISIONS = ("renewed", "expanded", "contracted", "churned")
ADVOCACY = ("referred", "advocated")
NOT_KNOWN = "not_computed"
Z = 1.959964


@dataclass(frozen=True)
class Rate:
    accounts: int  # k
    of: int  # n
    percent: int | None
    low: float | None  # the Wilson interval's ends, unrounded (0–1)
    high: float | None


def whole_percent(exact: Fraction | float) -> int:
    """A share (0–1) as a whole percentage, halves up."""
    value = Decimal(Fraction(exact).numerator * 100) / Decimal(Fraction(exact).denominator)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    denominator = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denominator
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denominator
    return (0.0 if k == 0 else centre - half), (1.0 if k == n else centre + half)


def level_on_day(snapshots: list[tuple[dt.date, str]], day: dt.date) -> str:
    """The level of the snapshot of `day`, or of the latest one before it."""
    before = [(d, level) for d, level in snapshots if d <= day]
    return max(before)[1] if before else NOT_KNOWN


def reference_rates(
    *, period_from: dt.date, period_to: dt.date, segment: str = ""
) -> dict[tuple[str, str], Rate]:
    """(level, outcome kind) → its rate, for every level some account decided at or held (and
    "level not known yet" when an outcome fell there), over every account."""
    accounts = Account.objects.all()
    if segment:
        accounts = accounts.filter(segment=segment)
    snapshots: dict[int, list[tuple[dt.date, str]]] = {a.pk: [] for a in accounts}
    for account_id, day, level in EngagementSnapshot.objects.filter(
        account__in=accounts
    ).values_list("account_id", "day", "level"):
        snapshots[account_id].append((day, level))
    with_kind: dict[tuple[str, str], set[int]] = {}
    decided: dict[str, set[int]] = {}
    for account_id, kind, day in LoyaltyOutcome.objects.filter(
        account__in=accounts, occurred_on__gte=period_from, occurred_on__lte=period_to
    ).values_list("account_id", "kind", "occurred_on"):
        level = level_on_day(snapshots[account_id], day)
        with_kind.setdefault((level, kind), set()).add(account_id)
        if kind in DECISIONS:
            decided.setdefault(level, set()).add(account_id)
    held: dict[str, set[int]] = {}
    for account_id, days in snapshots.items():
        held.setdefault(level_on_day(days, period_from), set()).add(account_id)
        for day, level in days:
            if period_from < day <= period_to:
                held.setdefault(level, set()).add(account_id)
    levels = {level for level, _ in with_kind} | set(decided) | set(held)
    rates = {}
    for level in levels:
        for kind in (*DECISIONS, *ADVOCACY):
            k = len(with_kind.get((level, kind), ()))
            n = len(decided.get(level, ())) if kind in DECISIONS else len(held.get(level, ()))
            low, high = _wilson(k, n) if n else (None, None)
            percent = whole_percent(Fraction(k, n)) if n else None
            rates[level, kind] = Rate(k, n, percent, low, high)
    return rates


def percent_of(shown: int | None, exact: float | None) -> bool:
    """Whether `shown` is the whole percentage of the share `exact`, halves up; within a hair
    of a half either neighbour will do (two correct float computations may land either side)."""
    if exact is None or shown is None:
        return exact is None and shown is None
    value = exact * 100
    if abs(value - math.floor(value) - 0.5) < 1e-9:
        return shown in (math.floor(value), math.ceil(value))
    return shown == whole_percent(exact)
