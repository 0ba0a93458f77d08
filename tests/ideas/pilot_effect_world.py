"""A hand-built panel for the pilot effect tests: accounts with their daily scores in the 90 days
before a closed pilot and the 90 days after it, and their renewals, made row by row; and the
expected figures computed from the same numbers by plain formulas (no product code):

- the difference-in-differences as the difference of the four means (each account's mean score
  per window, then the mean over each group);
- its 95% interval from the cluster-robust variance written out for a balanced two-period panel:
  each account's change d, V = c · (Σ_participants (d − d̄ₚ)² / nₚ² + Σ_matched (d − d̄ₘ)² / nₘ²)
  with statsmodels' small-sample factor c = G/(G − 1) · (N − 1)/(N − 4), and Student's t with
  G − 1 degrees of freedom (scipy), G accounts and N = 2G rows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from scipy import stats

from accounts.models import Account, Segment
from community.models import LoyaltyOutcome, OutcomeKind
from ideas.models import Pilot, PilotState
from tests.accounts.factories import AccountFactory, customer
from tests.community.factories import EngagementSnapshotFactory
from tests.ideas.factories import PilotFactory, enrolled


@dataclass
class PanelAccount:
    name: str
    participant: bool
    before: list[float]  # daily scores ending on the day before the pilot (last = score then)
    after: list[float]  # daily scores from the day after the pilot's last day
    segment: str = Segment.MID_MARKET
    contract_value: int = 100_000
    renewed_before: bool = False
    renewed_after: bool = False
    expanded_after: bool = False
    account: Account | None = field(default=None, repr=False)

    @property
    def change(self) -> float:
        return sum(self.after) / len(self.after) - sum(self.before) / len(self.before)


def closed_pilot(*, runs_from: dt.date, runs_until: dt.date, accounts=()) -> Pilot:
    """A closed pilot of those dates; `accounts` invited."""
    return PilotFactory(
        accounts=list(accounts),
        state=PilotState.CLOSED,
        recruiting_opens=runs_from - dt.timedelta(days=14),
        runs_from=runs_from,
        runs_until=runs_until,
        capacity=50,
    )


def panel_build(pilot: Pilot, accounts: list[PanelAccount]) -> list[PanelAccount]:
    """Each account with its snapshots and outcomes; participants enrolled in `pilot`. Also a
    snapshot just outside each window (and one during the pilot) that no figure may read."""
    before_to = pilot.runs_from - dt.timedelta(days=1)
    after_from = pilot.runs_until + dt.timedelta(days=1)
    for spec in accounts:
        account = AccountFactory(
            name=spec.name, segment=spec.segment, annual_contract_value=spec.contract_value
        )
        spec.account = account
        if spec.participant:
            enrolled(pilot, customer(account))
        days = len(spec.before)
        for i, score in enumerate(spec.before):
            EngagementSnapshotFactory(
                account=account, day=before_to - dt.timedelta(days=days - 1 - i), score=score
            )
        for i, score in enumerate(spec.after):
            EngagementSnapshotFactory(
                account=account, day=after_from + dt.timedelta(days=i), score=score
            )
        for day in (
            pilot.runs_from - dt.timedelta(days=91),
            pilot.runs_from + dt.timedelta(days=3),
            pilot.runs_until + dt.timedelta(days=91),
        ):
            EngagementSnapshotFactory(account=account, day=day, score=99)
        if spec.renewed_before:
            _outcome(account, OutcomeKind.RENEWED, pilot.runs_from - dt.timedelta(days=200))
        if spec.renewed_after:
            _outcome(account, OutcomeKind.RENEWED, pilot.runs_until + dt.timedelta(days=300))
        if spec.expanded_after:
            _outcome(account, OutcomeKind.EXPANDED, pilot.runs_until + dt.timedelta(days=30))
        # An outcome during the pilot, and one after the 12 months: neither counts.
        _outcome(account, OutcomeKind.RENEWED, pilot.runs_from + dt.timedelta(days=2))
        _outcome(account, OutcomeKind.RENEWED, pilot.runs_until + dt.timedelta(days=366))
    return accounts


def _outcome(account: Account, kind: str, day: dt.date) -> None:
    LoyaltyOutcome.objects.create(
        account=account,
        kind=kind,
        occurred_on=day,
        amount=1000 if kind == OutcomeKind.EXPANDED else None,
    )


@dataclass(frozen=True)
class Expected:
    estimate: float
    low: float
    high: float
    participants_before: float
    participants_after: float
    matched_before: float
    matched_after: float


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def expected_did(rows: list[tuple[bool, float, float]]) -> Expected:
    """From (participant, before, after) per account: the four means, their difference of
    differences and its 95% cluster-robust interval (see the module's docstring)."""
    treated = [(b, a) for p, b, a in rows if p]
    control = [(b, a) for p, b, a in rows if not p]
    tb, ta = _mean(b for b, _ in treated), _mean(a for _, a in treated)
    cb, ca = _mean(b for b, _ in control), _mean(a for _, a in control)
    estimate = (ta - tb) - (ca - cb)
    groups, nobs = len(rows), 2 * len(rows)

    def spread(pairs) -> float:
        changes = [a - b for b, a in pairs]
        centre = _mean(changes)
        return sum((d - centre) ** 2 for d in changes) / len(changes) ** 2

    factor = groups / (groups - 1) * (nobs - 1) / (nobs - 4)
    quantile = float(stats.t.ppf(0.975, groups - 1))
    half = quantile * math.sqrt(factor * (spread(treated) + spread(control)))
    return Expected(estimate, estimate - half, estimate + half, tb, ta, cb, ca)


def score_rows(accounts: list[PanelAccount]) -> list[tuple[bool, float, float]]:
    return [(a.participant, _mean(a.before), _mean(a.after)) for a in accounts]


def renewal_rows(accounts: list[PanelAccount]) -> list[tuple[bool, float, float]]:
    return [
        (a.participant, float(a.renewed_before), float(a.renewed_after or a.expanded_after))
        for a in accounts
    ]
