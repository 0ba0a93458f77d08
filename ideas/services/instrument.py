"""Writes of feedback instruments: a pilot's default instrument, and the instrument designer
with its versioning.

Instrument edits
    A product manager adds, rewords, removes and reorders questions and dimensions. While no
    response uses the current version, an edit changes it in place. Once a response exists (a
    draft or a submitted one), an edit copies the instrument into version N+1 and changes the
    copy: answers already given keep the questions they answered, new responses use the newest
    version (`ideas.selectors.instrument.instrument_current`). Every edit returns the
    instrument that now holds the change. A closed pilot's instrument no longer changes.

    Dimension keys never change once made, so that results can follow a dimension across
    versions. A dimension's target experience (1–7, one decimal, or none) is set like its
    label, and read by the calibration (ideas/selectors/calibration.py). A question's phase,
    kind, role and per-dimension flag are fixed when it is added (remove it and add another to
    change them); its wording, help, required flag and options can change.

    Removing a question that the results read (one with a `role`: expected, experienced,
    sacrifice, job done, adopt, recommend, the two free texts) is allowed: the results then
    lack that figure. The designer says so, and a question with that role can be added again.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Final, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ideas.models import (
    Dimension,
    FeedbackResponse,
    Instrument,
    Pilot,
    PilotState,
    Question,
    QuestionRole,
)
from ideas.models.instrument import DEFAULT_DIMENSIONS, DEFAULT_QUESTIONS
from ideas.services.instrument_checks import (
    check_question_shape,
    clean_options,
    clean_target,
    clean_text,
    collect_errors,
    text_change,
)

Direction = Literal["up", "down"]

# `instrument_dimension_update(target=KEEP)` leaves the target as it is (None clears it).
KEEP: Final = object()


# --- The default instrument --------------------------------------------------------------------


@transaction.atomic
def instrument_create_default(*, pilot: Pilot) -> Instrument:
    """Version 1 of a pilot's instrument: the default dimensions and questions."""
    instrument = Instrument.objects.create(pilot=pilot, version=1)
    Dimension.objects.bulk_create(
        [
            Dimension(
                instrument=instrument, key=key, label=label, description=description, position=i
            )
            for i, (key, label, description) in enumerate(DEFAULT_DIMENSIONS)
        ]
    )
    Question.objects.bulk_create(
        [
            Question(
                instrument=instrument,
                phase=phase,
                kind=kind,
                role=role,
                per_dimension=per_dimension,
                prompt=prompt,
                help_text=help_text,
                required=required,
                choices=choices,
                position=i,
            )
            for i, (
                phase,
                kind,
                role,
                per_dimension,
                prompt,
                help_text,
                required,
                choices,
            ) in enumerate(DEFAULT_QUESTIONS)
        ]
    )
    return instrument


# --- The instrument designer -------------------------------------------------------------------


class _Writable:
    """The instrument an edit goes into, and where the current version's questions and
    dimensions live in it (the same rows, or their copies in a new version)."""

    def __init__(self, instrument: Instrument, questions: dict, dimensions: dict) -> None:
        self.instrument = instrument
        self.questions: dict[int, Question] = questions
        self.dimensions: dict[int, Dimension] = dimensions


def _locked_current(*, pilot: Pilot) -> Instrument:
    """The pilot's newest instrument, with the pilot's row locked: edits of one pilot, and the
    creation of its responses (which locks it too), happen one after the other."""
    pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
    if pilot.state == PilotState.CLOSED:
        raise ValidationError("The pilot is closed: its instrument no longer changes.")
    instrument = Instrument.objects.filter(pilot=pilot).order_by("-version").first()
    if instrument is None:
        raise ValidationError("This pilot has no instrument.")
    instrument.pilot = pilot
    return instrument


