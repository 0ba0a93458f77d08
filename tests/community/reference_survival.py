"""The Cox partial likelihood written out by hand, for the loyalty tests: no lifelines, no
product code. For rows (start, stop, event, x) with no two events on the same day, the
coefficient of the single covariate x maximises

    ℓ(β) = Σ over events of x·β − log Σ over the rows at risk then (start < day ≤ stop) of e^(x·β)

and its standard error is 1 / √(−ℓ''(β̂)) (the observed information)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy.optimize import minimize_scalar

Row = tuple[int, int, bool, int]  # start, stop, event, x


def log_partial_likelihood(rows: Sequence[Row], beta: float) -> float:
    event_days = [stop for _, stop, event, _ in rows if event]
    assert len(event_days) == len(set(event_days)), "ties: this reference is for untied events"
    total = 0.0
    for _, stop, event, x in rows:
        if event:
            at_risk = [row for row in rows if row[0] < stop <= row[1]]
            total += x * beta - math.log(sum(math.exp(row[3] * beta) for row in at_risk))
    return total


def cox_by_hand(rows: Sequence[Row]) -> tuple[float, float]:
    """(β̂, its standard error)."""
    best = minimize_scalar(
        lambda b: -log_partial_likelihood(rows, b),
        bounds=(-6, 6),
        method="bounded",
        options={"xatol": 1e-10},
    )
    h = 1e-4
    second = (
        log_partial_likelihood(rows, best.x + h)
        - 2 * log_partial_likelihood(rows, best.x)
        + log_partial_likelihood(rows, best.x - h)
    ) / h**2
    return best.x, math.sqrt(-1 / second)
