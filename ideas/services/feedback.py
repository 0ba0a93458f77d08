"""Writes of feedback: a pilot's default check-ins, and members' answers.

Answers
    `response_save(check_in=, enrolment=, answers=, submit=)` takes the answers keyed by
    question id (an int, or its string form as in JSON):

        {
            12: {"useful": 6, "usable": 5},   # per-dimension scale: dimension key → rating
            15: "Partly",                     # single choice: one of the options
            16: ["Offline", "Speed"],         # multiple choice: a list of options
            17: 8,                            # scale or 0–10 likelihood: a whole number
            18: "Sync took too long.",        # free text
        }

    Missing keys, None, "" and [] mean "not answered". Saving a draft checks ranges and options
    but not completeness; submitting checks everything. The answers given replace the ones
    stored; `answers=None` keeps the stored ones (submit the draft as it is). Errors are field
    errors named `answers.<question id>` or `answers.<question id>.<dimension key>`; on error
    nothing is saved.

    Stored answers: scales and likelihoods in `value_int`; a single choice in `value_text` and
    also as a one-item `value_choices`; multiple choices in `value_choices` (in the order of
    the options); free text in `value_text`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.formats import format_date
from community.models import ActivityKind
from community.services.engagement import activity_record
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
    Question,
    QuestionKind,
    ResponseStatus,
)
from ideas.selectors.feedback import check_in_closed_reason, stored_answers

MAX_TEXT_ANSWER = 5000


# --- The default check-ins ---------------------------------------------------------------------


@transaction.atomic
def check_ins_create_default(*, pilot: Pilot) -> list[CheckIn]:
    """The expectation (due at enrolment), a mid-pilot and a final experience check-in."""
    middle = pilot.runs_from + (pilot.runs_until - pilot.runs_from) / 2
    return CheckIn.objects.bulk_create(
        [
            CheckIn(
                pilot=pilot,
                phase=Phase.EXPECTATION,
                title="Your expectations",
                due_on=None,
                position=0,
            ),
            CheckIn(
                pilot=pilot,
                phase=Phase.EXPERIENCE,
                title="Mid-pilot check-in",
                due_on=middle,
                position=1,
            ),
            CheckIn(
                pilot=pilot,
                phase=Phase.EXPERIENCE,
                title="Final check-in",
                due_on=pilot.runs_until,
                position=2,
            ),
        ]
    )


# --- Answers -----------------------------------------------------------------------------------


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _clean_scale(kind: str, value: Any) -> int:
    low, high = KIND_RANGES[kind]
    number = _whole_number(value)
    if number is None or not low <= number <= high:
        raise ValueError(f"Choose a whole number from {low} to {high}.")
    return number


def _options_text(options: list[str]) -> str:
    return ", ".join(f"“{option}”" for option in options)


def _clean_value(question: Question, value: Any) -> dict[str, Any]:
    """The stored fields of one answer, or ValueError with a message for the member."""
    kind = question.kind
    if kind in KIND_RANGES:
        return {"value_int": _clean_scale(kind, value)}
    if kind == QuestionKind.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in question.choices:
            raise ValueError(f"Choose one of {_options_text(question.choices)}.")
        return {"value_text": value, "value_choices": [value]}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError("Give a list of options.")
        unknown = [v for v in value if v not in question.choices]
        if unknown:
            raise ValueError(
                f"{_options_text(unknown)} is not an option; choose from "
                f"{_options_text(question.choices)}."
            )
        return {"value_choices": [option for option in question.choices if option in value]}
    if not isinstance(value, str):
        raise ValueError("Give your answer as text.")
    if len(value.strip()) > MAX_TEXT_ANSWER:
        raise ValueError(
            f"Keep your answer to {MAX_TEXT_ANSWER:,} characters or fewer "
            f"(it has {len(value.strip()):,}); nothing was cut."
        )
    return {"value_text": value.strip()}


def clean_answers(
    *,
    answers: Mapping[Any, Any],
    questions: list[Question],
    dimensions: list[Dimension],
    complete: bool,
) -> list[Answer]:
    """Check answers against the questions of a check-in; unsaved Answer rows, or a
    ValidationError naming every field in trouble (see the module's docstring)."""
    if not isinstance(answers, Mapping):
        raise ValidationError({"answers": "Give the answers keyed by question id."})
    by_id = {str(q.pk): q for q in questions}
    dimension_by_key = {d.key: d for d in dimensions}
    errors: dict[str, str] = {}
    rows: list[Answer] = []
    for key, value in answers.items():
        question = by_id.get(str(key))
        if question is None:
            errors[f"answers.{key}"] = "This is not a question of this check-in."
        elif question.per_dimension:
            rows += _clean_ratings(question, key, value, dimension_by_key, errors)
        elif not _blank(value):
            try:
                rows.append(Answer(question=question, **_clean_value(question, value)))
            except ValueError as problem:
                errors[f"answers.{key}"] = str(problem)
    if complete:
        _check_complete(rows, questions, dimensions, errors)
    if errors:
        raise ValidationError(errors)
    return rows


def _clean_ratings(
    question: Question,
    key: Any,
    value: Any,
    dimension_by_key: dict[str, Dimension],
    errors: dict[str, str],
) -> list[Answer]:
    """The answers to a per-dimension question (a rating keyed by dimension); its errors go
    into `errors`."""
    if _blank(value):
        return []
    if not isinstance(value, Mapping):
        errors[f"answers.{key}"] = "Give a rating for each dimension, keyed by dimension."
        return []
    rows = []
    for dimension_key, rating in value.items():
        dimension = dimension_by_key.get(str(dimension_key))
        if dimension is None:
            errors[f"answers.{key}.{dimension_key}"] = "This is not a dimension of this check-in."
        elif not _blank(rating):
            try:
                rows.append(
                    Answer(question=question, dimension=dimension, **_clean_value(question, rating))
                )
            except ValueError as problem:
                errors[f"answers.{key}.{dimension_key}"] = str(problem)
    return rows


def _check_complete(
    rows: list[Answer],
    questions: list[Question],
    dimensions: list[Dimension],
    errors: dict[str, str],
) -> None:
    """For a submission: every required question answered, and a per-dimension question that
    is required or partly rated rated on every dimension; what is missing goes into `errors`."""
    answered = {(a.question.pk, a.dimension.pk if a.dimension else None) for a in rows}
    for question in questions:
        if not question.per_dimension:
            if question.required and (question.pk, None) not in answered:
                errors.setdefault(f"answers.{question.pk}", "This question needs an answer.")
            continue
        rated = [d for d in dimensions if (question.pk, d.pk) in answered]
        if question.required or rated:  # partly rated: the pairs would be lopsided
            for dimension in dimensions:
                if (question.pk, dimension.pk) not in answered:
                    errors.setdefault(
                        f"answers.{question.pk}.{dimension.key}",
                        f"Give a rating for {dimension.label}.",
                    )


@transaction.atomic
def response_save(
    *,
    check_in: CheckIn,
    enrolment: Enrolment,
    answers: Mapping[Any, Any] | None,
    submit: bool,
    today: dt.date | None = None,
) -> FeedbackResponse:
    """Save a member's answers to a check-in as a draft, or submit them (once).

    One response per check-in and enrolment; a submitted response never changes again. The
    first save fixes the instrument version the response answers. Submitting records the
    activity: the expectation given, or feedback given for an experience check-in.
    """
    if enrolment.pilot_id != check_in.pilot_id:
        raise ValidationError("This check-in belongs to another pilot.")
    reason = check_in_closed_reason(check_in=check_in, today=today)
    if reason:
        raise ValidationError(reason)
    response, rows = _response_and_answers(
        check_in=check_in, enrolment=enrolment, answers=answers, submit=submit
    )
    response.answers.all().delete()
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    if submit:
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = timezone.now()
    response.save()
    if submit:
        activity_record(
            account=enrolment.account,
            user=enrolment.user,
            kind=(
                ActivityKind.EXPECTATION_GIVEN
                if check_in.phase == Phase.EXPECTATION
                else ActivityKind.FEEDBACK_GIVEN
            ),
            obj=response,
            pilot_ref=check_in.pilot_id,
        )
    return response


def _response_and_answers(
    *,
    check_in: CheckIn,
    enrolment: Enrolment,
    answers: Mapping[Any, Any] | None,
    submit: bool,
) -> tuple[FeedbackResponse, list[Answer]]:
    """The member's response to the check-in, locked (created by the first save), and the
    answers to store, checked against its instrument version (`answers=None`: the stored
    ones). A response created at the same moment elsewhere is taken up once."""
    for _attempt in range(2):
        response = _response_locked(check_in=check_in, enrolment=enrolment)
        instrument = _instrument_answered(check_in=check_in, response=response)
        questions = list(instrument.questions.filter(phase=check_in.phase))
        dimensions = list(instrument.dimensions.all())
        if answers is None:
            given: Mapping[Any, Any] = stored_answers(response=response) if response else {}
        else:
            given = answers
        rows = clean_answers(
            answers=given, questions=questions, dimensions=dimensions, complete=submit
        )
        if response is not None:
            return response, rows
        try:
            with transaction.atomic():
                response = FeedbackResponse.objects.create(
                    check_in=check_in, enrolment=enrolment, instrument=instrument
                )
        except IntegrityError:
            continue  # saved at the same moment elsewhere: start again with that row
        return response, rows
    # A second collision would need a third concurrent writer.
    raise ValidationError("This check-in is being saved elsewhere; try again.")  # pragma: no cover


def _response_locked(*, check_in: CheckIn, enrolment: Enrolment) -> FeedbackResponse | None:
    """The member's response to the check-in, its row locked; refused once submitted."""
    response = (
        FeedbackResponse.objects.select_for_update()
        .select_related("instrument")
        .filter(check_in=check_in, enrolment=enrolment)
        .first()
    )
    if response is not None and response.status == ResponseStatus.SUBMITTED:
        raise ValidationError(
            "You submitted this check-in on "
            f"{format_date(response.submitted_at)}; "
            "it cannot change any more.",
            code="already_submitted",
        )
    return response


def _instrument_answered(*, check_in: CheckIn, response: FeedbackResponse | None) -> Instrument:
    """The instrument version a response answers: its own, or for a new one the newest."""
    if response is not None:
        return response.instrument
    # The pilot's row is locked as instrument edits lock it: an edit in progress finishes first
    # (and this response then uses its version), and an edit that comes later sees this
    # response and makes a new version instead of changing this one.
    Pilot.objects.select_for_update().only("pk").get(pk=check_in.pilot_id)
    return Instrument.objects.filter(pilot_id=check_in.pilot_id).order_by("-version").first()
