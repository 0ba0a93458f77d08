"""Pages of pilots: the list, the pilot page for every persona, and the product manager's
actions (create, edit, states, invitations, agreement versions, decision); customers accept
the agreement (their admin) and enrol."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from accounts.access import is_internal, visible_accounts
from community.access.gardens import (
    access_garden_content,
    content_garden_choices,
)
from config.exports import csv_response
from config.forms import form_add_service_errors
from config.fragments import fragment_response
from config.pagination import list_query
from ideas.access import (
    access_idea,
    access_pilot,
    can_manage_pilots,
    can_read_results,
    visible_pilots,
)
from ideas.models import Pilot, PilotState
from ideas.selectors import pilots as selectors
from ideas.selectors.pilots import PILOT_STATE_ORDER
from ideas.selectors.results import pilot_results
from ideas.services import pilots as services
from ideas.views.pilots_forms import (
    AgreementForm,
    DecisionForm,
    InviteForm,
    PilotCreateForm,
    PilotFilterForm,
    PilotForm,
    PilotStateForm,
)

PAGE_SIZE = 25


# --- The list ----------------------------------------------------------------------------------


@login_required
def pilot_list(request: HttpRequest) -> HttpResponse:
    form = PilotFilterForm(request.GET or None, gardens=content_garden_choices(request.user))
    filters = form.cleaned_data if form.is_valid() else {}

    def listed():
        return selectors.pilot_list(
            pilots=visible_pilots(request.user),
            state=filters.get("state", ""),
            garden=filters.get("garden", ""),
            idea=filters.get("idea"),
        )

    if request.GET.get("export") == "csv":
        return _pilots_csv(listed())
    # Unfiltered, the list's count and page keep their SQL (config.sql_once), as the API's do:
    # the queryset is then not built at all.
    filtered = any(filters.get(name) for name in ("state", "garden", "idea"))
    kept = None if filtered else selectors.visible_pilot_list_rows(user=request.user)
    rows = listed() if kept is None else kept
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = list_query(request)
    rows_only = request.htmx and not request.htmx.history_restore_request
    template = "ideas/pilot_list_rows.html" if rows_only else "ideas/pilot_list.html"
    response = render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": can_manage_pilots(request.user),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _pilots_csv(pilots) -> StreamingHttpResponse:
    header = [
        "id",
        "title",
        "idea",
        "garden",
        "state",
        "state_label",
        "published",
        "recruiting_opens",
        "runs_from",
        "runs_until",
        "capacity",
        "accounts_taking_part",
        "decision",
    ]
    rows = (
        [
            p.pk,
            p.title,
            p.idea.title,
            p.idea.garden.name,
            p.state,
            p.state_label,
            p.published,
            p.recruiting_opens,
            p.runs_from,
            p.runs_until,
            p.capacity,
            p.accounts_taking_part,
            p.decision,
        ]
        for p in pilots.iterator(chunk_size=2000)
    )
    return csv_response(filename="pilots.csv", header=header, rows=rows)


@login_required
@require_GET
def garden_pilots(request: HttpRequest, slug: str) -> HttpResponse:
    """A garden's open pilots (recruiting or running) the user sees: the fragment the garden
    home loads (community shows ideas content only through ideas' own views)."""
    garden = access_garden_content(request.user, slug)
    limit = 20
    pilots = list(
        selectors.pilot_list(pilots=visible_pilots(request.user), garden=garden.slug).filter(
            state__in=(PilotState.RECRUITING, PilotState.RUNNING)
        )[:limit]
    )
    return fragment_response(
        request,
        "ideas/_garden_pilots.html",
        {"garden": garden, "pilots": pilots, "more": len(pilots) == limit},
        title=f"Open pilots of {garden.name}",
        parent_url=garden.get_absolute_url(),
        parent_label=garden.name,
    )


# --- The pilot page ----------------------------------------------------------------------------


def pilot_page_response(
    request: HttpRequest, pilot: Pilot, *, status: int = 200, error: str = "", **forms
) -> HttpResponse:
    """The pilot page for the viewer: a failed action's `error` above it, and the form that
    failed (`invite_form`, `agreement_form`, `decision_form`) with its errors in its place."""
    page = selectors.pilot_page(
        pilot=pilot, user=request.user, accounts=visible_accounts(request.user)
    )
    context = {
        "pilot": pilot,
        "page": page,
        "internal": is_internal(request.user),
        # The results summary the page opens with, for those who read results.
        "results": pilot_results(pilot=pilot) if can_read_results(request.user) else None,
        "action_error": error,
        "next_states": [
            (state, PilotState(state).label)
            for state in PILOT_STATE_ORDER[PILOT_STATE_ORDER.index(pilot.state) + 1 :]
        ],
        "invite_form": forms.get("invite_form")
        or InviteForm(accounts=visible_accounts(request.user)),
        "agreement_form": forms.get("agreement_form")
        or AgreementForm(initial={"title": page.agreement.title if page.agreement else ""}),
        "decision_form": forms.get("decision_form") or DecisionForm(),
    }
    return render(request, "ideas/pilot_detail.html", context, status=status)


def _said(error: ValidationError) -> str:
    return " ".join(error.messages)


def pilot_refused_response(
    request: HttpRequest, pilot: Pilot, error: ValidationError
) -> HttpResponse:
    """The pilot page with why an action was refused above it (400)."""
    return pilot_page_response(request, pilot, status=400, error=_said(error))


@login_required
def pilot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return pilot_page_response(request, access_pilot(request.user, pk))


# --- Create and edit ---------------------------------------------------------------------------


@login_required
def pilot_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new pilot for the idea `pk`."""
    idea = access_idea(request.user, pk)
    if not can_manage_pilots(request.user):
        raise PermissionDenied("Only product managers run pilots.")
    form = PilotCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pilot = services.pilot_create(idea=idea, created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Pilot “{pilot.title}” created as a draft.")
            return redirect(pilot)
    return render(
        request,
        "ideas/pilot_form.html",
        {"form": form, "idea": idea, "pilot": None},
        status=400 if form.errors else 200,
    )


@login_required
def pilot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access_pilot(request.user, pk, for_write=True)
    initial = {name: getattr(pilot, name) for name in PilotForm.base_fields}
    form = PilotForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.pilot_update(pilot=pilot, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "The pilot is saved.")
            return redirect(pilot)
    return render(
        request,
        "ideas/pilot_form.html",
        {"form": form, "idea": pilot.idea, "pilot": pilot},
        status=400 if form.errors else 200,
    )


# --- States ------------------------------------------------------------------------------------


def _said_state(pilot: Pilot) -> str:
    """The state's label inside a sentence: "now awaiting decision"."""
    label = pilot.state_label
    return label[:1].lower() + label[1:]


@login_required
@require_POST
def pilot_state(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access_pilot(request.user, pk, for_write=True)
    form = PilotStateForm(request.POST)
    if not form.is_valid():
        return pilot_page_response(request, pilot, status=400, error="Choose a state.")
    try:
        services.pilot_set_state(pilot=pilot, actor=request.user, state=form.cleaned_data["state"])
    except ValidationError as error:
        return pilot_refused_response(request, pilot, error)
    messages.success(request, f"The pilot is now {_said_state(pilot)}.")
    return redirect(pilot)


@login_required
@require_POST
def pilot_publish(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access_pilot(request.user, pk, for_write=True)
    try:
        services.pilot_publish(pilot=pilot, actor=request.user)
    except ValidationError as error:
        return pilot_refused_response(request, pilot, error)
    messages.success(
        request,
        f"Published: the pilot moves on its dates (now {_said_state(pilot)}).",
    )
    return redirect(pilot)


# --- Closing the loop --------------------------------------------------------------------------


@login_required
@require_POST
def pilot_decide(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access_pilot(request.user, pk, for_write=True)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.pilot_decide(pilot=pilot, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
            shown = pilot.state == PilotState.CLOSED and not pilot.decision
            error_text = "" if shown else _said(error)
            return pilot_page_response(
                request, pilot, status=400, error=error_text, decision_form=form
            )
        messages.success(request, "The decision is recorded; participants and followers are told.")
        return redirect(pilot)
    return pilot_page_response(request, pilot, status=400, decision_form=form)
