"""Pages of the instrument designer (product managers): a pilot's dimensions and questions by
phase, and the forms that change them (ideas/services/instrument.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ideas import access
from ideas.models import Dimension, Instrument, Pilot, Question
from ideas.selectors import instrument as selectors
from ideas.services import instrument as services
from ideas.views.instrument_forms import DimensionForm, MoveForm, QuestionAddForm, QuestionEditForm


def _designer_url(pilot: Pilot) -> str:
    return reverse("ideas:instrument-edit", kwargs={"pk": pilot.pk})


def _done(request: HttpRequest, *, before: int, instrument: Instrument, what: str) -> None:
    """Say what happened, and when the change made a new version of the instrument."""
    if instrument.version != before:
        messages.success(
            request,
            f"{what} Responses exist for version {before}, so this made version "
            f"{instrument.version}; answers already given keep version {before}.",
        )
    else:
        messages.success(request, what)


def _designer_page(
    request: HttpRequest,
    pilot: Pilot,
    *,
    question_form: QuestionAddForm | None = None,
    dimension_form: DimensionForm | None = None,
) -> HttpResponse:
    bad = (question_form is not None and question_form.errors) or (
        dimension_form is not None and dimension_form.errors
    )
    return render(
        request,
        "ideas/instrument_edit.html",
        {
            "pilot": pilot,
            "design": selectors.instrument_design(pilot=pilot),
            "question_form": question_form or QuestionAddForm(),
            "dimension_form": dimension_form or DimensionForm(),
        },
        status=400 if bad else 200,
    )


@login_required
def instrument_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The designer: dimensions and questions by phase, with forms to change them."""
    pilot = access.access_pilot(request.user, pk, for_write=True)
    return _designer_page(request, pilot)


@login_required
@require_POST
def instrument_question_add(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access.access_pilot(request.user, pk, for_write=True)
    form = QuestionAddForm(request.POST)
    if form.is_valid():
        before = selectors.instrument_design(pilot=pilot).instrument.version
        try:
            instrument = services.instrument_question_add(pilot=pilot, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _done(request, before=before, instrument=instrument, what="The question is added.")
            return redirect(_designer_url(pilot))
    return _designer_page(request, pilot, question_form=form)


def _question(request: HttpRequest, pk: int, question_id: int) -> tuple[Pilot, Question]:
    pilot = access.access_pilot(request.user, pk, for_write=True)
    question = selectors.instrument_question(pilot=pilot, question_id=question_id)
    if question is None:
        raise Http404("No such question in the current instrument.")
    return pilot, question


def _dimension(request: HttpRequest, pk: int, dimension_id: int) -> tuple[Pilot, Dimension]:
    pilot = access.access_pilot(request.user, pk, for_write=True)
    dimension = selectors.instrument_dimension(pilot=pilot, dimension_id=dimension_id)
    if dimension is None:
        raise Http404("No such dimension in the current instrument.")
    return pilot, dimension


@login_required
def instrument_question_edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    """Reword a question: prompt, help, required, options."""
    pilot, question = _question(request, pk, question_id)
    initial = {
        "prompt": question.prompt,
        "help_text": question.help_text,
        "required": question.required,
        "choices": "\n".join(question.choices),
    }
    form = QuestionEditForm(request.POST or None, initial=initial, kind=question.kind)
    if request.method == "POST" and form.is_valid():
        before = question.instrument.version
        try:
            instrument = services.instrument_question_update(question=question, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _done(request, before=before, instrument=instrument, what="The question is saved.")
            return redirect(_designer_url(pilot))
    return render(
        request,
        "ideas/instrument_question_form.html",
        {"pilot": pilot, "question": question, "form": form},
        status=400 if form.errors else 200,
    )


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
@require_POST
def instrument_question_remove(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    pilot, question = _question(request, pk, question_id)
    before = question.instrument.version
    try:
        instrument = services.instrument_question_remove(question=question)
    except ValidationError as error:
        _refused(request, error)
    else:
        what = f"“{question.prompt}” is removed."
        if question.role:
            what += f" The results no longer show “{question.get_role_display()}”."
        _done(request, before=before, instrument=instrument, what=what)
    return redirect(_designer_url(pilot))


@login_required
@require_POST
def instrument_question_move(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    pilot, question = _question(request, pk, question_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Move a question up or down.")
        return redirect(_designer_url(pilot))
    before = question.instrument.version
    try:
        instrument = services.instrument_question_move(
            question=question, direction=form.cleaned_data["direction"]
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        _done(request, before=before, instrument=instrument, what="The question is moved.")
    return redirect(_designer_url(pilot))


@login_required
@require_POST
def instrument_dimension_add(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access.access_pilot(request.user, pk, for_write=True)
    form = DimensionForm(request.POST)
    if form.is_valid():
        before = selectors.instrument_design(pilot=pilot).instrument.version
        try:
            instrument = services.instrument_dimension_add(pilot=pilot, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _done(request, before=before, instrument=instrument, what="The dimension is added.")
            return redirect(_designer_url(pilot))
    return _designer_page(request, pilot, dimension_form=form)


@login_required
def instrument_dimension_edit(request: HttpRequest, pk: int, dimension_id: int) -> HttpResponse:
    """Rename a dimension, change its description or its target experience."""
    pilot, dimension = _dimension(request, pk, dimension_id)
    form = DimensionForm(
        request.POST or None,
        initial={
            "label": dimension.label,
            "description": dimension.description,
            "target": dimension.target,
        },
    )
    if request.method == "POST" and form.is_valid():
        before = dimension.instrument.version
        try:
            instrument = services.instrument_dimension_update(
                dimension=dimension, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _done(request, before=before, instrument=instrument, what="The dimension is saved.")
            return redirect(_designer_url(pilot))
    return render(
        request,
        "ideas/instrument_dimension_form.html",
        {"pilot": pilot, "dimension": dimension, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def instrument_dimension_remove(request: HttpRequest, pk: int, dimension_id: int) -> HttpResponse:
    pilot, dimension = _dimension(request, pk, dimension_id)
    before = dimension.instrument.version
    try:
        instrument = services.instrument_dimension_remove(dimension=dimension)
    except ValidationError as error:
        _refused(request, error)
    else:
        what = f"“{dimension.label}” is removed."
        _done(request, before=before, instrument=instrument, what=what)
    return redirect(_designer_url(pilot))


@login_required
@require_POST
def instrument_dimension_move(request: HttpRequest, pk: int, dimension_id: int) -> HttpResponse:
    pilot, dimension = _dimension(request, pk, dimension_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Move a dimension up or down.")
        return redirect(_designer_url(pilot))
    before = dimension.instrument.version
    try:
        instrument = services.instrument_dimension_move(
            dimension=dimension, direction=form.cleaned_data["direction"]
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        _done(request, before=before, instrument=instrument, what="The dimension is moved.")
    return redirect(_designer_url(pilot))
