"""Reads of feedback: whether a check-in takes answers, and a member's check-in sheet (the
questions of a check-in with the member's own answers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format

from ideas.models import (
    KIND_RANGES,
    Answer,
    CheckIn,
    Dimension,
    Enrolment,
    FeedbackResponse,
    Instrument,
    Phase,
    PilotState,
    Question,
    QuestionKind,
)
from ideas.selectors.instrument import instrument_current

# A closed pilot still takes answers (and reminds of its final check-in) for a week after its
# last day.
FEEDBACK_GRACE_DAYS = 7


def check_in_closed_reason(*, check_in: CheckIn, today: dt.date | None = None) -> str:
    """Why the check-in cannot be answered today, or "" when it can."""
    today = today or timezone.localdate()
    pilot = check_in.pilot
    if pilot.state == PilotState.DRAFT:
        return "This pilot has not started yet."
    if check_in.phase == Phase.EXPERIENCE and today < pilot.runs_from:
        return (
            f"This check-in opens when the pilot runs, on {date_format(pilot.runs_from, 'j F Y')}."
        )
    if pilot.state == PilotState.CLOSED and today > pilot.runs_until + dt.timedelta(
        days=FEEDBACK_GRACE_DAYS
    ):
        return "This pilot has closed and no longer takes feedback."
    return ""


def answer_value(answer: Answer) -> Any:
    """One stored answer in the shape the answer service takes."""
    kind = answer.question.kind
    if kind in KIND_RANGES:
        return answer.value_int
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return list(answer.value_choices)
    return answer.value_text


def stored_answers(*, response: FeedbackResponse) -> dict[str, Any]:
    """A response's answers keyed by question id (a string, as in JSON); a per-dimension
    question's answer is a dict of dimension key → rating. One query."""
    answers: dict[str, Any] = {}
    for answer in Answer.objects.filter(response=response).select_related("question", "dimension"):
        key = str(answer.question_id)
        if answer.dimension_id is not None:
            answers.setdefault(key, {})[answer.dimension.key] = answer.value_int
        else:
            answers[key] = answer_value(answer)
    return answers


@dataclass
class CheckInSheet:
    """What a member sees for one check-in: the questions of its phase (from the version their
    response uses, or the newest) and their own answers so far."""

    check_in: CheckIn
    enrolment: Enrolment
    instrument: Instrument
    questions: list[Question]
    dimensions: list[Dimension]
    response: FeedbackResponse | None
    answers: dict[str, Any] = field(default_factory=dict)

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.submitted_at is not None

    @property
    def closed_reason(self) -> str:
        return check_in_closed_reason(check_in=self.check_in)


def check_in_sheet(*, check_in: CheckIn, enrolment: Enrolment) -> CheckInSheet:
    """Four queries: the member's response, the instrument (only without a response), the
    questions of the phase and the dimensions, and the answers (only with a response)."""
    response = (
        FeedbackResponse.objects.filter(check_in=check_in, enrolment=enrolment)
        .select_related("instrument")
        .first()
    )
    instrument = response.instrument if response else instrument_current(pilot=check_in.pilot)
    return CheckInSheet(
        check_in=check_in,
        enrolment=enrolment,
        instrument=instrument,
        questions=list(
            instrument.questions.filter(phase=check_in.phase).order_by("position", "pk")
        ),
        dimensions=list(instrument.dimensions.order_by("position", "pk")),
        response=response,
        answers=stored_answers(response=response) if response else {},
    )
