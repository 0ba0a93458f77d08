"""One account's pilots for its engagement page: the pilots its members enrolled in, the
due check-ins they answered and still owe, and (for internal readers) the account's own
perception figures per pilot, shown to two decimals as perception next to outcomes shows them
(ideas.selectors.perception's `pooled_shown`).

Due is ideas/selectors/feedback.py's `check_in_due` and the rate is
ideas/selectors/results_figures.py's `ResponseRate`, as on the pilot's results page: the
account's row says "3 of 4 due check-ins answered, 75%" in the same words and by the same
rule as the results page says it of every participant.

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
from ideas.models import CheckIn, Pilot
from ideas.selectors.calibration import account_people_perception
from ideas.selectors.feedback import check_in_due
from ideas.selectors.perception import (
    PersonPerception,
    PooledPerception,
    pooled_shown,
    submitted_responses,
)
from ideas.selectors.results_figures import MIN_PARTICIPANTS, ResponseRate


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

    # As the page shows them: two decimals, rounded once (the gap as perception next to
    # outcomes shows the same account in the same pilot).
    @property
    def expected_shown(self) -> float | None:
        return pooled_shown(self.expected_mean)

    @property
    def experienced_shown(self) -> float | None:
        return pooled_shown(self.experienced_mean)

    @property
    def gap_shown(self) -> float | None:
        return pooled_shown(self.gap_mean)

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
    check_ins_due: int = 0  # check-ins of the pilot due by today (check_in_due)
    answered: int = 0  # the members' submitted responses to due check-ins
    perception: AccountPerception = field(default_factory=AccountPerception)

    @property
    def response_rate(self) -> ResponseRate:
        """Due check-ins answered, of members × check-ins due."""
        return ResponseRate(answered=self.answered, due=self.members * self.check_ins_due)

    @property
    def outstanding(self) -> int:
        """Due check-ins a member enrolled has not answered yet."""
        return self.response_rate.due - self.answered


def account_pilots(
    *,
    account: Account,
    perception: bool = False,
    today: dt.date | None = None,
    people: dict[tuple, PersonPerception] | None = None,
) -> list[AccountPilot]:
    """The pilots `account` enrolled in, newest schedule first, with its check-in figures;
    `perception`: also its expected/experienced means, gap and NPS per pilot, from `people`
    (`ideas.selectors.calibration.account_people_perception`, read here when not given)."""
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
    due_check_ins: set[int] = set()
    for check_in_id, pilot_id, due_on in CheckIn.objects.filter(pilot__in=rows).values_list(
        "pk", "pilot_id", "due_on"
    ):
        state = rows[pilot_id].pilot.state
        if check_in_due(due_on=due_on, pilot_state=state, today=today):
            due_check_ins.add(check_in_id)
            rows[pilot_id].check_ins_due += 1
    submitted = (
        submitted_responses()
        .filter(enrolment__account=account, check_in__in=sorted(due_check_ins))
        .values_list("check_in__pilot_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for pilot_id, n in submitted:
        rows[pilot_id].answered += n
    if perception:
        if people is None:
            people = account_people_perception(account=account)
        for pilot_id, figures in _perception(people=people).items():
            rows[pilot_id].perception = figures
    return list(rows.values())


def _perception(*, people: dict[tuple, PersonPerception]) -> dict[int, AccountPerception]:
    """The account's members' perception per pilot, pooled (ideas.selectors.perception). Every
    pilot of its members' answers is one it enrolled in (an answer is an enrolment's)."""
    pooled: dict[int, PooledPerception] = defaultdict(PooledPerception)
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
