"""Expectation calibration (docs/product.md, "Expectation calibration"): did a pilot's "what to
expect" promise set expectations where the product team aimed, and how does an account's
expectation move from pilot to pilot?

Per pilot and dimension (`pilot_calibration`): the target experience the product team set in
the instrument designer (the newest instrument that has the dimension), the pilot's promise
(`Pilot.what_to_expect`: one per pilot, shown with every dimension's figures), the
participants' mean expected and mean experienced rating with n and a 95% t-interval, and the
verdict: the promise lifted expectations above the target when the mean expected rating, as
shown (2 decimals), is above the target, with at least MIN_PARTICIPANTS expectations; under
that, "too few to say" and no number.

Per account and dimension (`account_expectation_drift`): the account's own members' mean
expected rating in each pilot they gave one in, in the pilots' time order (first day, then id);
the change from the account's previous pilot with enough answers, and the drift from its first
such pilot to its last, each with a 95% Welch interval (statsmodels). A pilot with fewer than
MIN_PARTICIPANTS of the account's members answering is "too few to say" and takes no part in a
change.

Which answers count, and each member's latest rating, are ideas/selectors/perception.py's;
means and intervals are rounded once, to 2 decimals, halves away from zero, by
ideas/selectors/results_figures.py (`mean_figure`, `interval_figure`, `two_places`), as on the
results page. Queries: `pilot_calibration` 2 (the dimensions with their targets, the answers),
`account_expectation_drift` 3 (the answers, the pilots, the dimensions' labels).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import TextChoices

from accounts.models import Account
from ideas.models import Dimension, Pilot
from ideas.selectors.perception import PersonPerception, people_perception
from ideas.selectors.results_figures import (
    MIN_PARTICIPANTS,
    IntervalFigure,
    interval_figure,
    mean_figure,
    two_places,
)


class Verdict(TextChoices):
    ABOVE_TARGET = "above_target", "The promise lifted expectations above the target"
    WITHIN_TARGET = "within_target", "Expectations at or below the target"
    TOO_FEW = "too_few", "Too few to say"
    NO_TARGET = "no_target", "No target set"


# --- A mean rating, shown only with enough answers ----------------------------------------------


@dataclass(frozen=True)
class RatingFigure:
    """A mean rating (1–7) over `n` people: the mean and its 95% t-interval to 2 decimals, or
    None for both under MIN_PARTICIPANTS ("too few to say")."""

    n: int
    mean: Decimal | None = None
    interval: IntervalFigure | None = None
    exact: Fraction | None = None  # the unrounded mean, for differences rounded once

    @property
    def too_few(self) -> bool:
        return self.n < MIN_PARTICIPANTS


def rating_figure(values: Sequence[int]) -> RatingFigure:
    """The mean of whole-number ratings (as `mean_figure` rounds it for the results page) and
    its interval, when at least MIN_PARTICIPANTS gave one."""
    if len(values) < MIN_PARTICIPANTS:
        return RatingFigure(n=len(values))
    return RatingFigure(
        n=len(values),
        mean=mean_figure(values),
        interval=interval_figure(values),
        exact=Fraction(sum(values), len(values)),
    )


def calibration_verdict(*, target: Decimal | None, expected: RatingFigure) -> str:
    """Above the target when the shown mean expectation exceeds it (enough answers)."""
    if target is None:
        return Verdict.NO_TARGET
    if expected.mean is None:
        return Verdict.TOO_FEW
    return Verdict.ABOVE_TARGET if expected.mean > target else Verdict.WITHIN_TARGET


# --- A pilot's calibration ---------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionCalibration:
    key: str
    label: str
    target: Decimal | None
    expected: RatingFigure
    experienced: RatingFigure
    verdict: str

    @property
    def verdict_label(self) -> str:
        return Verdict(self.verdict).label

    @property
    def flagged(self) -> bool:
        return self.verdict == Verdict.ABOVE_TARGET

    @property
    def expected_over_target(self) -> Decimal | None:
        """Shown mean expected − target (both exact decimals: no second rounding)."""
        if self.target is None or self.expected.mean is None:
            return None
        return self.expected.mean - self.target

    @property
    def experienced_over_target(self) -> Decimal | None:
        """Shown mean experienced − target: below zero, the experience fell short of the aim."""
        if self.target is None or self.experienced.mean is None:
            return None
        return self.experienced.mean - self.target


@dataclass(frozen=True)
class PilotCalibration:
    pilot: Pilot
    promise: str  # the pilot's "what to expect", one per pilot
    dimensions: list[DimensionCalibration]

    @property
    def min_participants(self) -> int:
        return MIN_PARTICIPANTS

    @property
    def flagged(self) -> list[DimensionCalibration]:
        return [d for d in self.dimensions if d.flagged]

    @property
    def has_targets(self) -> bool:
        return any(d.target is not None for d in self.dimensions)


def dimension_calibration(
    *, key: str, label: str, target: Decimal | None, people: Iterable[PersonPerception]
) -> DimensionCalibration:
    people = list(people)
    expected = rating_figure([p.expected[key] for p in people if key in p.expected])
    experienced = rating_figure([p.experienced[key] for p in people if key in p.experienced])
    return DimensionCalibration(
        key=key,
        label=label,
        target=target,
        expected=expected,
        experienced=experienced,
        verdict=calibration_verdict(target=target, expected=expected),
    )


def pilot_calibration(*, pilot: Pilot) -> PilotCalibration:
    """Every dimension of the pilot (the newest instrument's order, then dimensions only older
    versions had), with its target and the participants' expectation and experience."""
    dimensions: dict[str, tuple[str, Decimal | None]] = {}
    for key, label, target in (
        Dimension.objects.filter(instrument__pilot=pilot)
        .order_by("-instrument__version", "position", "pk")
        .values_list("key", "label", "target")
    ):
        dimensions.setdefault(key, (label, target))
    people = list(people_perception(response__enrolment__pilot=pilot).values())
    return PilotCalibration(
        pilot=pilot,
        promise=pilot.what_to_expect,
        dimensions=[
            dimension_calibration(key=key, label=label, target=target, people=people)
            for key, (label, target) in dimensions.items()
        ],
    )


