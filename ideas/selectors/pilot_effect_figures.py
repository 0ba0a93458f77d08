"""The statistics of a pilot's effect against matched accounts (docs/product.md, "Pilot effect
against matched accounts"): the nearest-neighbour match on the variables before the pilot, and
the difference-in-differences of a two-period panel, estimated by statsmodels' ordinary least
squares with standard errors clustered by account (no estimator is written by hand here).

`ideas.selectors.pilot_effect` reads the rows and calls these; the page, the API and the CSV
show what they return, rounded once there.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy

from community.statistics import round_half_up, round_half_up_to

# A two-sided 95% interval.
ALPHA = 0.05


class MatchPoint(NamedTuple):
    """An account as the match sees it: its segment and the three matching variables (a named
    tuple: a pilot's effect makes one for each of thousands of candidates)."""

    account_id: int
    segment: str
    score: float  # its score on the day before the pilot (latest snapshot in the 90 days)
    trend: float  # that score − its first score in the 90 days before the pilot
    contract_value: float  # annual contract value


MATCH_VARIABLES = ("score", "trend", "contract_value")


def _scales(points: Sequence[MatchPoint]) -> dict[str, float]:
    """Each variable's population standard deviation over every account considered (1 where it
    does not vary), so that a point of score and a euro of contract value weigh alike."""
    columns = dict(zip(MatchPoint._fields, zip(*points, strict=True), strict=False))  # none: {}
    scales = {}
    for name in MATCH_VARIABLES:
        values = numpy.asarray(columns.get(name, ()), dtype=float)
        spread = float(values.std()) if len(values) > 1 else 0.0  # over n: the population's
        scales[name] = spread if spread > 0 else 1.0
    return scales


def match_distance(a: MatchPoint, b: MatchPoint, scales: dict[str, float]) -> float:
    """Euclidean distance over the standardised matching variables."""
    return math.sqrt(
        sum(((getattr(a, n) - getattr(b, n)) / scales[n]) ** 2 for n in MATCH_VARIABLES)
    )


def nearest_matches(
    participants: Sequence[MatchPoint], candidates: Sequence[MatchPoint]
) -> dict[int, int | None]:
    """Each participant's matched account: in the order given, each takes the nearest candidate
    of its own segment not yet taken (one to one, without replacement; a tie goes to the lower
    account id). None when its segment has no candidate left."""
    scales = _scales([*participants, *candidates])
    taken: set[int] = set()
    matches: dict[int, int | None] = {}
    for participant in participants:
        pool = [
            c for c in candidates if c.segment == participant.segment and c.account_id not in taken
        ]
        if not pool:
            matches[participant.account_id] = None
            continue
        best = min(pool, key=lambda c: (match_distance(participant, c, scales), c.account_id))
        taken.add(best.account_id)
        matches[participant.account_id] = best.account_id
    return matches


@dataclass(frozen=True)
class PanelRow:
    """One account in one period: its value (a mean score, or 1/0 for an outcome)."""

    account_id: int
    participant: bool
    after: bool
    value: float


@dataclass(frozen=True)
class DidEstimate:
    """The difference-in-differences (participants' change − matched accounts' change), its 95%
    interval, the four means it is the difference of, and the accounts in each group."""

    estimate: float
    low: float
    high: float
    participants_before: float
    participants_after: float
    matched_before: float
    matched_after: float
    participants_n: int
    matched_n: int


def _mean(rows: Sequence[PanelRow], *, participant: bool, after: bool) -> float:
    return statistics.fmean(
        r.value for r in rows if r.participant == participant and r.after == after
    )


def did_estimate(rows: Sequence[PanelRow]) -> DidEstimate:
    """The OLS fit of value = b0 + b1·participant + b2·after + b3·participant·after, with errors
    clustered by account (statsmodels' CR1: G/(G − 1)·(N − 1)/(N − K)) and Student's t with
    G − 1 degrees of freedom for the interval, G the number of accounts. b3 is the estimate; on
    a balanced panel (each account in both periods) it equals the difference of the four means.
    Needs at least two accounts in each group, each in both periods (the caller's minimum is
    higher)."""
    import numpy as np  # imported when an estimate is asked for, not with every page
    from statsmodels.regression.linear_model import OLS

    participant = np.array([float(r.participant) for r in rows])
    after = np.array([float(r.after) for r in rows])
    design = np.column_stack([np.ones(len(rows)), participant, after, participant * after])
    values = np.array([r.value for r in rows], dtype=float)
    groups = np.array([r.account_id for r in rows])
    fit = OLS(values, design).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    low, high = fit.conf_int(alpha=ALPHA)[3]
    estimate = float(fit.params[3])
    if not (math.isfinite(low) and math.isfinite(high)):  # no spread at all: no uncertainty left
        low = high = estimate
    return DidEstimate(
        estimate=estimate,
        low=float(low),
        high=float(high),
        participants_before=_mean(rows, participant=True, after=False),
        participants_after=_mean(rows, participant=True, after=True),
        matched_before=_mean(rows, participant=False, after=False),
        matched_after=_mean(rows, participant=False, after=True),
        participants_n=len({r.account_id for r in rows if r.participant}),
        matched_n=len({r.account_id for r in rows if not r.participant}),
    )


# --- As shown ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectFigure:
    """One difference-in-differences as shown: rounded once (score points to one decimal,
    outcomes in whole percentage points), or "too few to say" with the reason."""

    key: str
    label: str
    unit: str  # "points" or "percentage points"
    participants_n: int
    matched_n: int
    too_few: bool
    why: str = ""  # why too few
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    participants_before: float | None = None
    participants_after: float | None = None
    matched_before: float | None = None
    matched_after: float | None = None

    @property
    def reading(self) -> str:
        return figure_reading(self)


def _round(value: float, *, places: int, scale: int) -> float:
    if places == 0:
        return round_half_up(scale * value)
    return round_half_up_to(scale * value, places)


def figure_shown(figure: dict, did: DidEstimate, *, places: int, scale: int) -> EffectFigure:
    def shown(value: float) -> float:
        return _round(value, places=places, scale=scale)

    return EffectFigure(
        **figure,
        participants_n=did.participants_n,
        matched_n=did.matched_n,
        too_few=False,
        estimate=shown(did.estimate),
        low=shown(did.low),
        high=shown(did.high),
        participants_before=shown(did.participants_before),
        participants_after=shown(did.participants_after),
        matched_before=shown(did.matched_before),
        matched_after=shown(did.matched_after),
    )


# --- In words ---------------------------------------------------------------------------------


def _number(value: float) -> str:
    """7.0 → "7", 7.5 → "7.5", −2 → "−2" (a true minus sign)."""
    text = f"{value:.1f}".removesuffix(".0").replace("-", "−")
    return "0" if text == "−0" else text


def figure_reading(figure: EffectFigure) -> str:
    """One figure in words: "participants' scores rose 7 points more than similar accounts'
    (95% interval 2 to 12)"; with "may be chance" when the interval includes no difference."""
    if figure.too_few:
        return {
            "score": "too few matched accounts yet to say how scores moved",
            "renewal": "too few renewals yet to say",
            "expansion": "too few expansions yet to say",
        }[figure.key]
    size = abs(figure.estimate)
    more = "more" if figure.estimate >= 0 else "less"
    if figure.key == "score":
        unit = "point" if size == 1 else "points"
        text = f"participants' scores rose {_number(size)} {unit} {more} than similar accounts'"
    else:
        verb = "renewed or expanded" if figure.key == "renewal" else "expanded"
        text = (
            f"participants {verb} {_number(size)} percentage points {more} often than similar "
            "accounts"
        )
    text += f" (95% interval {_number(figure.low)} to {_number(figure.high)})"
    if figure.low <= 0 <= figure.high:
        text += ", which includes no difference: it may be chance"
    return text


def effect_reading(figures: list[EffectFigure]) -> str:
    """The score and the renewals in one sentence (expansions are in the table)."""
    parts = [f.reading for f in figures if f.key in ("score", "renewal")]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