def _writable(current: Instrument) -> _Writable:
    """`current` itself while no response uses it; otherwise a copy as version N+1."""
    questions = {q.pk: q for q in current.questions.all()}
    dimensions = {d.pk: d for d in current.dimensions.all()}
    if not FeedbackResponse.objects.filter(instrument=current).exists():
        return _Writable(current, questions, dimensions)
    copy = Instrument.objects.create(pilot=current.pilot, version=current.version + 1)
    dimension_copies = {
        pk: Dimension(
            instrument=copy,
            key=d.key,
            label=d.label,
            description=d.description,
            position=d.position,
            target=d.target,
        )
        for pk, d in dimensions.items()
    }
    question_copies = {
        pk: Question(
            instrument=copy,
            phase=q.phase,
            kind=q.kind,
            role=q.role,
            per_dimension=q.per_dimension,
            prompt=q.prompt,
            help_text=q.help_text,
            required=q.required,
            choices=list(q.choices),
            position=q.position,
        )
        for pk, q in questions.items()
    }
    Dimension.objects.bulk_create(dimension_copies.values())
    Question.objects.bulk_create(question_copies.values())
    return _Writable(copy, question_copies, dimension_copies)


def _current_question(current: Instrument, question: Question) -> None:
    if question.instrument_id != current.pk:
        raise ValidationError(
            "This question belongs to an older version of the instrument; reload and try again."
        )


def _current_dimension(current: Instrument, dimension: Dimension) -> None:
    if dimension.instrument_id != current.pk:
        raise ValidationError(
            "This dimension belongs to an older version of the instrument; reload and try again."
        )


def _renumber(rows: Iterable[Question] | Iterable[Dimension]) -> None:
    """Positions 0, 1, 2 … in the rows' order; saves only the rows that moved."""
    changed = []
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["position"])


def _ordered(rows: Iterable) -> list:
    return sorted(rows, key=lambda row: (row.position, row.pk))


def _phase_questions(questions: Iterable[Question], phase: str) -> list[Question]:
    return _ordered(q for q in questions if q.phase == phase)


@transaction.atomic
def instrument_question_add(
    *,
    pilot: Pilot,
    phase: str,
    kind: str,
    prompt: str,
    help_text: str = "",
    required: bool = True,
    choices: Iterable[str] | None = None,
    per_dimension: bool = False,
    role: str = "",
) -> Instrument:
    """Add a question at the end of its phase."""
    check_question_shape(phase=phase, kind=kind, role=role, per_dimension=per_dimension)
    cleaned = collect_errors(
        [
            ("prompt", lambda: clean_text("prompt", prompt, max_length=300, required=True)),
            (
                "help_text",
                lambda: clean_text("help_text", help_text, max_length=300, required=False),
            ),
            ("choices", lambda: clean_options(kind, choices)),
        ]
    )
    current = _locked_current(pilot=pilot)
    if role and current.questions.filter(role=role).exists():
        raise ValidationError(
            {"role": f"The instrument already has a question for “{QuestionRole(role).label}”."}
        )
    target = _writable(current)
    in_phase = _phase_questions(target.questions.values(), phase)
    Question.objects.create(
        instrument=target.instrument,
        phase=phase,
        kind=kind,
        role=role,
        per_dimension=per_dimension,
        required=bool(required),
        position=in_phase[-1].position + 1 if in_phase else 0,
        **cleaned,
    )
    return target.instrument


@transaction.atomic
def instrument_question_update(
    *,
    question: Question,
    prompt: str | None = None,
    help_text: str | None = None,
    required: bool | None = None,
    choices: Iterable[str] | None = None,
) -> Instrument:
    """Reword a question: prompt, help, required, options. None leaves a field as it is."""
    current = _locked_current(pilot=question.instrument.pilot)
    _current_question(current, question)
    fresh = Question.objects.get(pk=question.pk)
    cleaned = collect_errors(
        [
            (
                "prompt",
                lambda: text_change("prompt", prompt, fresh.prompt, max_length=300, required=True),
            ),
            (
                "help_text",
                lambda: text_change(
                    "help_text", help_text, fresh.help_text, max_length=300, required=False
                ),
            ),
            (
                "choices",
                lambda: fresh.choices if choices is None else clean_options(fresh.kind, choices),
            ),
        ]
    )
    cleaned["required"] = fresh.required if required is None else bool(required)
    if all(getattr(fresh, field) == value for field, value in cleaned.items()):
        return current  # nothing changes: no new version either
    target = _writable(current)
    row = target.questions[question.pk]
    for field, value in cleaned.items():
        setattr(row, field, value)
    row.save(update_fields=list(cleaned))
    return target.instrument


@transaction.atomic
def instrument_question_remove(*, question: Question) -> Instrument:
    """Remove a question (answers already given keep it in their version)."""
    current = _locked_current(pilot=question.instrument.pilot)
    _current_question(current, question)
    target = _writable(current)
    row = target.questions.pop(question.pk)
    row.delete()
    _renumber(_phase_questions(target.questions.values(), row.phase))
    return target.instrument


