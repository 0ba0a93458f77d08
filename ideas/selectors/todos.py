"""The ideas app's to-dos for the home page, registered with community's registry
(community/selectors/todos.py) from ideas/apps.py, since community never imports ideas:

- customer admin: pilot agreements to accept for the account;
- every customer: check-ins due and overdue, pilots recruiting that fit them;
- product manager: ideas awaiting review, pilots awaiting a decision, pilots with a low
  response rate.

Each reads through ideas/access.py, in a fixed number of queries. The definitions ("due",
"overdue", "fit", "low response") are written in docs/product.md ("What needs you").
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.access import active_customer_account_id
from accounts.models import InternalRole
from community.selectors.account_levels import account_levels
from community.selectors.todos import ToDo, ToDoViewer, capped, more_item, todo_provider_register
from config.sql_once import SqlOnce
from ideas.access import customer_pilots, visible_ideas, visible_pilots
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    CheckIn,
    Enrolment,
    FeedbackResponse,
    Phase,
    Pilot,
    PilotState,
    ResponseStatus,
)
from ideas.selectors.enrolment import ENROLMENT_STATES, accounts_ineligibility
from ideas.selectors.feedback import check_in_closed_reason, check_in_due
from ideas.selectors.ideas import AWAITING_REVIEW
from ideas.selectors.perception import submitted_responses
from ideas.selectors.pilots import accounts_taking_part
from ideas.selectors.results_figures import CheckInRate, ResponseRate, response_rate_figure

# A pilot's response rate below this percentage (of its due check-ins) is "low".
LOW_RESPONSE_PERCENT = 50


def check_in_overdue(*, due_on: dt.date | None, today: dt.date) -> bool:
    """A check-in not answered after its day: due 28 Nov, it is overdue from 29 Nov on. One
    without a date (the expectation, due at enrolment) is never overdue."""
    return due_on is not None and due_on < today


def _is_product_manager(viewer: ToDoViewer) -> bool:
    return viewer.membership is None and viewer.user.has_role(InternalRole.PRODUCT_MANAGER)


# --- Customers -------------------------------------------------------------------------------


def agreement_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Pilots the admin's account is invited to, open for enrolment, whose newest agreement
    the account has not accepted. One query."""
    if not viewer.is_customer_admin:
        return []
    newest = Agreement.objects.filter(pilot=OuterRef("pk")).order_by("-version")
    accepted = AgreementAcceptance.objects.filter(
        agreement_id=OuterRef("agreement_id"), account_id=viewer.membership.account_id
    )
    pilots = (
        visible_pilots(viewer.user)
        .filter(state__in=ENROLMENT_STATES)
        .annotate(
            agreement_id=Subquery(newest.values("pk")[:1]),
            agreement_version=Subquery(newest.values("version")[:1]),
        )
        .filter(agreement_id__isnull=False)
        .exclude(Exists(accepted))
        .order_by("runs_from", "pk")
    )
    return [
        ToDo(
            kind="agreement",
            title=f"Accept the agreement of the pilot {pilot.title}"
            + (f" (version {pilot.agreement_version})" if pilot.agreement_version > 1 else ""),
            url=f"{pilot.get_absolute_url()}#agreement-h",
            day=pilot.runs_from,
            day_label="pilot starts",
        )
        for pilot in pilots
    ]


def _unanswered_check_ins(user_id: int, account_id: int):
    """The check-ins of the customer's pilots (`customer_pilots`, their account's) that they
    have not submitted, with whether they saved a draft, in the order the to-dos take."""
    own = FeedbackResponse.objects.filter(check_in=OuterRef("pk"), enrolment__user_id=user_id)
    return (
        CheckIn.objects.filter(
            pilot__enrolments__user_id=user_id,
            pilot__in=customer_pilots(account_id).values("pk"),
        )
        .exclude(pilot__state=PilotState.DRAFT)
        .annotate(
            answered=Exists(own.filter(status=ResponseStatus.SUBMITTED)),
            drafted=Exists(own.filter(status=ResponseStatus.DRAFT)),
        )
        .filter(answered=False)
        .select_related("pilot")
        .order_by(F("due_on").asc(nulls_first=True), "pilot__runs_from", "position", "pk")
    )


# Asked on every customer's home: its SQL is written once per process.
_UNANSWERED_CHECK_INS = SqlOnce(CheckIn, _unanswered_check_ins, user_id=int, account_id=int)