CALIBRATION_TABLE_HEADER = [
    "dimension",
    "dimension label",
    "target",
    "expected_mean",
    "expected_n",
    "expected_interval_low",
    "expected_interval_high",
    "experienced_mean",
    "experienced_n",
    "experienced_interval_low",
    "experienced_interval_high",
    "expected_over_target",
    "experienced_over_target",
    "verdict",
    "reads",
]


def pilot_calibration_table(*, calibration: PilotCalibration) -> list[list[object]]:
    """The calibration as the page shows it, one row per dimension (CALIBRATION_TABLE_HEADER);
    an empty cell where the page says "too few to say" or "—"."""
    rows: list[list[object]] = []
    for d in calibration.dimensions:
        e, x = d.expected, d.experienced
        rows.append(
            [
                d.key,
                d.label,
                d.target,
                e.mean,
                e.n,
                e.interval and e.interval.low,
                e.interval and e.interval.high,
                x.mean,
                x.n,
                x.interval and x.interval.low,
                x.interval and x.interval.high,
                d.expected_over_target,
                d.experienced_over_target,
                d.verdict,
                d.verdict_label,
            ]
        )
    return rows


# --- An account's expectation drift ------------------------------------------------------------


@dataclass(frozen=True)
class DriftPoint:
    """The account's members' mean expectation on one dimension in one pilot."""

    pilot: Pilot
    expected: RatingFigure
    change: Decimal | None = None  # from the previous point with enough answers
    change_interval: IntervalFigure | None = None
    values: tuple[int, ...] = ()


@dataclass
class DimensionDrift:
    key: str
    label: str
    points: list[DriftPoint] = field(default_factory=list)  # the pilots' time order
    drift: Decimal | None = None  # last point with enough answers − the first
    drift_interval: IntervalFigure | None = None
    cells: list[DriftPoint | None] = field(default_factory=list)  # per pilot of AccountDrift

    @property
    def counted(self) -> list[DriftPoint]:
        return [p for p in self.points if not p.expected.too_few]

    @property
    def too_few(self) -> bool:
        """Fewer than two pilots with enough answers: no change to speak of."""
        return len(self.counted) < 2


@dataclass(frozen=True)
class AccountDrift:
    account: Account
    pilots: list[Pilot]  # in time order: those where its members gave an expectation
    dimensions: list[DimensionDrift]

    @property
    def min_participants(self) -> int:
        return MIN_PARTICIPANTS


