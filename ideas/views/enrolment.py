"""Pages of taking part in a pilot: a product manager invites accounts and publishes the
agreement, an account's admin accepts it, a member enrols. Each action answers with the pilot
page (ideas/views/pilots.py), showing what went wrong there; an enrolment leads on to its next
step, the expectation form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.access import visible_accounts
from config.forms import form_add_service_errors
from ideas.access import access_pilot, access_pilot_for_agreement, access_pilot_for_enrolment
from ideas.models import Pilot, PilotState
from ideas.selectors.feedback import expectation_check_in
from ideas.services import enrolment as services
from ideas.views.pilots import pilot_page_response, pilot_refused_response
from ideas.views.pilots_forms import AgreementForm, InviteForm


def _unless_open(pilot: Pilot, error: ValidationError) -> str:
    """The error above the page if the form that failed is hidden (a closed pilot takes no
    invitations or agreements); otherwise the form shows it beside its fields."""
    return " ".join(error.messages) if pilot.state == PilotState.CLOSED else ""


# --- Invitations -------------------------------------------------------------------------------


@login_required
@require_POST
def pilot_invite(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access_pilot(request.user, pk, for_write=True)
    form = InviteForm(request.POST, accounts=visible_accounts(request.user))
    if form.is_valid():
        try:
            created = services.pilot_invite(
                pilot=pilot, accounts=form.cleaned_data["accounts"], invited_by=request.user
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return pilot_page_response(
                request, pilot, status=400, error=_unless_open(pilot, error), invite_form=form
            )
        messages.success(
            request, f"{len(created)} account{'s' if len(created) != 1 else ''} invited."
        )
        return redirect(pilot)
    return pilot_page_response(request, pilot, status=400, invite_form=form)


@login_required
@require_POST
def pilot_invite_supporters(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access_pilot(request.user, pk, for_write=True)
    try:
        report = services.pilot_invite_supporters(pilot=pilot, invited_by=request.user)
    except ValidationError as error:
        return pilot_refused_response(request, pilot, error)
    messages.success(request, str(report))
    return redirect(pilot)


# --- Agreements --------------------------------------------------------------------------------


@login_required
@require_POST
def agreement_publish(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access_pilot(request.user, pk, for_write=True)
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            agreement = services.agreement_publish(
                pilot=pilot, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return pilot_page_response(
                request, pilot, status=400, error=_unless_open(pilot, error), agreement_form=form
            )
        messages.success(
            request,
            f"Version {agreement.version} of the agreement is published; accounts accept it again.",
        )
        return redirect(pilot)
    return pilot_page_response(request, pilot, status=400, agreement_form=form)


@login_required
@require_POST
def agreement_accept(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access_pilot_for_agreement(request.user, pk)
    try:
        acceptance = services.agreement_accept(pilot=pilot, admin=request.user)
    except ValidationError as error:
        return pilot_refused_response(request, pilot, error)
    messages.success(
        request,
        f"You accepted the agreement for {acceptance.account.name}; your colleagues can enrol.",
    )
    return redirect(pilot)


# --- Enrolment ---------------------------------------------------------------------------------


@login_required
@require_POST
def pilot_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access_pilot_for_enrolment(request.user, pk)
    try:
        services.pilot_enrol(pilot=pilot, member=request.user)
    except ValidationError as error:
        return pilot_refused_response(request, pilot, error)
    expectation = expectation_check_in(pilot=pilot)
    if expectation is None:
        messages.success(request, "You are enrolled.")
        return redirect(pilot)
    messages.success(request, "You are enrolled. Next: give your expectations now.")
    return redirect("ideas:check-in-answer", pk=expectation.pk)
