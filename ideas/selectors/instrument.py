"""Reads of feedback instruments: the version new responses use, and the instrument designer's
view of it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from config.sql_once import SqlOnce
from ideas.models import (
    Dimension,
    FeedbackResponse,
    Instrument,
    Phase,
    Pilot,
    PilotState,
    Question,
    QuestionRole,
)


def instrument_current(*, pilot: Pilot) -> Instrument:
    """The version new responses use: the newest."""
    return pilot.instruments.order_by("-version").first()


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


def _of_current(rows: QuerySet, pilot_id: int) -> QuerySet:
    """`rows` (dimensions or questions) of the pilot's current instrument, in the same query."""
    newest = Instrument.objects.filter(pilot_id=pilot_id).order_by("-version").values("pk")[:1]
    return rows.filter(instrument=Subquery(newest))


# The designer API's lists, asked on every call: their SQL is written once per process.
_DIMENSIONS = SqlOnce(
    Dimension,
    lambda pilot_id: _of_current(Dimension.objects.order_by("position", "pk"), pilot_id),
    pilot_id=int,
)
_QUESTIONS = SqlOnce(
    Question,
    lambda pilot_id: _of_current(Question.objects.order_by("phase", "position", "pk"), pilot_id),
    pilot_id=int,
)


def instrument_dimensions(*, pilot: Pilot) -> list[Dimension]:
    """The current version's dimensions, as `instrument_design` orders them: one query."""
    return _DIMENSIONS.all(pilot_id=pilot.pk)


def instrument_questions(*, pilot: Pilot) -> list[Question]:
    """The current version's questions, as `instrument_design` orders them: one query."""
    return _QUESTIONS.all(pilot_id=pilot.pk)


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
