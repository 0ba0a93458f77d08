"""Loyalty outcomes and CSV imports."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from accounts.formats import end_sentence
from accounts.models import Account
from accounts.submissions import submission_saved
from community.access.outcomes import (
    access_account_for_outcomes,
    access_import_batch,
    can_import,
    can_record_outcomes,
    visible_outcome_accounts,
)
from community.models import (
    ImportKind,
    OutcomeKind,
)
from community.selectors import outcomes as selectors_outcomes
from community.services.outcome_imports import (
    csv_import,
    import_max_bytes,
    import_previous,
    too_large_problem,
)
from community.services.outcomes import outcome_record
from config.exports import csv_response
from config.forms import form_add_service_errors
from config.pagination import list_query


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(choices=OutcomeKind.choices)
    occurred_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}), help_text="When it happened."
    )
    amount = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="The change in annual contract value; only for expanded and contracted.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, currency: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if currency:  # the amount is in the account's currency: say which
            self.fields["amount"].label = f"Amount ({currency})"


class OutcomeFilterForm(forms.Form):
    account = forms.SlugField(required=False, help_text="The account's slug.")
    kind = forms.ChoiceField(choices=[("", "Any kind"), *OutcomeKind.choices], required=False)
    occurred_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices, widget=forms.RadioSelect)
    file = forms.FileField(help_text="A CSV file in UTF-8, at most the size limit below.")


OUTCOMES_PAGE_SIZE = 50


@login_required
@require_safe
def outcome_list(request: HttpRequest) -> HttpResponse:
    """Loyalty outcomes of the user's accounts (all for PMs and programme admins), filtered;
    CSV export of the whole filtered list. Customers: 403."""
    accounts = visible_outcome_accounts(request.user)
    form = OutcomeFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound else {}
    # An account the user cannot see: 404, as the account itself (and the API) would be.
    account = None
    if filters.get("account"):
        account = access_account_for_outcomes(request.user, filters["account"])
    outcomes = selectors_outcomes.outcome_list(
        accounts=accounts,
        account=account,
        kind=filters.get("kind", ""),
        occurred_from=filters.get("occurred_from"),
        occurred_to=filters.get("occurred_to"),
    )
    if valid and request.GET.get("export") == "csv":
        return _outcomes_csv(outcomes)
    query = list_query(request)
    context = {
        "form": form,
        "page": Paginator(outcomes, OUTCOMES_PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "record_for": account if account and can_record_outcomes(request.user, account) else None,
    }
    return render(request, "community/outcome_list.html", context, status=200 if valid else 400)


def _outcomes_csv(outcomes) -> StreamingHttpResponse:
    header = ["account", "account_name", "kind", "occurred_on", "amount", "currency", "note"]
    header += ["source", "external_id", "recorded_by"]
    rows = (
        [
            o.account.slug,
            o.account.name,
            o.kind,
            o.occurred_on,
            o.amount,
            o.account.currency if o.amount is not None else "",
            o.note,
            o.source,
            o.external_id,
            o.recorded_by.email if o.recorded_by else "",
        ]
        for o in outcomes.iterator(chunk_size=2000)
    )
    return csv_response(filename="outcomes.csv", header=header, rows=rows)


@login_required
def outcome_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a loyalty outcome of one account: its account team and programme admins."""
    account = access_account_for_outcomes(request.user, slug, for_write=True)
    form = OutcomeForm(request.POST or None, currency=account.currency)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = outcome_record(account=account, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request, f"{outcome.get_kind_display()} recorded for {end_sentence(account.name)}"
            )
            return redirect(f"{reverse('community:outcome-list')}?account={account.slug}")
    recent = selectors_outcomes.outcome_list(accounts=Account.objects.filter(pk=account.pk))
    return render(
        request,
        "community/outcome_form.html",
        {"account": account, "form": form, "recent": recent[:10]},
        status=400 if form.is_bound and form.errors else 200,
    )


@csrf_exempt  # checked by _import_upload, once the size is known to be within the limit
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Programme admins upload a CSV of outcomes or accounts; the page shows the row report.
    An upload over the limit is refused before anything reads the body (the CSRF check would
    otherwise parse the whole multipart body first)."""
    if not can_import(request.user):
        raise PermissionDenied("Only programme admins import files.")
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    if request.method == "POST" and size > import_max_bytes() + IMPORT_ENVELOPE_BYTES:
        context = {**_import_page_context(), "refused": too_large_problem(size)}
        return render(request, "community/import_upload.html", context, status=413)
    return _import_upload(request)


@csrf_protect
def _import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            batch = csv_import(
                kind=form.cleaned_data["kind"],
                file=upload,
                file_name=upload.name,
                uploaded_by=request.user,
            )
            submission_saved(request, url=reverse("community:import-detail", args=[batch.pk]))
            return _import_report(request, batch, status=200 if batch.imported else 400)
        context = {**_import_page_context(), "form": form}
        return render(request, "community/import_upload.html", context, status=400)
    return render(request, "community/import_upload.html", _import_page_context())


def _import_page_context() -> dict:
    return {
        "form": ImportForm(),
        "max_bytes": import_max_bytes(),
        "batches": selectors_outcomes.import_batches_recent(),
    }


# What a multipart envelope adds to the file (boundaries, the kind field, headers).
IMPORT_ENVELOPE_BYTES = 64 * 1024


def _import_report(request: HttpRequest, batch, *, status: int = 200) -> HttpResponse:
    """The batch's report: its summary, and the first IMPORT_REPORT_ROWS of the problems it
    keeps (the error report lists them all)."""
    return render(
        request,
        "community/import_report.html",
        {
            "batch": batch,
            "previous": import_previous(batch=batch),
            "problems": batch.errors[:IMPORT_REPORT_ROWS],
            "more_problems": max(0, len(batch.errors) - IMPORT_REPORT_ROWS),
        },
        status=status,
    )


IMPORT_REPORT_ROWS = 200


@login_required
@require_safe
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _import_report(request, access_import_batch(request.user, pk))


@login_required
@require_safe
def import_errors_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    batch = access_import_batch(request.user, pk)
    rows = [[p["row"], p["column"], p["problem"]] for p in batch.errors]
    if batch.error_count > len(batch.errors):  # the last line says how many are not listed
        rows.append([0, "", batch.problems_summary])
    return csv_response(
        filename=f"import-{batch.pk}-errors.csv", header=["row", "column", "problem"], rows=rows
    )