def check_in_todos(viewer: ToDoViewer) -> list[ToDo]:
    """The viewer's check-ins that are due (ideas.selectors.feedback.check_in_due), still take
    answers and are not submitted; overdue ones first. One query."""
    account_id = active_customer_account_id(viewer.user)
    if viewer.membership is None or account_id is None:
        return []
    today = viewer.today
    check_ins = _UNANSWERED_CHECK_INS.all(user_id=viewer.user.pk, account_id=account_id)
    due = [
        c
        for c in check_ins
        if check_in_due(due_on=c.due_on, pilot_state=c.pilot.state, today=today)
        and not check_in_closed_reason(check_in=c, today=today)
    ]
    due.sort(key=lambda c: not check_in_overdue(due_on=c.due_on, today=today))
    return [_check_in_todo(c, today=today) for c in due]


def _check_in_todo(check_in: CheckIn, *, today: dt.date) -> ToDo:
    pilot = check_in.pilot
    if check_in.phase == Phase.EXPECTATION:
        title = f"Give your expectations for the pilot {pilot.title}"
    else:
        title = f"Answer the check-in “{check_in.title}” of the pilot {pilot.title}"
    return ToDo(
        kind="check_in",
        title=title,
        url=reverse("ideas:check-in-answer", args=[check_in.pk]),
        day=check_in.due_on,
        day_label="due",
        overdue=check_in_overdue(due_on=check_in.due_on, today=today),
        detail="draft saved" if check_in.drafted else "",
    )


def _open_pilots(user_id: int, account_id: int):
    """The customer's pilots (`customer_pilots`) taking participants that they have not
    joined, with the accounts taking part and whether theirs is one of them."""
    mine = Enrolment.objects.filter(pilot=OuterRef("pk"), account_id=account_id)
    return (
        customer_pilots(account_id)
        .filter(state__in=ENROLMENT_STATES)
        .exclude(enrolments__user_id=user_id)
        .annotate(taken=accounts_taking_part(), account_in=Exists(mine))
        .order_by("runs_from", "pk")
    )


# Asked on every customer's home: its SQL is written once per process.
_OPEN_PILOTS = SqlOnce(Pilot, _open_pilots, user_id=int, account_id=int)


def recruiting_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Pilots open to join (recruiting, or running: both take participants, ENROLMENT_STATES)
    that the viewer's account is invited to and eligible for (segment, engagement level), with
    room for the account, that the viewer has not enrolled in and whose agreement the account
    accepted (an admin finds the others under agreements). Three queries (the pilots, the
    account's level, the agreements' acceptances)."""
    if viewer.membership is None or active_customer_account_id(viewer.user) is None:
        return []
    account = viewer.membership.account
    pilots = _OPEN_PILOTS.all(user_id=viewer.user.pk, account_id=account.pk)
    if not pilots:
        return []
    levels = account_levels(account_ids=[account.pk])
    waiting = _agreements_waiting(pilot_ids=[p.pk for p in pilots], account_id=account.pk)
    fit = [
        p
        for p in pilots
        if not accounts_ineligibility(pilot=p, accounts=[account], levels=levels)
        and (p.account_in or p.taken < p.capacity)
        and p.pk not in waiting
    ]
    return [
        ToDo(
            kind="recruiting",
            title=f"Join the pilot {pilot.title}",
            url=pilot.get_absolute_url(),
            # a running pilot is joined until it ends; a recruiting one is joined before it starts
            day=pilot.runs_until if pilot.state == PilotState.RUNNING else pilot.runs_from,
            day_label="runs until" if pilot.state == PilotState.RUNNING else "starts",
        )
        for pilot in fit
    ]


def _agreements_waiting(*, pilot_ids: list[int], account_id: int) -> set[int]:
    """The pilots whose newest agreement the account has not accepted (one query)."""
    newest = Agreement.objects.filter(pilot=OuterRef("pilot_id")).order_by("-version")
    rows = (
        Agreement.objects.filter(pilot_id__in=pilot_ids, pk=Subquery(newest.values("pk")[:1]))
        .exclude(acceptances__account_id=account_id)
        .values_list("pilot_id", flat=True)
    )
    return set(rows)


# --- Product managers ------------------------------------------------------------------------


def review_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Ideas proposed or under review, oldest first."""
    if not _is_product_manager(viewer):
        return []
    waiting = (
        visible_ideas(viewer.user)
        .filter(status__in=AWAITING_REVIEW)
        .select_related("garden")
        .order_by("created_at", "pk")
    )
    ideas, total = capped(waiting)
    items = [
        ToDo(
            kind="idea_review",
            title=f"Review the idea {idea.title} ({idea.get_status_display().lower()})",
            url=idea.get_absolute_url(),
            day=timezone.localdate(idea.created_at),
            day_label="proposed",
        )
        for idea in ideas
    ]
    return items + more_item(
        kind="idea_review",
        shown=len(items),
        total=total,
        title="{n} more ideas awaiting review",
        url=reverse("ideas:board"),
    )


