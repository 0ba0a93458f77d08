"""A pilot's raw rows read plainly, for the reference computations of the tests: the plan of
tests/ideas/reference_results.py (check-ins, enrolled members and their responses, the accounts'
segments and engagement snapshots), and each account's due check-ins answered, as
docs/product.md defines them ("Pilot results": due, response rate). Only models are read; no
product function (selector, service) is called, so a figure of the product that drifts from
the docs cannot drift the reference with it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from accounts.models import Account
from community.models import EngagementSnapshot
from ideas.models import Answer, CheckIn, Dimension, Enrolment, FeedbackResponse, Pilot
from tests.ideas.reference_results import (
    AccountPlan,
    CheckInPlan,
    MemberPlan,
    PilotPlan,
    ResponsePlan,
)

PER_DIMENSION = ("expected", "experienced", "sacrifice")
SINGLE = ("adopt", "recommend")


def _answers(answers: list[Answer]) -> dict:
    """role → value, as the reference takes them (per-dimension roles: {dimension key: value});
    free-text roles are left out (no figure reads them)."""
    taken: dict = {}
    for answer in answers:
        role = answer.question.role
        if role in PER_DIMENSION and answer.dimension is not None and answer.value_int is not None:
            taken.setdefault(role, {})[answer.dimension.key] = answer.value_int
        elif role in SINGLE and answer.value_int is not None:
            taken[role] = answer.value_int
        elif role == "job_done":
            choice = answer.value_choices[0] if answer.value_choices else answer.value_text
            if choice:
                taken[role] = str(choice)
    return taken


def pilot_plan(pilot: Pilot, *, today: dt.date) -> PilotPlan:
    """The pilot as its rows hold it on `today`."""
    check_ins = list(CheckIn.objects.filter(pilot=pilot).order_by("position", "pk"))
    enrolments = list(Enrolment.objects.filter(pilot=pilot).order_by("pk"))
    account_ids = sorted({e.account_id for e in enrolments})
    responses: dict[int, list[FeedbackResponse]] = defaultdict(list)
    for response in FeedbackResponse.objects.filter(enrolment__pilot=pilot).prefetch_related(
        "answers__question", "answers__dimension"
    ):
        responses[response.enrolment_id].append(response)
    position = {c.pk: c.position for c in check_ins}
    members = []
    for enrolment in enrolments:
        plans = []
        for response in responses[enrolment.pk]:
            if response.check_in_id not in position:  # a check-in of another pilot
                continue
            submitted = response.status == "submitted"
            plans.append(
                ResponsePlan(
                    position=position[response.check_in_id],
                    submitted_at=response.submitted_at if submitted else None,
                    answers=_answers(list(response.answers.all())),
                )
            )
        members.append(
            MemberPlan(account=account_ids.index(enrolment.account_id), responses=tuple(plans))
        )
    segments = {a.pk: a.segment for a in Account.objects.filter(pk__in=account_ids)}
    accounts = []
    for account_id in account_ids:
        snapshots = EngagementSnapshot.objects.filter(account_id=account_id).values_list(
            "day", "level"
        )
        accounts.append(AccountPlan(segment=segments[account_id], snapshots=tuple(snapshots)))
    dimensions: list[str] = []
    for key in (
        Dimension.objects.filter(instrument__pilot=pilot)
        .order_by("-instrument__version", "position", "pk")
        .values_list("key", flat=True)
    ):
        if key not in dimensions:
            dimensions.append(key)
    return PilotPlan(
        closed=pilot.state == "closed",
        runs_from=pilot.runs_from,
        today=today,
        check_ins=tuple(
            CheckInPlan(position=c.position, phase=c.phase, due_on=c.due_on) for c in check_ins
        ),
        accounts=tuple(accounts),
        members=tuple(members),
        dimensions=tuple(dimensions),
    )


def account_due_answered(*, account_id: int, today: dt.date) -> dict[int, tuple[int, int]]:
    """pilot id → (submitted responses of the account's enrolled members to due check-ins,
    members × due check-ins): an account's "n of m due check-ins answered". Due: every
    check-in of a closed pilot, one without a date at once, any other from its due date on."""
    figures = {}
    for pilot in Pilot.objects.filter(enrolments__account_id=account_id).distinct():
        members = Enrolment.objects.filter(pilot=pilot, account_id=account_id)
        due = [
            c.pk
            for c in CheckIn.objects.filter(pilot=pilot)
            if pilot.state == "closed" or c.due_on is None or c.due_on <= today
        ]
        answered = FeedbackResponse.objects.filter(
            enrolment__in=members, check_in_id__in=due, status="submitted"
        ).count()
        figures[pilot.pk] = (answered, members.count() * len(due))
    return figures
