"""Reads of feedback: whether a check-in is due and whether it takes answers, a member's
check-in sheet (the questions of a check-in with the member's own answers), and every
submitted response of a pilot as a table (the results page's CSV export)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.utils import timezone

from accounts.formats import format_date
from accounts.models import segment_label
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
    ResponseStatus,
)
from ideas.selectors.instrument import instrument_current

# A closed pilot still takes answers (and reminds of its final check-in) for a week after its
# last day.
FEEDBACK_GRACE_DAYS = 7


def check_in_due(*, due_on: dt.date | None, pilot_state: str, today: dt.date) -> bool:
    """Whether a check-in is due from every member enrolled in its pilot on `today`, the site's
    day (`timezone.localdate()`, settings.TIME_ZONE). The one definition of "due" that response
    rates count (pilot results, an account's pilots):

    - every check-in of a closed pilot is due;
    - a check-in without a date (the expectation) is due at enrolment: at once, for anyone
      enrolled;
    - any other is due from its `due_on` on, that day included.

    It says nothing about whether answers are still taken (`check_in_closed_reason`): a
    member may answer an experience check-in early, from the pilot's first day."""
    return pilot_state == PilotState.CLOSED or due_on is None or due_on <= today


def check_in_closed_reason(*, check_in: CheckIn, today: dt.date | None = None) -> str:
    """Why the check-in cannot be answered today, or "" when it can."""
    today = today or timezone.localdate()
    pilot = check_in.pilot
    if pilot.state == PilotState.DRAFT:
        return "This pilot has not started yet."
    if check_in.phase == Phase.EXPERIENCE and today < pilot.runs_from:
        return f"This check-in opens when the pilot runs, on {format_date(pilot.runs_from)}."
    if pilot.state == PilotState.CLOSED and today > pilot.runs_until + dt.timedelta(
        days=FEEDBACK_GRACE_DAYS
    ):
        return "This pilot has closed and no longer takes feedback."
    return ""


def expectation_check_in(*, pilot: Pilot, today: dt.date | None = None) -> CheckIn | None:
    """The pilot's first expectation check-in while it takes answers (what a member gives
    right after enrolling), or None."""
    check_in = (
        CheckIn.objects.filter(pilot=pilot, phase=Phase.EXPECTATION)
        .select_related("pilot")
        .order_by("position", "pk")
        .first()
    )
    if check_in is None or check_in_closed_reason(check_in=check_in, today=today):
        return None
    return check_in


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


# --- Every response as a table (CSV export) ------------------------------------------------


RESPONSE_TABLE_FIXED = [
    "response id",
    "participant",
    "account",
    "segment",
    "check-in",
    "phase",
    "submitted at",
]


def pilot_response_table(*, pilot: Pilot) -> tuple[list[str], Iterator[list[object]]]:
    """Every submitted response of the pilot, one row each: who (account, segment, a participant
    number that links a member's check-ins), which check-in, when, then one column per question
    (per question and dimension for per-dimension questions). Questions of the default roles
    share a column across instrument versions; the PM's own questions each have their own.
    Queries: dimensions, questions, then the answers, streamed."""
    columns = _response_columns(pilot)
    header = [*RESPONSE_TABLE_FIXED, *(title for title in columns.titles)]
    return header, _response_rows(pilot, columns)


@dataclass
class _Columns:
    titles: list[str]
    index: dict[tuple[str, str], int]  # (question key, dimension key or "") → column
    question_keys: dict[int, str]  # question id → question key


def _question_key(question_id: int, role: str) -> str:
    return f"role:{role}" if role else f"question:{question_id}"


def _response_columns(pilot: Pilot) -> _Columns:
    dimensions: dict[int, list[tuple[str, str]]] = defaultdict(list)  # by instrument
    for instrument_id, key, label in (
        Dimension.objects.filter(instrument__pilot=pilot)
        .order_by("position", "pk")
        .values_list("instrument_id", "key", "label")
    ):
        dimensions[instrument_id].append((key, label))
    phase_order = {Phase.EXPECTATION: 0, Phase.EXPERIENCE: 1}
    questions = sorted(
        Question.objects.filter(instrument__pilot=pilot)
        .order_by("-instrument__version", "position", "pk")
        .values_list("pk", "instrument_id", "phase", "role", "per_dimension", "prompt"),
        key=lambda q: phase_order.get(q[2], 2),  # stable: newest version's order within phase
    )
    titles: list[str] = []
    index: dict[tuple[str, str], int] = {}
    question_keys: dict[int, str] = {}
    for pk, instrument_id, _phase, role, per_dimension, prompt in questions:
        key = _question_key(pk, role)
        question_keys[pk] = key
        cells = dimensions[instrument_id] if per_dimension else [("", "")]
        for dimension_key, dimension_label in cells:
            if (key, dimension_key) in index:
                continue
            index[(key, dimension_key)] = len(titles)
            titles.append(f"{prompt} — {dimension_label}" if dimension_key else prompt)
    return _Columns(titles=titles, index=index, question_keys=question_keys)


def _response_rows(pilot: Pilot, columns: _Columns) -> Iterator[list[object]]:
    rows = (
        FeedbackResponse.objects.filter(
            check_in__pilot=pilot, enrolment__pilot=pilot, status=ResponseStatus.SUBMITTED
        )
        .order_by("submitted_at", "pk", "answers__pk")
        .values_list(
            "pk",
            "enrolment_id",
            "enrolment__account__name",
            "enrolment__account__segment",
            "check_in__title",
            "check_in__phase",
            "submitted_at",
            "answers__question_id",
            "answers__dimension__key",
            "answers__value_int",
            "answers__value_text",
            "answers__value_choices",
        )
        .iterator(chunk_size=2000)
    )
    for _, answers in groupby(rows, key=lambda row: row[0]):
        answers = list(answers)
        pk, enrolment_id, account, segment, check_in, phase, submitted_at = answers[0][:7]
        cells: list[object] = [""] * len(columns.titles)
        for *_, question_id, dimension_key, value_int, value_text, value_choices in answers:
            if question_id is None:
                continue
            key = columns.question_keys.get(question_id)
            position = columns.index.get((key, dimension_key or ""))
            if position is not None:
                cells[position] = _cell(value_int, value_text, value_choices)
        yield [
            pk,
            enrolment_id,
            account,
            segment_label(segment),
            check_in,
            phase,
            timezone.localtime(submitted_at).isoformat(timespec="seconds"),
            *cells,
        ]


def _cell(value_int: int | None, value_text: str, value_choices: Iterable | None) -> object:
    if value_int is not None:
        return value_int
    if value_text:
        return value_text
    return "; ".join(str(choice) for choice in value_choices or [])
