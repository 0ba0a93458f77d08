"""Checks of what the instrument designer is given (ideas/services/instrument.py): a question's
options, text fields, shape and a dimension's target, each a field error the page and the API
show as such, gathered so that every wrong field is told at once."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from ideas.models import KIND_RANGES, Phase, QuestionKind, QuestionRole
from ideas.models.instrument import ROLE_SHAPES, validate_target

CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})

MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 100


def clean_options(kind: str, choices: Iterable[str] | None) -> list[str]:
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


def clean_text(field: str, value: str, *, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > max_length:
        raise ValidationError({field: f"Keep it under {max_length + 1} characters."})
    return value


def text_change(
    field: str, value: str | None, stored: str, *, max_length: int, required: bool
) -> str:
    """The new value of a text field, checked; None keeps the stored one."""
    if value is None:
        return stored
    return clean_text(field, value, max_length=max_length, required=required)


def collect_errors(checks) -> dict[str, Any]:
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


def check_question_shape(*, phase: str, kind: str, role: str, per_dimension: bool) -> None:
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


def clean_target(value: Decimal | None) -> Decimal | None:
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
