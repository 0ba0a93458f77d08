"""Time-to-event estimates for loyalty over time (community/selectors/loyalty.py), computed by
lifelines, never by hand: the Kaplan–Meier product-limit curve with late entry, and the Cox
proportional-hazards model on (start, stop] rows whose covariates may change over time.

- **Kaplan–Meier** (`kaplan_meier`): lifelines' `KaplanMeierFitter` with `entry`, so a row is
  at risk on (start, stop] only: a row that starts at day 30 is not at risk of an event on day
  30 (the Simon–Makuch curve of a level that changes over time: each stretch at the level
  enters the risk set when it starts). The 95% interval is lifelines' default, the exponential
  Greenwood interval (log(−log) transform).
- **Cox** (`cox_time_varying`): lifelines' `CoxTimeVaryingFitter` (Efron's ties, no
  penalty), on rows of (id, start, stop, event, covariates…). Each covariate's coefficient, its
  standard error, the hazard ratio exp(coef) and its 95% Wald interval exp(coef ± 1.96 se).
  A fit that does not converge is reported as none (`CoxFit.converged` False), never shown.

lifelines, pandas and numpy are imported when a figure is first asked for, not when Django
starts: only the insights' loyalty section uses them.
"""

from __future__ import annotations

import math
import warnings
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from community.statistics import Z_975


@dataclass(frozen=True)
class SurvivalPoint:
    """The curve on day `day` (after that day's events), with its 95% interval and how many
    rows were at risk of an event on that day (on the first point, the start: those at risk on
    the day after it)."""

    day: int
    survival: float
    low: float
    high: float
    at_risk: int


@dataclass(frozen=True)
class KaplanMeier:
    points: list[SurvivalPoint]  # the first start (1.0) and every day with an event, in order

    def at(self, day: int) -> SurvivalPoint:
        """The curve on `day`: the last point on or before it (the curve is a step function)."""
        return [point for point in self.points if point.day <= day][-1]


class RiskSet:
    """How many rows are at risk of an event on a day: start < day ≤ stop (by bisection, so
    that asking on every day of a long period stays cheap)."""

    def __init__(self, *, starts: Sequence[int], stops: Sequence[int]) -> None:
        self._starts, self._stops = sorted(starts), sorted(stops)

    def on(self, day: int) -> int:
        return bisect_left(self._starts, day) - bisect_left(self._stops, day)


def kaplan_meier(
    *, starts: Sequence[int], stops: Sequence[int], events: Sequence[bool]
) -> KaplanMeier | None:
    """The product-limit curve of rows at risk on (start, stop], an event at `stop` when
    `events` says so (else censored there), from the first start on. Needs at least one row.
    None where lifelines refuses it: its risk set empties early on (the caller keeps risk sets
    large enough, see community.selectors.loyalty)."""
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError

    fitter = KaplanMeierFitter(alpha=0.05)
    try:
        fitter.fit(durations=list(stops), event_observed=list(events), entry=list(starts))
    except StatError:  # the risk set emptied early: lifelines will not estimate it
        return None
    curve = fitter.survival_function_.iloc[:, 0]
    interval = fitter.confidence_interval_
    risk = RiskSet(starts=starts, stops=stops)
    begin = min(starts)
    points = [SurvivalPoint(begin, 1.0, 1.0, 1.0, risk.on(begin + 1))]
    event_days = sorted({stop for stop, event in zip(stops, events, strict=True) if event})
    for day in event_days:
        survival = float(curve.loc[day])
        low, high = (float(interval.iloc[:, i].loc[day]) for i in (0, 1))
        points.append(
            SurvivalPoint(
                day=day,
                survival=survival,
                # lifelines leaves the interval empty (NaN) where the curve is still 1 or is 0
                low=survival if math.isnan(low) else low,
                high=survival if math.isnan(high) else high,
                at_risk=risk.on(day),
            )
        )
    return KaplanMeier(points=points)


@dataclass(frozen=True)
class CoxTerm:
    coef: float
    se: float

    @property
    def hazard_ratio(self) -> float:
        return math.exp(self.coef)

    @property
    def low(self) -> float:
        return math.exp(self.coef - Z_975 * self.se)

    @property
    def high(self) -> float:
        return math.exp(self.coef + Z_975 * self.se)


@dataclass(frozen=True)
class CoxFit:
    converged: bool
    terms: dict[str, CoxTerm]  # by covariate; empty when the fit did not converge


def cox_time_varying(
    frame, *, id_col: str, start_col: str, stop_col: str, event_col: str
) -> CoxFit:
    """The Cox model of `frame` (a pandas DataFrame: one row per subject and stretch of time,
    every other column a covariate), fitted by lifelines' CoxTimeVaryingFitter."""
    from lifelines import CoxTimeVaryingFitter
    from lifelines.exceptions import ConvergenceError, ConvergenceWarning

    fitter = CoxTimeVaryingFitter(alpha=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            fitter.fit(
                frame,
                id_col=id_col,
                start_col=start_col,
                stop_col=stop_col,
                event_col=event_col,
            )
        except (ConvergenceError, ConvergenceWarning, ZeroDivisionError, ValueError):
            return CoxFit(converged=False, terms={})
    terms = {
        str(name): CoxTerm(
            coef=float(fitter.params_[name]), se=float(fitter.standard_errors_[name])
        )
        for name in fitter.params_.index
    }
    if not all(math.isfinite(t.coef) and math.isfinite(t.se) for t in terms.values()):
        return CoxFit(converged=False, terms={})
    return CoxFit(converged=True, terms=terms)
