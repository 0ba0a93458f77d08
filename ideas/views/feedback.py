"""Pages of feedback: the check-in answer form (enrolled members)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ideas import access
from ideas.models import (
    KIND_RANGES,
    Dimension,
    Question,
    QuestionKind,
    ResponseStatus,
)
from ideas.selectors import feedback as selectors
from ideas.services import feedback as services


@dataclass
class _Option:
    value: str
    label: str
    checked: bool


@dataclass
class _Row:
    """One dimension of a per-dimension scale: a row of radio buttons."""

    dimension: Dimension
    name: str
    options: list[_Option]
    error: str = ""


@dataclass
class _Field:
    """One question as the form shows it, with the value to show and its error."""

    question: Question
    name: str
    value: Any = None
    options: list[_Option] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    error: str = ""
    shown: str = ""  # the answer, read-only, once submitted

    @property
    def control(self) -> str:
        if self.question.per_dimension:
            return "per_dimension"
        if self.question.kind in KIND_RANGES:
            return "scale"
        return self.question.kind


def _scale_options(question: Question, value: Any) -> list[_Option]:
    low, high = KIND_RANGES[question.kind]
    return [_Option(str(n), str(n), str(value) == str(n)) for n in range(low, high + 1)]


def _fields(sheet: selectors.CheckInSheet, values: dict, errors: dict) -> list[_Field]:
    fields = []
    for question in sheet.questions:
        key = str(question.pk)
        name = f"q-{question.pk}"
        value = values.get(key)
        item = _Field(question=question, name=name, value=value, error=errors.get(key, ""))
        if question.per_dimension:
            ratings = value if isinstance(value, dict) else {}
            for dimension in sheet.dimensions:
                rating = ratings.get(dimension.key)
                item.rows.append(
                    _Row(
                        dimension=dimension,
                        name=f"{name}-{dimension.key}",
                        options=_scale_options(question, rating),
                        error=errors.get(f"{key}.{dimension.key}", ""),
                    )
                )
            item.shown = "; ".join(
                f"{d.label}: {ratings[d.key]}" for d in sheet.dimensions if d.key in ratings
            )
        elif question.kind in KIND_RANGES:
            item.options = _scale_options(question, value)
            item.shown = "" if value in (None, "") else str(value)
        elif question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            chosen = value if isinstance(value, list) else [value]
            item.options = [_Option(c, c, c in chosen) for c in question.choices]
            item.shown = ", ".join(c for c in question.choices if c in chosen)
        else:
            item.shown = value or ""
        fields.append(item)
    return fields


def _answers_from_post(request: HttpRequest, sheet: selectors.CheckInSheet) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in sheet.questions:
        name = f"q-{question.pk}"
        if question.per_dimension:
            answers[str(question.pk)] = {
                d.key: request.POST.get(f"{name}-{d.key}", "") for d in sheet.dimensions
            }
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            answers[str(question.pk)] = request.POST.getlist(name)
        else:
            answers[str(question.pk)] = request.POST.get(name, "")
    return answers


@login_required
def check_in_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A member answers a check-in: save a draft as often as they like, submit once."""
    check_in, enrolment = access.access_check_in_for_answer(request.user, pk)
    sheet = selectors.check_in_sheet(check_in=check_in, enrolment=enrolment)
    values, errors, problems = sheet.answers, {}, []
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        values = _answers_from_post(request, sheet)
        try:
            services.response_save(
                check_in=check_in, enrolment=enrolment, answers=values, submit=submit
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, messages_ in error.message_dict.items():
                    errors[name.removeprefix("answers.")] = " ".join(messages_)
            else:
                problems = error.messages
        else:
            if submit:
                messages.success(request, "Thank you! Your answers are submitted.")
            else:
                messages.success(request, "Your draft is saved. Submit it when you are ready.")
            return redirect("ideas:check-in-answer", pk=check_in.pk)
    failed = bool(errors or problems)
    if failed:  # show what is stored now (submitted elsewhere meanwhile, say)
        sheet = selectors.check_in_sheet(check_in=check_in, enrolment=enrolment)
        if sheet.submitted:
            values, errors = sheet.answers, {}
    return render(
        request,
        "ideas/check_in_answer.html",
        {
            "check_in": check_in,
            "pilot": check_in.pilot,
            "sheet": sheet,
            "fields": _fields(sheet, values, errors),
            "problems": problems,
            "error_count": len(errors),
            "max_text_answer": services.MAX_TEXT_ANSWER,
            "closed_reason": sheet.closed_reason,
            "is_draft": sheet.response is not None
            and sheet.response.status == ResponseStatus.DRAFT,
        },
        status=400 if failed else 200,
    )
