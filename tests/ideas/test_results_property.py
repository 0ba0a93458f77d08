"""Pilot results equal a plain reference computation, for any pilot Hypothesis can think of.

Hypothesis plants a pilot (running or closed, its check-ins due in the past, today or later),
one to three accounts of random segments with engagement snapshots before and after the
pilot's start, and up to ten members who answered some check-ins, left drafts or nothing, with
some ratings missing (eight or more make exact halves to round: 1 of 8 is 12.5%, and one
example always has them). `pilot_results` (overall, by segment, by level when the pilot
started) must give every figure tests/ideas/reference_results.py works out from the docs; one
planted example goes through the API and the figures CSV as well.

Every date is explicit (`TODAY` is a fixed day given to `pilot_results`), so nothing here
depends on when the suite runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import Segment
from community.models import EngagementLevel
from ideas.models import Enrolment, Pilot, PilotState
from ideas.models.instrument import DEFAULT_DIMENSIONS
from ideas.selectors import results as results_module
from ideas.selectors.results import pilot_results
from tests.accounts.factories import AccountFactory, customer
from tests.api_helpers import api_login
from tests.ideas.factories import PilotFactory, engagement_level_set, feedback_response
from tests.ideas.reference_results import (
    AccountPlan,
    CheckInPlan,
    MemberPlan,
    PilotPlan,
    ResponsePlan,
    reference_results,
)
from tests.ideas.results_comparison import assert_equal_to_reference, rounds_to

TODAY = dt.date(2025, 6, 16)
BASE = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)
DIMENSIONS = tuple(key for key, _, _ in DEFAULT_DIMENSIONS)
RATED = ("useful", "usable", "trust")  # the members rate these; the others stay empty
SPLITS = (None, "segment", "level")


# --- Plans ---------------------------------------------------------------------------------------


def _ratings(low: int, high: int):
    return st.dictionaries(st.sampled_from(RATED), st.integers(low, high), max_size=len(RATED))


def _optional(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def _answers(draw, phase: str) -> dict:
    if phase == "expectation":
        expected = draw(_ratings(1, 7))
        return {"expected": expected} if expected else {}
    answers = {
        "experienced": draw(_ratings(1, 7)),
        "sacrifice": draw(_ratings(0, 6)),
        "job_done": draw(_optional(st.sampled_from(["Yes", "Partly", "No"]))),
        "adopt": draw(_optional(st.integers(0, 10))),
        "recommend": draw(_optional(st.integers(0, 10))),
    }
    return {role: value for role, value in answers.items() if value not in (None, {})}


@st.composite
def _member(draw, accounts: int, check_ins: tuple[CheckInPlan, ...]) -> MemberPlan:
    responses = []
    for check_in in check_ins:
        status = draw(st.sampled_from(["none", "draft", "submitted", "submitted"]))
        if status == "none":
            continue
        # A few moments only, so that two check-ins are often submitted at the same moment.
        minutes = draw(st.integers(0, 3)) * 60
        responses.append(
            ResponsePlan(
                position=check_in.position,
                submitted_at=None if status == "draft" else BASE + dt.timedelta(minutes=minutes),
                answers=draw(_answers(check_in.phase)),
            )
        )
    return MemberPlan(account=draw(st.integers(0, accounts - 1)), responses=tuple(responses))


@st.composite
def _account(draw, runs_from: dt.date) -> AccountPlan:
    days = draw(st.lists(st.integers(-4, 4), max_size=3, unique=True))
    levels = st.sampled_from(EngagementLevel.values)
    return AccountPlan(
        segment=draw(st.sampled_from(Segment.values)),
        snapshots=tuple((runs_from + dt.timedelta(days=d), draw(levels)) for d in days),
    )


@st.composite
def pilot_plans(draw) -> PilotPlan:
    middle = draw(st.integers(-3, 3))  # the mid-pilot check-in's due date, from TODAY
    final = middle + draw(st.integers(1, 5))
    check_ins = (
        CheckInPlan(position=0, phase="expectation", due_on=None),
        CheckInPlan(position=1, phase="experience", due_on=TODAY + dt.timedelta(days=middle)),
        CheckInPlan(position=2, phase="experience", due_on=TODAY + dt.timedelta(days=final)),
    )
    runs_from = TODAY + dt.timedelta(days=draw(st.integers(-20, 2)))
    accounts = tuple(draw(_account(runs_from)) for _ in range(draw(st.integers(1, 3))))
    members = draw(st.lists(_member(len(accounts), check_ins), min_size=1, max_size=10))
    return PilotPlan(
        closed=draw(st.booleans()),
        runs_from=runs_from,
        today=TODAY,
        check_ins=check_ins,
        accounts=accounts,
        members=tuple(members),
        dimensions=DIMENSIONS,
    )


def _halves() -> PilotPlan:
    """Eight members of one account, closed pilot: figures that sit exactly on a half. Mean
    expected useful 41/8 = 5.125 → 5.13; met 1 of 8 = 12.5% → 13%; NPS: 1 promoter of 8 →
    12.5 → 13 (half to even would give 5.12, 12% and 12)."""
    expectation, experience = (
        CheckInPlan(0, "expectation", None),
        CheckInPlan(1, "experience", TODAY),
    )

    def member(expected: int, experienced: int, recommend: int) -> MemberPlan:
        return MemberPlan(
            0,
            (
                ResponsePlan(0, BASE, {"expected": {"useful": expected}}),
                ResponsePlan(
                    1, BASE, {"experienced": {"useful": experienced}, "recommend": recommend}
                ),
            ),
        )

    members = (member(6, 6, 10), *(member(5, 4, 7) for _ in range(7)))
    return PilotPlan(
        closed=True,
        runs_from=TODAY - dt.timedelta(days=30),
        today=TODAY,
        check_ins=(expectation, experience, CheckInPlan(2, "experience", TODAY)),
        accounts=(AccountPlan(Segment.SMB, ()),),
        members=members,
        dimensions=DIMENSIONS,
    )


def _plant(plan: PilotPlan) -> Pilot:
    """The plan as rows: accounts and their snapshots, the pilot (default instrument and
    check-ins, due on the plan's dates), the members' enrolments and responses."""
    accounts = [AccountFactory(segment=a.segment) for a in plan.accounts]
    for account, account_plan in zip(accounts, plan.accounts, strict=True):
        for day, level in account_plan.snapshots:
            engagement_level_set(account, level, day=day)
    pilot = PilotFactory(
        accounts=accounts,
        state=PilotState.CLOSED if plan.closed else PilotState.RUNNING,
        recruiting_opens=plan.runs_from - dt.timedelta(days=7),
        runs_from=plan.runs_from,
        runs_until=plan.runs_from + dt.timedelta(days=30),
    )
    check_ins = {c.position: c for c in pilot.check_ins.all()}
    for check_in_plan in plan.check_ins:
        check_ins[check_in_plan.position].due_on = check_in_plan.due_on
        check_ins[check_in_plan.position].save()
    for member in plan.members:
        account = accounts[member.account]
        enrolment = Enrolment.objects.create(pilot=pilot, user=customer(account), account=account)
        for response in member.responses:
            feedback_response(
                enrolment,
                check_ins[response.position],
                at=response.submitted_at,
                draft=response.submitted_at is None,
                **response.answers,
            )
    return pilot


# --- The property ------------------------------------------------------------------------------


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=pilot_plans())
@example(plan=_halves())
def test_every_figure_equals_the_reference_computation(plan):
    with transaction.atomic():  # each example in a savepoint of its own, rolled back
        pilot = _plant(plan)
        for split in SPLITS:
            results = pilot_results(pilot=pilot, split=split, today=plan.today)
            assert_equal_to_reference(results, reference_results(plan, split), pilot)
        transaction.set_rollback(True)


# --- One example through the API and the CSV -----------------------------------------------------


def _example() -> PilotPlan:
    """A running pilot: the mid-pilot check-in due today, the final one tomorrow (answered
    early by one member); two accounts, one Contributing when the pilot started (Dormant
    since), one without a level then; a draft, missing ratings, a tie in submission times."""
    at = BASE
    check_ins = (
        CheckInPlan(0, "expectation", None),
        CheckInPlan(1, "experience", TODAY),
        CheckInPlan(2, "experience", TODAY + dt.timedelta(days=1)),
    )
    runs_from = TODAY - dt.timedelta(days=10)

    def expect(useful, usable):
        return ResponsePlan(0, at, {"expected": {"useful": useful, "usable": usable}})

    def experience(position, useful, usable, sacrifice, recommend, *, when=at, job="Yes"):
        answers = {
            "experienced": {"useful": useful, "usable": usable},
            "sacrifice": {"useful": sacrifice},
            "job_done": job,
            "adopt": recommend - 1,
            "recommend": recommend,
        }
        return ResponsePlan(position, when, answers)

    later = at + dt.timedelta(hours=1)
    members = (
        MemberPlan(0, (expect(5, 3), experience(1, 6, 3, 1, 10))),
        MemberPlan(
            0, (expect(6, 4), experience(1, 3, 6, 4, 2), experience(2, 5, 4, 2, 7, when=later))
        ),
        MemberPlan(1, (expect(4, 5), experience(1, 4, 4, 2, 9, job="Partly"))),
        MemberPlan(1, (expect(7, 2), ResponsePlan(1, None, {"experienced": {"useful": 1}}))),
        MemberPlan(1, ()),
    )
    return PilotPlan(
        closed=False,
        runs_from=runs_from,
        today=TODAY,
        check_ins=check_ins,
        accounts=(
            AccountPlan(
                Segment.ENTERPRISE,
                (
                    (runs_from - dt.timedelta(days=3), EngagementLevel.CONTRIBUTING),
                    (runs_from + dt.timedelta(days=2), EngagementLevel.DORMANT),
                ),
            ),
            AccountPlan(
                Segment.SMB, ((runs_from + dt.timedelta(days=1), EngagementLevel.OBSERVING),)
            ),
        ),
        members=members,
        dimensions=DIMENSIONS,
    )


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def test_the_api_and_the_figures_csv_show_the_reference_figures(
    api, client_for, product_manager, monkeypatch
):
    plan = _example()
    pilot = _plant(plan)
    # The views ask for the results of the site's today: here, the plan's day.
    monkeypatch.setattr(results_module, "timezone", SimpleNamespace(localdate=lambda: plan.today))
    reference = reference_results(plan, "level")
    api_login(api, product_manager)

    body = api.get(f"/api/v1/pilots/{pilot.pk}/results/", {"split": "level"}).json()
    response = client_for(product_manager).get(
        f"/pilots/{pilot.pk}/results/figures.csv?split=level"
    )
    _, *rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    cells = {
        (group, figure, of): (value, n, reads) for group, _, figure, of, value, n, reads in rows
    }

    assert [g["key"] for g in body["groups"]] == ["contributing", "not_computed"]
    # Due: the expectation and the mid-pilot check-in (due today), 5 members: 10; answered: 4
    # expectations and 3 mid-pilot check-ins (a draft does not count, nor the early final one).
    assert body["overall"]["response_rate"]["text"] == "7 of 10 due check-ins answered, 70%"
    for group in [body["overall"], *body["groups"]]:
        expected = reference[group["key"]]
        answered, due, rate = expected["response_rate"]
        assert (group["response_rate"]["answered"], group["response_rate"]["due"]) == (
            answered,
            due,
        )
        assert group["response_rate"]["percent"] == rate
        assert cells[group["key"], "response_rate", ""][:2] == (str(rate), str(due))
        assert group["nps"]["score"] == expected["nps"]["score"]
        assert cells[group["key"], "nps", ""][0] == str(expected["nps"]["score"])
        assert group["adopt"]["mean"] == _number(expected["adopt"][0])
        assert [c["percent"] for c in group["check_ins"]] == [c[4] for c in expected["check_ins"]]
        for dimension in group["dimensions"]:
            figures, label = expected["dimensions"][dimension["key"]], dimension["label"]
            for figure, (api_field, csv_figure) in {
                "expected": ("expected_mean", "expected_mean"),
                "experienced": ("experienced_mean", "experienced_mean"),
                "gap": ("gap_mean", "gap_mean"),
                "sacrifice": ("sacrifice_mean", "sacrifice_mean"),
                "perceived": ("perceived_mean", "perceived_mean"),
            }.items():
                value, n = figures[figure]
                assert dimension[api_field] == _number(value), (group["key"], label, figure)
                shown = cells[group["key"], csv_figure, label]
                assert shown[:2] == ("" if value is None else str(value), str(n))
            assert dimension["met_percent"] == figures["met"][1]
            if figures["interval"] is not None:
                low = Decimal(cells[group["key"], "gap_interval_low", label][0])
                assert rounds_to(low, figures["interval"][0])
                assert dimension["gap_interval"]["low"] == float(low)