def decision_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Closed pilots without a decision, longest waiting first."""
    if not _is_product_manager(viewer):
        return []
    waiting = (
        visible_pilots(viewer.user)
        .filter(state=PilotState.CLOSED, decision="")
        .order_by("runs_until", "pk")
    )
    pilots, total = capped(waiting)
    items = [
        ToDo(
            kind="pilot_decision",
            title=f"Decide on the pilot {pilot.title}: adopt, iterate or decline",
            url=f"{pilot.get_absolute_url()}#manage-h",
            day=pilot.runs_until,
            day_label="ended",
        )
        for pilot in pilots
    ]
    return items + more_item(
        kind="pilot_decision",
        shown=len(items),
        total=total,
        title="{n} more pilots awaiting a decision",
        url=reverse("ideas:pilot-list"),
    )


def low_response_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Running pilots, and closed ones not decided yet, whose response rate
    (ideas.selectors.results_figures.response_rate_figure, as on the results page) is below
    LOW_RESPONSE_PERCENT. Three queries (the pilots, their enrolments, their check-ins with
    the members who submitted each)."""
    if not _is_product_manager(viewer):
        return []
    pilots = {
        p.pk: p
        for p in visible_pilots(viewer.user)
        .filter(Q(state=PilotState.RUNNING) | Q(state=PilotState.CLOSED, decision=""))
        .order_by("runs_until", "pk")
    }
    rates = _response_rates(pilots, today=viewer.today)
    low = [
        (pilots[pk], rate)
        for pk, rate in rates.items()
        if rate.due and rate.percent is not None and rate.percent < LOW_RESPONSE_PERCENT
    ]
    return [
        ToDo(
            kind="low_response",
            title=f"Low response in the pilot {pilot.title}: {rate.text}",
            url=reverse("ideas:pilot-results", args=[pilot.pk]),
            day=pilot.runs_until,
            day_label="ends" if pilot.state == PilotState.RUNNING else "ended",
        )
        for pilot, rate in low
    ]


def _response_rates(pilots: dict, *, today: dt.date) -> dict[int, ResponseRate]:
    """Each pilot's response rate, from its check-ins and enrolments (two queries)."""
    enrolled = dict(
        Enrolment.objects.filter(pilot_id__in=list(pilots))
        .order_by()
        .values("pilot_id")
        .annotate(n=Count("pk"))
        .values_list("pilot_id", "n")
    )
    answered = submitted_responses().filter(check_in=OuterRef("pk")).order_by()
    check_ins = CheckIn.objects.filter(pilot_id__in=list(pilots)).annotate(
        submitted=Subquery(
            answered.values("check_in")
            .annotate(n=Count("enrolment", distinct=True))
            .values("n")[:1]
        )
    )
    by_pilot: dict[int, list[CheckInRate]] = {pk: [] for pk in pilots}
    for c in check_ins.order_by("position", "pk"):
        state = pilots[c.pilot_id].state
        by_pilot[c.pilot_id].append(
            CheckInRate(
                check_in_id=c.pk,
                title=c.title,
                phase=c.phase,
                due_on=c.due_on,
                due=check_in_due(due_on=c.due_on, pilot_state=state, today=today),
                submitted=c.submitted or 0,
                enrolled=enrolled.get(c.pilot_id, 0),
            )
        )
    return {pk: response_rate_figure(rates) for pk, rates in by_pilot.items()}


def register() -> None:
    """The ideas app's providers, after community's (called from ideas/apps.py)."""
    for name, provider in (
        ("ideas.agreements", agreement_todos),
        ("ideas.check_ins", check_in_todos),
        ("ideas.recruiting", recruiting_todos),
        ("ideas.review", review_todos),
        ("ideas.decisions", decision_todos),
        ("ideas.low_response", low_response_todos),
    ):
        todo_provider_register(name=name, provider=provider)
