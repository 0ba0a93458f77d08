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
the responses that count and their answers (two queries: the responses' ids, then
ideas.selectors.perception's `people_perception` of them), and the outcomes (community's outcome
selector). For an internal user's accounts their SQL is written once per process
(config.sql_once), per rule (every account, or the account teams') and with or without a segment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet

from accounts.access import internal_accounts
from accounts.models import Account, segment_label
from community.models import LoyaltyOutcome, OutcomeKind
from community.selectors.insights import SMALL_GROUP, default_period
from community.selectors.outcomes import outcome_list
from community.statistics import mean
from config.sql_once import SqlOnce
from ideas.models import Enrolment, FeedbackResponse
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
_KIND_LABELS = dict(OutcomeKind.choices)  # an outcome kind's label, as OutcomeKind(kind).label


@dataclass(frozen=True)
class LaterOutcome:
    kind: str
    occurred_on: dt.date

    @property
    def label(self) -> str:
        return _KIND_LABELS.get(self.kind, self.kind)


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
    internal_user: tuple[int, bool] | None = None,
) -> PerceptionOutcomes:
    """Every account (of `accounts`, optionally of one segment) in every pilot that ended in the
    period (by its last day; default the last year), with its perception and later outcomes.
    Four queries, whatever the number of pilots, accounts and answers (see the module).
    `internal_user`: (user id, sees all accounts) when `accounts` are an active internal user's
    (accounts.access.internal_accounts of those): their reads then keep their SQL."""
    default_from, default_to = default_period()
    period_from, period_to = period_from or default_from, period_to or default_to
    if period_from > period_to:
        raise ValueError("The period must not end before it starts.")
    if window_days < 1:
        raise ValueError("The window must be at least one day.")
    reads = _reads(accounts, internal_user, segment=segment, period=(period_from, period_to))
    rows = _account_pilots(reads)
    if rows:
        _perception_add(rows, reads)
        _outcomes_add(rows, reads, window_days)
    ordered = list(rows.values())
    return PerceptionOutcomes(
        period_from=period_from,
        period_to=period_to,
        segment=segment,
        window_days=window_days,
        rows=ordered,
        groups=_groups(ordered),
    )


def _enrolments(
    accounts: QuerySet[Account], period_from: dt.date, period_to: dt.date, segment: str = ""
) -> QuerySet[Enrolment]:
    """The enrolments of those accounts (of the segment, if one is given) in the pilots that
    ended in the period."""
    if segment:
        accounts = accounts.filter(segment=segment)
    return Enrolment.objects.filter(
        account__in=accounts.order_by().values("pk"),
        pilot__runs_until__gte=period_from,
        pilot__runs_until__lte=period_to,
    )


def _account_pilot_values(enrolments: QuerySet[Enrolment]) -> QuerySet:
    return (
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
    )


def _response_ids(enrolments: QuerySet[Enrolment]) -> QuerySet:
    """The ids of the responses that count of those enrolments (ideas.selectors.perception)."""
    return (
        submitted_responses()
        .filter(enrolment__in=enrolments.values("pk"))
        .order_by()
        .values_list("pk", flat=True)
    )


def _outcome_values(
    enrolments: QuerySet[Enrolment], occurred_from: dt.date, occurred_to: dt.date
) -> QuerySet:
    return outcome_list(
        accounts=Account.objects.filter(pk__in=enrolments.values("account_id")),
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    ).values_list("account_id", "kind", "occurred_on")


@dataclass(frozen=True)
class _Reads:
    """The four reads of `pilot_perception_outcomes` for one caller's accounts and period:
    `account_pilots()`, `response_ids()`, `outcomes(occurred_from, occurred_to)`."""

    account_pilots: Callable[[], list]
    response_ids: Callable[[], list]
    outcomes: Callable[[dt.date, dt.date], list]


