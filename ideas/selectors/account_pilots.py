"""One account's pilots for its engagement page: the pilots its members enrolled in, the
check-ins they gave and still owe, and (for internal readers) the account's own perception
figures per pilot.

Three queries whatever the number of pilots and responses (pilots with the account's
enrolment counts, their check-ins, the account's submitted responses), and a fourth for the
perception figures: the account's members' expected, experienced and recommend answers that
count, paired per member and pooled per pilot as ideas.selectors.perception decides.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Account
from ideas.models import CheckIn, FeedbackResponse, Pilot, ResponseStatus
from ideas.selectors.perception import PooledPerception, people_perception
from ideas.selectors.results import MIN_PARTICIPANTS


@dataclass
class AccountPerception:
    """The account's own figures in one pilot (few people: read them as anecdotes)."""

    expected_mean: float | None = None  # mean expected rating, 1–7, over dimensions
    experienced_mean: float | None = None  # mean experienced rating, 1–7
    gap_mean: float | None = None  # experienced − expected, paired per member and dimension
    paired_people: int = 0
    nps: int | None = None  # % 9–10 minus % 0–6 of the members' latest answers
    nps_people: int = 0
    people: int = 0  # the account's members with an answer that counts

    @property
    def too_small(self) -> bool:
        return self.people < MIN_PARTICIPANTS

    @property
    def empty(self) -> bool:
        return self.expected_mean is None and self.experienced_mean is None and self.nps is None


@dataclass
class AccountPilot:
    pilot: Pilot
    members: int  # the account's members enrolled
    check_ins_due: int = 0  # check-ins of the pilot due by today
    given: int = 0  # the members' submitted responses
    outstanding: int = 0  # due check-ins a member enrolled has not answered yet
    perception: AccountPerception = field(default_factory=AccountPerception)


def account_pilots(
    *, account: Account, perception: bool = False, today: dt.date | None = None
) -> list[AccountPilot]:
    """The pilots `account` enrolled in, newest schedule first, with its check-in figures;
    `perception`: also its expected/experienced means, gap and NPS per pilot."""
    today = today or timezone.localdate()
    pilots = list(
        Pilot.objects.filter(enrolments__account=account)
        .select_related("idea")
        .annotate(members=Count("enrolments", filter=Q(enrolments__account=account)))
        .order_by("-runs_from", "-pk")
    )
    if not pilots:
        return []
    rows = {p.pk: AccountPilot(pilot=p, members=p.members) for p in pilots}
    due_check_ins: dict[int, int] = {}  # check-in → pilot, for those due by today
    for check_in_id, pilot_id, due_on in CheckIn.objects.filter(pilot__in=rows).values_list(
        "pk", "pilot_id", "due_on"
    ):
        # The expectation has no date: it is due at enrolment, so due at once.
        if due_on is None or due_on <= today:
            due_check_ins[check_in_id] = pilot_id
            rows[pilot_id].check_ins_due += 1
    answered_due: dict[int, int] = defaultdict(int)
    submitted = (
        FeedbackResponse.objects.filter(
            enrolment__account=account,
            check_in__pilot__in=rows,
            status=ResponseStatus.SUBMITTED,
        )
        .values_list("check_in_id", "check_in__pilot_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for check_in_id, pilot_id, n in submitted:
        rows[pilot_id].given += n
        if check_in_id in due_check_ins:
            answered_due[pilot_id] += n
    for pilot_id, row in rows.items():
        row.outstanding = max(row.check_ins_due * row.members - answered_due[pilot_id], 0)
    if perception:
        for pilot_id, figures in _perception(account=account, pilot_ids=list(rows)).items():
            rows[pilot_id].perception = figures
    return list(rows.values())


def _perception(*, account: Account, pilot_ids: list[int]) -> dict[int, AccountPerception]:
    """The account's members' perception per pilot, pooled (ideas.selectors.perception)."""
    pooled: dict[int, PooledPerception] = defaultdict(PooledPerception)
    people = people_perception(
        by=("response__enrolment__pilot_id",),
        response__enrolment__account=account,
        response__enrolment__pilot_id__in=pilot_ids,
    )
    for (_, pilot_id), person in people.items():
        pooled[pilot_id].add(person)
    return {
        pilot_id: AccountPerception(
            expected_mean=figures.expected_mean,
            experienced_mean=figures.experienced_mean,
            gap_mean=figures.gap_mean,
            paired_people=figures.paired_people,
            nps=figures.nps.score,
            nps_people=figures.nps.n,
            people=figures.people,
        )
        for pilot_id, figures in pooled.items()
        if figures.people
    }
