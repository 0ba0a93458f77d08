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
from typing import Any, Final, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ideas.models import (
    KIND_RANGES,
    Dimension,
    FeedbackResponse,
    Instrument,
    Phase,
    Pilot,
    PilotState,
    Question,
    QuestionKind,
    QuestionRole,
)
from ideas.models.instrument import (
    DEFAULT_DIMENSIONS,
    DEFAULT_QUESTIONS,
    ROLE_SHAPES,
    validate_target,
)

CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})

MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 100

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


def _clean_options(kind: str, choices: Iterable[str] | None) -> list[str]:
    """The options of a choice question: trimmed, at least two, all different."""
    options = [str(option).strip() for option in (choices or [])]
    options = [option for option in options if option]
    if kind not in CHOICE_KINDS:
        if options:
            raise ValidationError({"choices": "Only choice questions have options."})
        return []
    if len(options) < 2:
        raise ValidationError({"choices": "Give at least two options, one per line."})
    if len(options) > MAX_OPTIONS:
        raise ValidationError({"choices": f"Give at most {MAX_OPTIONS} options."})
    if any(len(option) > MAX_OPTION_LENGTH for option in options):
        raise ValidationError(
            {"choices": f"Keep each option under {MAX_OPTION_LENGTH + 1} characters."}
        )
    if len({option.casefold() for option in options}) < len(options):
        raise ValidationError({"choices": "Each option must be different."})
    return options


def _clean_text(field: str, value: str, *, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > max_length:
        raise ValidationError({field: f"Keep it under {max_length + 1} characters."})
    return value


def _text_change(
    field: str, value: str | None, stored: str, *, max_length: int, required: bool
) -> str:
    """The new value of a text field, checked; None keeps the stored one."""
    if value is None:
        return stored
    return _clean_text(field, value, max_length=max_length, required=required)


def _collect(checks) -> dict[str, Any]:
    """Run field checks, gathering every field error before raising them together."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, check in checks:
        try:
            cleaned[field] = check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_question_shape(*, phase: str, kind: str, role: str, per_dimension: bool) -> None:
    """Field errors unless phase, kind and role are known, only a scale is asked per dimension,
    and a question with a role has the shape the results read (ROLE_SHAPES)."""
    errors: dict[str, str] = {}
    if phase not in Phase.values:
        errors["phase"] = "Choose before or during/after the trial."
    if kind not in QuestionKind.values:
        errors["kind"] = "Choose a kind of question."
    if role not in QuestionRole.values:
        errors["role"] = "Choose what the question measures, or a custom question."
    if per_dimension and kind not in KIND_RANGES:
        errors["per_dimension"] = "Only scales can be asked once per dimension."
    if not errors and role:
        shape = ROLE_SHAPES[role]
        if (phase, kind, per_dimension) != shape:
            errors["role"] = (
                f"“{QuestionRole(role).label}” must be a "
                f"{QuestionKind(shape[1]).label.lower()} question"
                f"{' asked per dimension' if shape[2] else ''}, "
                f"{'before' if shape[0] == Phase.EXPECTATION else 'during or after'} the trial."
            )
    if errors:
        raise ValidationError(errors)


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
    _check_question_shape(phase=phase, kind=kind, role=role, per_dimension=per_dimension)
    cleaned = _collect(
        [
            ("prompt", lambda: _clean_text("prompt", prompt, max_length=300, required=True)),
            (
                "help_text",
                lambda: _clean_text("help_text", help_text, max_length=300, required=False),
            ),
            ("choices", lambda: _clean_options(kind, choices)),
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
    cleaned = _collect(
        [
            (
                "prompt",
                lambda: _text_change("prompt", prompt, fresh.prompt, max_length=300, required=True),
            ),
            (
                "help_text",
                lambda: _text_change(
                    "help_text", help_text, fresh.help_text, max_length=300, required=False
                ),
            ),
            (
                "choices",
                lambda: fresh.choices if choices is None else _clean_options(fresh.kind, choices),
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


def _clean_target(value: Decimal | None) -> Decimal | None:
    """A target experience on the experienced rating's scale, to one decimal, or None."""
    if value is None:
        return None
    try:
        value = Decimal(str(value))  # a float as it prints: 5.1, not 5.0999…
        validate_target(value)
    except ArithmeticError:
        raise ValidationError({"target": "Give the target as a number."}) from None
    except ValidationError as error:
        raise ValidationError({"target": error.messages}) from None
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError({"target": "Give the target to one decimal at most."})
    return value.quantize(Decimal("0.1"))


@transaction.atomic
def instrument_dimension_add(
    *, pilot: Pilot, label: str, description: str = "", target: Decimal | None = None
) -> Instrument:
    """Add a dimension at the end; its key is made from the label and never changes."""
    cleaned = _collect(
        [
            ("label", lambda: _clean_text("label", label, max_length=100, required=True)),
            (
                "description",
                lambda: _clean_text("description", description, max_length=300, required=False),
            ),
            ("target", lambda: _clean_target(target)),
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
    cleaned = _collect(
        [
            (
                "label",
                lambda: _text_change("label", label, fresh.label, max_length=100, required=True),
            ),
            (
                "description",
                lambda: _text_change(
                    "description", description, fresh.description, max_length=300, required=False
                ),
            ),
            ("target", lambda: fresh.target if target is KEEP else _clean_target(target)),
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