def _reads(
    accounts: QuerySet[Account],
    internal_user: tuple[int, bool] | None,
    *,
    segment: str,
    period: tuple[dt.date, dt.date],
) -> _Reads:
    if internal_user is not None:  # an internal user's accounts: SQL written once per process
        user_id, sees_all = internal_user
        kept = _KEPT[sees_all, bool(segment)]
        values = {"period_from": period[0], "period_to": period[1]}
        values |= {} if sees_all else {"user_id": user_id}
        values |= {"segment": segment} if segment else {}
        return _Reads(
            account_pilots=lambda: kept.account_pilots.all(**values),
            response_ids=lambda: kept.response_ids.all(**values),
            outcomes=lambda first, last: kept.outcomes.all(
                **values, occurred_from=first, occurred_to=last
            ),
        )
    enrolments = _enrolments(accounts, *period, segment)
    return _Reads(
        account_pilots=lambda: list(_account_pilot_values(enrolments)),
        response_ids=lambda: list(_response_ids(enrolments)),
        outcomes=lambda first, last: list(_outcome_values(enrolments, first, last)),
    )


@dataclass(frozen=True)
class _KeptReads:
    account_pilots: SqlOnce
    response_ids: SqlOnce
    outcomes: SqlOnce


def _kept_reads(*, sees_all: bool, segmented: bool) -> _KeptReads:
    """The reads over an internal user's accounts (every account, or those of their account
    teams: accounts.access.internal_accounts), with or without a segment, by plain values."""
    kinds: dict[str, type] = {"period_from": dt.date, "period_to": dt.date}
    kinds |= {} if sees_all else {"user_id": int}
    kinds |= {"segment": str} if segmented else {}

    def enrolments(period_from, period_to, user_id=0, segment=""):
        accounts = internal_accounts(user_id, sees_all=sees_all)
        return _enrolments(accounts, period_from, period_to, segment)

    return _KeptReads(
        account_pilots=SqlOnce(
            Enrolment, lambda **values: _account_pilot_values(enrolments(**values)), **kinds
        ),
        response_ids=SqlOnce(
            FeedbackResponse, lambda **values: _response_ids(enrolments(**values)), **kinds
        ),
        outcomes=SqlOnce(
            LoyaltyOutcome,
            lambda occurred_from, occurred_to, **values: _outcome_values(
                enrolments(**values), occurred_from, occurred_to
            ),
            **kinds,
            occurred_from=dt.date,
            occurred_to=dt.date,
        ),
    )


_KEPT = {
    (sees_all, segmented): _kept_reads(sees_all=sees_all, segmented=segmented)
    for sees_all in (False, True)
    for segmented in (False, True)
}


def _account_pilots(reads: _Reads) -> dict[tuple[int, int], AccountPilotPerception]:
    """1: the account-pilots of those enrolments, keyed by (pilot, account), latest end first."""
    rows: dict[tuple[int, int], AccountPilotPerception] = {}
    for values in reads.account_pilots():
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


def _perception_add(rows: dict[tuple[int, int], AccountPilotPerception], reads: _Reads) -> None:
    """2 and 3: the perception of each member of those enrolments
    (ideas.selectors.perception), pooled into their account-pilot."""
    people = people_perception(
        by=("response__enrolment__pilot_id", "response__enrolment__account_id"),
        response_ids=reads.response_ids(),
    )
    for (_, pilot_id, account_id), person in people.items():
        row = rows.get((pilot_id, account_id))
        if row is not None:
            row.perception.add(person)


def _outcomes_add(
    rows: dict[tuple[int, int], AccountPilotPerception], reads: _Reads, window_days: int
) -> None:
    """4: the outcomes of those accounts from the day after the earliest pilot's end to the
    window's end after the latest, matched to each account-pilot in Python."""
    ends = [row.pilot_ended for row in rows.values()]
    window = dt.timedelta(days=window_days)
    outcomes = reads.outcomes(min(ends) + dt.timedelta(days=1), max(ends) + window)
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
