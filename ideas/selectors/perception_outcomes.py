"""Pilot perception next to later outcomes (C → B): for each account in each pilot, what its
members expected and experienced (the gap) and how likely they were to recommend us (NPS),
beside the loyalty outcomes the account's team recorded *after* the pilot.

Per account and pilot, with the answers that count and the pairing of
ideas/selectors/perception.py (each member's latest expectation and latest experience):

- **gap** = the mean of experienced − expected over every member and dimension the account's
  members rated both ways (n = those pairs);
- **NPS** = % promoters (9–10) − % detractors (0–6) among the account's members who answered
  "likelihood to recommend";
- **later outcomes** = the account's outcomes dated after the pilot's last day and at most
  `window_days` after it.

The grouped summary puts each account-pilot in one group by its *first* renewal decision after
the pilot (renewed or expanded / contracted or churned / none yet) and, besides, in "referred or
advocated" when it did either in the window. A group's gap is the mean of its account-pilots'
gaps (each account-pilot weighs the same); its NPS pools the members' answers. Groups of fewer
than SMALL_GROUP account-pilots are flagged, not hidden.

Queries, whatever the number of pilots and accounts: the account-pilots (enrolments grouped),
the responses that count and their answers (two queries: ideas.selectors.perception's
`_answers_of`), and the outcomes (community's outcome selector).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet

from accounts.models import Account, segment_label
from community.models import OutcomeKind
from community.selectors.insights import SMALL_GROUP, default_period
from community.selectors.outcomes import outcome_list
from community.statistics import mean
from ideas.models import Enrolment
from ideas.selectors.perception import (
    SHOWN_PLACES,
    Nps,
    PooledPerception,
    people_perception,
    pooled_shown,
    submitted_responses,
)

DEFAULT_WINDOW_DAYS = 365


def gap_shown(gap: float | None) -> float | None:
    """A gap as every page, CSV and API field shows it (ideas.selectors.perception's
    `pooled_shown`, as on the account's page)."""
    return pooled_shown(gap)


KEPT_OR_GREW = "kept_or_grew"
SHRANK_OR_LEFT = "shrank_or_left"
NO_DECISION = "no_decision"
ADVOCATES = "referred_or_advocated"

GROUPS = (
    (KEPT_OR_GREW, "Renewed or expanded next"),
    (SHRANK_OR_LEFT, "Contracted or churned next"),
    (NO_DECISION, "No renewal decision yet"),
    (ADVOCATES, "Referred or advocated (any time in the window)"),
)
_FIRST_DECISION = {
    OutcomeKind.RENEWED: KEPT_OR_GREW,
    OutcomeKind.EXPANDED: KEPT_OR_GREW,
    OutcomeKind.CONTRACTED: SHRANK_OR_LEFT,
    OutcomeKind.CHURNED: SHRANK_OR_LEFT,
}
_ADVOCACY = {OutcomeKind.REFERRED, OutcomeKind.ADVOCATED}
_KIND_ORDER = {kind: position for position, kind in enumerate(OutcomeKind.values)}


@dataclass(frozen=True)
class LaterOutcome:
    kind: str
    occurred_on: dt.date

    @property
    def label(self) -> str:
        return OutcomeKind(self.kind).label if self.kind in OutcomeKind.values else self.kind


@dataclass
class AccountPilotPerception:
    """One account in one pilot: its members' perception and its outcomes after the pilot."""

    pilot_id: int
    pilot_title: str
    pilot_ended: dt.date
    account_id: int
    account_name: str
    account_slug: str
    segment: str
    members: int  # members of the account enrolled in the pilot
    perception: PooledPerception = field(default_factory=PooledPerception)  # its members'
    outcomes: list[LaterOutcome] = field(default_factory=list)  # oldest first

    @property
    def segment_label(self) -> str:
        return segment_label(self.segment)

    @property
    def gap_mean(self) -> float | None:
        return self.perception.gap_mean

    @property
    def gap_shown(self) -> float | None:
        return gap_shown(self.gap_mean)

    @property
    def gap_n(self) -> int:
        return len(self.perception.gaps)

    @property
    def nps(self) -> int | None:
        return self.perception.nps.score

    @property
    def nps_n(self) -> int:
        return self.perception.nps.n

    @property
    def next_decision(self) -> str:
        """KEPT_OR_GREW, SHRANK_OR_LEFT or NO_DECISION by the first renewal decision after."""
        first = next((o for o in self.outcomes if o.kind in _FIRST_DECISION), None)
        return _FIRST_DECISION[first.kind] if first else NO_DECISION

    @property
    def next_decision_label(self) -> str:
        return dict(GROUPS)[self.next_decision]

    @property
    def advocated(self) -> bool:
        return any(o.kind in _ADVOCACY for o in self.outcomes)

    @property
    def outcomes_label(self) -> str:
        return "; ".join(f"{o.label} {o.occurred_on.isoformat()}" for o in self.outcomes)


@dataclass(frozen=True)
class PerceptionGroup:
    key: str
    label: str
    rows: int  # account-pilots in the group
    gap_mean: float | None
    gap_rows: int  # of them, those with a gap
    nps: int | None
    nps_n: int  # members' recommend answers pooled

    @property
    def few(self) -> bool:
        return self.rows < SMALL_GROUP

    @property
    def gap_shown(self) -> float | None:
        return gap_shown(self.gap_mean)


@dataclass(frozen=True)
class PerceptionOutcomes:
    period_from: dt.date  # pilots that ended from …
    period_to: dt.date  # … to
    segment: str
    window_days: int
    rows: list[AccountPilotPerception]
    groups: list[PerceptionGroup]

    @property
    def small_group(self) -> int:
        return SMALL_GROUP

    @property
    def segment_label(self) -> str:
        return segment_label(self.segment)


CSV_HEADER = [
    "pilot_id",
    "pilot",
    "pilot_ended",
    "account",
    "account_name",
    "segment",
    "members_enrolled",
    "gap_mean",
    "gap_pairs",
    "nps",
    "nps_answers",
    "next_decision",
    "referred_or_advocated",
    "outcomes_after",
]


def csv_rows(result: PerceptionOutcomes) -> list[list[object]]:
    return [
        [
            row.pilot_id,
            row.pilot_title,
            row.pilot_ended.isoformat(),
            row.account_slug,
            row.account_name,
            row.segment,
            row.members,
            # A Decimal, not a str: a negative gap is a number, not a formula to escape.
            "" if row.gap_shown is None else Decimal(f"{row.gap_shown:.{SHOWN_PLACES}f}"),
            row.gap_n,
            "" if row.nps is None else row.nps,
            row.nps_n,
            row.next_decision,
            "yes" if row.advocated else "no",
            row.outcomes_label,
        ]
        for row in result.rows
    ]


def pilot_perception_outcomes(
    *,
    accounts: QuerySet[Account],
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    segment: str = "",
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> PerceptionOutcomes:
    """Every account (of `accounts`, optionally of one segment) in every pilot that ended in the
    period (by its last day; default the last year), with its perception and later outcomes.
    Four queries, whatever the number of pilots, accounts and answers (see the module)."""
    default_from, default_to = default_period()
    period_from, period_to = period_from or default_from, period_to or default_to
    if period_from > period_to:
        raise ValueError("The period must not end before it starts.")
    if window_days < 1:
        raise ValueError("The window must be at least one day.")
    if segment:
        accounts = accounts.filter(segment=segment)
    enrolments = Enrolment.objects.filter(
        account__in=accounts.order_by().values("pk"),
        pilot__runs_until__gte=period_from,
        pilot__runs_until__lte=period_to,
    )
    rows = _account_pilots(enrolments)
    if rows:
        _perception_add(rows, enrolments)
        _outcomes_add(rows, enrolments, window_days)
    ordered = list(rows.values())
    return PerceptionOutcomes(
        period_from=period_from,
        period_to=period_to,
        segment=segment,
        window_days=window_days,
        rows=ordered,
        groups=_groups(ordered),
    )


def _account_pilots(
    enrolments: QuerySet[Enrolment],
) -> dict[tuple[int, int], AccountPilotPerception]:
    """1: the account-pilots of those enrolments, keyed by (pilot, account), latest end first."""
    rows: dict[tuple[int, int], AccountPilotPerception] = {}
    for values in (
        enrolments.order_by()
        .values(
            "pilot_id",
            "pilot__title",
            "pilot__runs_until",
            "account_id",
            "account__name",
            "account__slug",
            "account__segment",
        )
        .annotate(members=Count("pk"))
        .order_by("-pilot__runs_until", "pilot_id", "account__name", "account_id")
    ):
        rows[(values["pilot_id"], values["account_id"])] = AccountPilotPerception(
            pilot_id=values["pilot_id"],
            pilot_title=values["pilot__title"],
            pilot_ended=values["pilot__runs_until"],
            account_id=values["account_id"],
            account_name=values["account__name"],
            account_slug=values["account__slug"],
            segment=values["account__segment"],
            members=values["members"],
        )
    return rows


def _perception_add(
    rows: dict[tuple[int, int], AccountPilotPerception], enrolments: QuerySet[Enrolment]
) -> None:
    """2 and 3: the perception of each member of those enrolments
    (ideas.selectors.perception), pooled into their account-pilot."""
    people = people_perception(
        by=("response__enrolment__pilot_id", "response__enrolment__account_id"),
        responses=submitted_responses().filter(enrolment__in=enrolments.values("pk")),
    )
    for (_, pilot_id, account_id), person in people.items():
        row = rows.get((pilot_id, account_id))
        if row is not None:
            row.perception.add(person)


def _outcomes_add(
    rows: dict[tuple[int, int], AccountPilotPerception],
    enrolments: QuerySet[Enrolment],
    window_days: int,
) -> None:
    """4: the outcomes of those accounts from the day after the earliest pilot's end to the
    window's end after the latest, matched to each account-pilot in Python."""
    ends = [row.pilot_ended for row in rows.values()]
    window = dt.timedelta(days=window_days)
    outcomes = outcome_list(
        accounts=Account.objects.filter(pk__in=enrolments.values("account_id")),
        occurred_from=min(ends) + dt.timedelta(days=1),
        occurred_to=max(ends) + window,
    ).values_list("account_id", "kind", "occurred_on")
    by_account: dict[int, list[LaterOutcome]] = defaultdict(list)
    for account_id, kind, occurred_on in outcomes:
        by_account[account_id].append(LaterOutcome(kind=kind, occurred_on=occurred_on))
    for row in rows.values():
        row.outcomes = sorted(
            (
                o
                for o in by_account.get(row.account_id, [])
                if row.pilot_ended < o.occurred_on <= row.pilot_ended + window
            ),
            key=lambda o: (o.occurred_on, _KIND_ORDER.get(o.kind, len(_KIND_ORDER))),
        )


def _groups(rows: list[AccountPilotPerception]) -> list[PerceptionGroup]:
    members: dict[str, list[AccountPilotPerception]] = {key: [] for key, _ in GROUPS}
    for row in rows:
        members[row.next_decision].append(row)
        if row.advocated:
            members[ADVOCATES].append(row)
    groups = []
    for key, label in GROUPS:
        group = members[key]
        gaps = [row.gap_mean for row in group if row.gap_mean is not None]
        votes = Nps()
        for row in group:
            votes.add_nps(row.perception.nps)
        groups.append(
            PerceptionGroup(
                key=key,
                label=label,
                rows=len(group),
                gap_mean=mean(gaps),
                gap_rows=len(gaps),
                nps=votes.score,
                nps_n=votes.n,
            )
        )
    return groups