@transaction.atomic
def instrument_question_move(*, question: Question, direction: Direction) -> Instrument:
    """Move a question one place up or down within its phase (at the edge: no change)."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move up or down."})
    current = _locked_current(pilot=question.instrument.pilot)
    _current_question(current, question)
    order = [q.pk for q in _phase_questions(current.questions.all(), question.phase)]
    index = order.index(question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(order):
        return current
    order[index], order[other] = order[other], order[index]
    target = _writable(current)
    _renumber([target.questions[pk] for pk in order])
    return target.instrument


def _dimension_key(label: str, taken: set[str]) -> str:
    base = slugify(label)[:36] or "dimension"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


@transaction.atomic
def instrument_dimension_add(
    *, pilot: Pilot, label: str, description: str = "", target: Decimal | None = None
) -> Instrument:
    """Add a dimension at the end; its key is made from the label and never changes."""
    cleaned = collect_errors(
        [
            ("label", lambda: clean_text("label", label, max_length=100, required=True)),
            (
                "description",
                lambda: clean_text("description", description, max_length=300, required=False),
            ),
            ("target", lambda: clean_target(target)),
        ]
    )
    current = _locked_current(pilot=pilot)
    existing = list(current.dimensions.all())
    if any(d.label.casefold() == cleaned["label"].casefold() for d in existing):
        raise ValidationError({"label": "The instrument has a dimension of that name already."})
    target = _writable(current)
    dimensions = _ordered(target.dimensions.values())
    Dimension.objects.create(
        instrument=target.instrument,
        key=_dimension_key(cleaned["label"], {d.key for d in dimensions}),
        position=dimensions[-1].position + 1 if dimensions else 0,
        **cleaned,
    )
    return target.instrument


@transaction.atomic
def instrument_dimension_update(
    *,
    dimension: Dimension,
    label: str | None = None,
    description: str | None = None,
    target: Decimal | None | object = KEEP,
) -> Instrument:
    """Rename a dimension, change its description or its target (its key stays). None leaves
    the label and description as they are; the target stays unless given (None clears it)."""
    current = _locked_current(pilot=dimension.instrument.pilot)
    _current_dimension(current, dimension)
    fresh = Dimension.objects.get(pk=dimension.pk)
    cleaned = collect_errors(
        [
            (
                "label",
                lambda: text_change("label", label, fresh.label, max_length=100, required=True),
            ),
            (
                "description",
                lambda: text_change(
                    "description", description, fresh.description, max_length=300, required=False
                ),
            ),
            ("target", lambda: fresh.target if target is KEEP else clean_target(target)),
        ]
    )
    others = current.dimensions.exclude(pk=dimension.pk)
    if any(d.label.casefold() == cleaned["label"].casefold() for d in others):
        raise ValidationError({"label": "The instrument has a dimension of that name already."})
    if all(getattr(fresh, field) == value for field, value in cleaned.items()):
        return current
    target = _writable(current)
    row = target.dimensions[dimension.pk]
    for field, value in cleaned.items():
        setattr(row, field, value)
    row.save(update_fields=list(cleaned))
    return target.instrument


@transaction.atomic
def instrument_dimension_remove(*, dimension: Dimension) -> Instrument:
    """Remove a dimension; the last one stays (per-dimension questions need one)."""
    current = _locked_current(pilot=dimension.instrument.pilot)
    _current_dimension(current, dimension)
    if current.dimensions.count() <= 1:
        raise ValidationError("An instrument keeps at least one dimension.")
    target = _writable(current)
    target.dimensions.pop(dimension.pk).delete()
    _renumber(_ordered(target.dimensions.values()))
    return target.instrument


@transaction.atomic
def instrument_dimension_move(*, dimension: Dimension, direction: Direction) -> Instrument:
    """Move a dimension one place up or down (at the edge: no change)."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move up or down."})
    current = _locked_current(pilot=dimension.instrument.pilot)
    _current_dimension(current, dimension)
    order = [d.pk for d in _ordered(current.dimensions.all())]
    index = order.index(dimension.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(order):
        return current
    order[index], order[other] = order[other], order[index]
    target = _writable(current)
    _renumber([target.dimensions[pk] for pk in order])
    return target.instrument
