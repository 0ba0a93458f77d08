"""Reads of feedback: the instrument designer's view of an instrument, and a member's check-in
sheet (the questions of a check-in with the member's own answers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.dateformat import format as date_format

from ideas.instrument import instrument_current
from ideas.models import (
    KIND_RANGES,
    Answer,
    CheckIn,
    Dimension,
    Enrolment,
    FeedbackResponse,
    Instrument,
    Phase,
    Pilot,
    PilotState,
    Question,
    QuestionKind,
    QuestionRole,
)

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


@dataclass
class InstrumentDesign:
    """The current version of a pilot's instrument, as the designer shows it."""

    pilot: Pilot
    instrument: Instrument
    dimensions: list[Dimension]
    questions: list[Question]
    has_responses: bool  # the next edit makes a new version

    @property
    def editable(self) -> bool:
        return self.pilot.state != PilotState.CLOSED

    def phase_questions(self, phase: str) -> list[Question]:
        return [q for q in self.questions if q.phase == phase]

    @property
    def phases(self) -> list[tuple[str, str, list[Question]]]:
        return [(p.value, p.label, self.phase_questions(p.value)) for p in Phase]

    @property
    def missing_roles(self) -> list[tuple[str, str]]:
        """Roles the results read that no question has (removed by the product manager)."""
        used = {q.role for q in self.questions}
        return [(r.value, r.label) for r in QuestionRole if r.value and r.value not in used]


def instrument_design(*, pilot: Pilot) -> InstrumentDesign:
    """Three queries: the newest instrument (with whether responses use it), its dimensions,
    its questions."""
    instrument = (
        Instrument.objects.filter(pilot=pilot)
        .annotate(has_responses=Exists(FeedbackResponse.objects.filter(instrument=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("dimensions", queryset=Dimension.objects.order_by("position", "pk")),
            Prefetch("questions", queryset=Question.objects.order_by("phase", "position", "pk")),
        )
        .order_by("-version")
        .first()
    )
    return InstrumentDesign(
        pilot=pilot,
        instrument=instrument,
        dimensions=list(instrument.dimensions.all()),
        questions=list(instrument.questions.all()),
        has_responses=instrument.has_responses,
    )


def instrument_question(*, pilot: Pilot, question_id) -> Question | None:
    """A question of the pilot's current instrument (older versions' questions are history)."""
    current = instrument_current(pilot=pilot)
    pk = int(question_id) if str(question_id).isdigit() else 0
    question = current.questions.filter(pk=pk).first()
    if question is not None:
        current.pilot = pilot
        question.instrument = current
    return question


def instrument_dimension(*, pilot: Pilot, dimension_id) -> Dimension | None:
    """A dimension of the pilot's current instrument."""
    current = instrument_current(pilot=pilot)
    pk = int(dimension_id) if str(dimension_id).isdigit() else 0
    dimension = current.dimensions.filter(pk=pk).first()
    if dimension is not None:
        current.pilot = pilot
        dimension.instrument = current
    return dimension


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