def difference_interval(before: Sequence[int], after: Sequence[int]) -> IntervalFigure | None:
    """The 95% Welch interval of mean(after) − mean(before) (two independent samples, unequal
    variances: statsmodels' CompareMeans), to 2 decimals; None when it is undefined (a sample
    of one, or no spread in either sample)."""
    if len(before) < 2 or len(after) < 2 or (len(set(before)) == 1 and len(set(after)) == 1):
        return None
    # Imported here: statsmodels takes a second to load, and only this figure needs it.
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    compare = CompareMeans(
        DescrStatsW([float(v) for v in after]), DescrStatsW([float(v) for v in before])
    )
    low, high = compare.tconfint_diff(alpha=0.05, usevar="unequal")
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return IntervalFigure(low=two_places(float(low)), high=two_places(float(high)))


def _changes(drift: DimensionDrift) -> DimensionDrift:
    """Each counted point's change from the counted point before it; the drift first → last."""
    previous: DriftPoint | None = None
    points = []
    for point in drift.points:
        if point.expected.too_few:
            points.append(point)
            continue
        if previous is not None:
            point = DriftPoint(
                pilot=point.pilot,
                expected=point.expected,
                change=two_places(point.expected.exact - previous.expected.exact),
                change_interval=difference_interval(previous.values, point.values),
                values=point.values,
            )
        points.append(point)
        previous = point
    drift.points = points
    counted = drift.counted
    if len(counted) >= 2:
        first, last = counted[0], counted[-1]
        drift.drift = two_places(last.expected.exact - first.expected.exact)
        drift.drift_interval = difference_interval(first.values, last.values)
    return drift


def account_people_perception(*, account: Account) -> dict[tuple, PersonPerception]:
    """The perception of each of the account's members in each pilot, keyed by (enrolment id,
    pilot id): what its expectation drift and its pilots' figures
    (ideas.selectors.account_pilots) are computed from. One query."""
    return people_perception(
        by=("response__enrolment__pilot_id",), response__enrolment__account=account
    )


def account_expectation_drift(
    *,
    account: Account,
    people: dict[tuple, PersonPerception] | None = None,
    pilots_read: Iterable[Pilot] = (),
) -> AccountDrift:
    """The account's expectation per dimension across its pilots, in time order. `people`:
    `account_people_perception(account=account)` when the caller has read it already;
    `pilots_read`: pilots already read (the account's own), not read again."""
    if people is None:
        people = account_people_perception(account=account)
    ratings: dict[int, dict[str, list[int]]] = {}
    for (_, pilot_id), person in people.items():
        for key, value in person.expected.items():
            ratings.setdefault(pilot_id, {}).setdefault(key, []).append(value)
    known = {pilot.pk: pilot for pilot in pilots_read if pilot.pk in ratings}
    if set(ratings) - set(known):
        known = {pilot.pk: pilot for pilot in Pilot.objects.filter(pk__in=list(ratings))}
    pilots = sorted(known.values(), key=lambda pilot: (pilot.runs_from, pilot.pk))
    labels = _labels(pilots)
    dimensions: dict[str, DimensionDrift] = {}
    for pilot in pilots:
        for key in ratings[pilot.pk]:
            dimensions.setdefault(key, DimensionDrift(key=key, label=labels.get(key, key)))
    for key, drift in dimensions.items():
        for pilot in pilots:
            values = ratings[pilot.pk].get(key)
            if values:
                drift.points.append(
                    DriftPoint(pilot=pilot, expected=rating_figure(values), values=tuple(values))
                )
        _changes(drift)
        by_pilot = {point.pilot.pk: point for point in drift.points}
        drift.cells = [by_pilot.get(pilot.pk) for pilot in pilots]
    order = {key: i for i, key in enumerate(labels)}
    return AccountDrift(
        account=account,
        pilots=pilots,
        dimensions=sorted(dimensions.values(), key=lambda d: (order.get(d.key, len(order)), d.key)),
    )


def _labels(pilots: list[Pilot]) -> dict[str, str]:
    """Dimension key → label as the latest pilot's newest instrument names it, in its order."""
    if not pilots:
        return {}
    labels: dict[str, str] = {}
    for key, label in (
        Dimension.objects.filter(instrument__pilot__in=pilots)
        .order_by(
            "-instrument__pilot__runs_from",
            "-instrument__pilot_id",
            "-instrument__version",
            "position",
            "pk",
        )
        .values_list("key", "label")
    ):
        labels.setdefault(key, label)
    return labels
