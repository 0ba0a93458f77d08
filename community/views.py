from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from accounts import access as account_access
from accounts import selectors as account_selectors
from accounts.models import Account, InternalRole, Segment
from community import alerts, selectors, selectors_outcomes, services
from community import selectors_alerts as alert_selectors
from community import selectors_engagement as engagement
from community.access import (
    access_account_engagement,
    access_account_for_offline_events,
    access_account_for_outcomes,
    access_alert,
    access_garden,
    access_import_batch,
    access_notification,
    can_import,
    can_record_outcomes,
    can_tune_engagement,
    portfolio_accounts,
    sees_engagement_details,
    visible_alerts,
    visible_gardens,
    visible_outcome_accounts,
)
from community.engagement import MODEL_FIELDS as ENGAGEMENT_MODEL_FIELDS
from community.engagement import engagement_model_active
from community.engagement.offline_events import offline_event_record, offline_kind_choices
from community.engagement.preview import (
    engagement_model_activate,
    engagement_model_draft,
    engagement_model_versions,
    engagement_preview,
)
from community.imports import csv_import, import_max_bytes, import_previous, too_large_problem
from community.models import (
    ActivityKind,
    AlertReason,
    EngagementLevel,
    EngagementModel,
    ImportKind,
    OutcomeKind,
)
from community.outcomes import outcome_record
from config.exports import csv_response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after login, one per persona (full dashboards come later)."""
    user = request.user
    membership = account_access.customer_membership(user)
    gardens = visible_gardens(user)[:6]
    if membership is not None:
        account = membership.account
        return render(
            request,
            "community/home_customer.html",
            {
                "account": account,
                "membership": membership,
                "colleagues": account_selectors.account_members(account=account)[:12],
                "colleague_count": account.memberships.count(),
                "team": account_selectors.account_team(account=account),
                "gardens": gardens,
            },
        )
    accounts = account_access.visible_accounts(user)
    if user.has_role(InternalRole.PROGRAMME_ADMIN) or user.is_superuser:
        persona = "programme_admin"
    elif user.has_role(InternalRole.PRODUCT_MANAGER):
        persona = "product_manager"
    else:
        persona = "account_team"
    assigned = account_selectors.account_list(
        accounts=accounts.filter(team_assignments__user=user), sort="renewal_date"
    )
    return render(
        request,
        "community/home_internal.html",
        {
            "persona": persona,
            "assigned": assigned[:50],
            "assigned_count": assigned.count(),
            "visible_count": accounts.count(),
            "renewing": account_selectors.accounts_renewing(accounts=accounts)[:10],
            "gardens": gardens,
        },
    )


@login_required
def garden_list(request: HttpRequest) -> HttpResponse:
    return render(request, "community/garden_list.html", {"gardens": visible_gardens(request.user)})


@login_required
def garden_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(
        request, "community/garden_detail.html", {"garden": access_garden(request.user, slug)}
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "community/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link (the user's own only)."""
    notification = access_notification(request.user, pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(notification.url or "community:notification-list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{pluralize(count)} marked as read.")
    return redirect("community:notification-list")


# --- The account team's portfolio and an account's engagement ---------------------------------


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Account name"}),
    )
    level = forms.ChoiceField(
        required=False,
        choices=[
            ("", "All levels"),
            *EngagementLevel.choices,
            (engagement.NOT_COMPUTED, "Not computed yet"),
        ],
    )
    segment = forms.ChoiceField(choices=[("", "All segments"), *Segment.choices], required=False)
    renewal_within = forms.IntegerField(
        label="Renewal within (days)",
        required=False,
        min_value=1,
        max_value=3650,
        widget=forms.NumberInput(attrs={"placeholder": "e.g. 90"}),
    )
    mine = forms.BooleanField(label="Only accounts assigned to me", required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, label) for key, (label, _) in engagement.PORTFOLIO_SORTS.items()],
    )


@login_required
@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    """The account team's home: their accounts' engagement at a glance (all for PMs/admins)."""
    accounts = portfolio_accounts(request.user)
    form = PortfolioFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound else {}  # the valid fields, even on errors
    accounts = engagement.portfolio_list(
        accounts=accounts,
        q=filters.get("q", ""),
        level=filters.get("level", ""),
        segment=filters.get("segment", ""),
        renewal_within_days=filters.get("renewal_within"),
        assigned_to=request.user if filters.get("mine") else None,
        sort=filters.get("sort") or "name",
    )
    if valid and request.GET.get("export") == "csv":
        return _portfolio_csv(accounts)
    page = Paginator(accounts, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    rows_only = request.htmx and not request.htmx.history_restore_request
    response = render(
        request,
        "community/portfolio_rows.html" if rows_only else "community/portfolio.html",
        {
            "form": form,
            "page": page,
            "rows": engagement.portfolio_rows(accounts=page.object_list),
            "query": query.urlencode(),
            "trend_days": engagement.TREND_DAYS,
        },
        status=200 if valid else 400,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _portfolio_csv(accounts) -> StreamingHttpResponse:
    header = [
        "name",
        "slug",
        "segment",
        "level",
        "score",
        "snapshot_day",
        f"score_change_{engagement.TREND_DAYS}_days",
        "last_customer_activity",
        "renewal_date",
    ]
    rows = (
        [
            a.name,
            a.slug,
            a.segment,
            a.engagement_level or "",
            _one_decimal(a.engagement_score),
            a.engagement_day,
            _one_decimal(
                a.engagement_score - a.trend_start_score
                if a.engagement_score is not None and a.trend_start_score is not None
                else None
            ),
            a.last_activity_at.isoformat() if a.last_activity_at else "",
            a.renewal_date,
        ]
        for a in accounts.iterator(chunk_size=2000)
    )
    return csv_response(filename="portfolio.csv", header=header, rows=rows)


def _one_decimal(value) -> str:
    return "" if value is None else f"{value:.1f}"


@login_required
@require_safe
def account_engagement(request: HttpRequest, slug: str) -> HttpResponse:
    """An account's engagement: trend, why this level, what would raise it, the timeline.
    Its own customer admins get the reduced view (no breakdown by activity, no timeline)."""
    account = access_account_engagement(request.user, slug)
    details = sees_engagement_details(request.user)
    summary = engagement.account_engagement(account=account)
    context = {"account": account, "engagement": summary, "details": details}
    # Internal users who do not see every account see only those they are assigned to: no
    # query needed to know they are its team.
    context["records_offline_events"] = details and (
        account_access.manages_all_accounts(request.user)
        or not account_access.sees_all_accounts(request.user)
    )
    if details:
        context["contributions"] = engagement.activity_contributions(
            account=account, parameters=summary.parameters
        )
        context["timeline"] = Paginator(
            engagement.activity_timeline(account=account, support=False),
            engagement.TIMELINE_PAGE_SIZE,
        ).get_page(request.GET.get("page"))
        context["support"] = Paginator(
            engagement.activity_timeline(account=account, support=True),
            engagement.TIMELINE_PAGE_SIZE,
        ).get_page(request.GET.get("support_page"))
    context["chart_data"] = summary.chart_data()
    return render(request, "community/account_engagement.html", context)


# --- Alerts: the account team's inbox -----------------------------------------------------------


class AlertFilterForm(forms.Form):
    state = forms.ChoiceField(
        required=False,
        choices=[(key, label) for key, (label, _) in alert_selectors.ALERT_STATES.items()],
    )
    reason = forms.ChoiceField(choices=[("", "All reasons"), *AlertReason.choices], required=False)
    account = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Account name"}),
    )


class AlertResolveForm(forms.Form):
    note = forms.CharField(
        label="What was done about it",
        max_length=alerts.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required: the account team reads it later.",
    )


@login_required
@require_safe
def alert_inbox(request: HttpRequest) -> HttpResponse:
    """The open alerts of the user's accounts (all for product managers and programme admins),
    filtered by state, reason and account; CSV export of the same list."""
    visible = visible_alerts(request.user)
    form = AlertFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound else {}
    listed = alert_selectors.alert_list(
        alerts=visible,
        reason=filters.get("reason", ""),
        state=filters.get("state") or "open",
        account=filters.get("account", ""),
    )
    if valid and request.GET.get("export") == "csv":
        return _alerts_csv(listed)
    page = Paginator(listed, alert_selectors.INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "community/alert_inbox.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "daily_digest": alert_selectors.alert_daily_digest(user=request.user),
        },
        status=200 if valid else 400,
    )


@login_required
@require_POST
def alert_subscription(request: HttpRequest) -> HttpResponse:
    """One email per new alert, or one daily digest (for internal users: customers 403)."""
    visible_alerts(request.user)  # customers: 403
    daily_digest = request.POST.get("daily_digest") == "on"
    alerts.alert_subscription_set(user=request.user, daily_digest=daily_digest)
    messages.success(
        request,
        "New alerts now come in one daily digest email."
        if daily_digest
        else "New alerts now come by email one by one.",
    )
    return _back_to_inbox(request)


def _alerts_csv(listed) -> StreamingHttpResponse:
    header = [
        "id",
        "account",
        "account_slug",
        "reason",
        "state",
        "summary",
        "raised_at",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
        "resolved_by",
        "resolution_note",
    ]
    rows = (
        [
            a.pk,
            a.account.name,
            a.account.slug,
            a.reason,
            a.state,
            a.summary,
            a.raised_at.isoformat(),
            a.acknowledged_at.isoformat() if a.acknowledged_at else "",
            a.acknowledged_by.email if a.acknowledged_by else "",
            a.resolved_at.isoformat() if a.resolved_at else "",
            a.resolved_by.email if a.resolved_by else "",
            a.resolution_note,
        ]
        for a in listed.iterator(chunk_size=2000)
    )
    return csv_response(filename="alerts.csv", header=header, rows=rows)


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    """Back to the inbox with its filters (re-encoded: only a query string is followed)."""
    query = QueryDict(request.POST.get("next_query", "")).urlencode()
    url = reverse("community:alert-inbox")
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert(request.user, pk, for_write=True)
    try:
        alerts.alert_acknowledge(alert=alert, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Alert for {alert.account.name} acknowledged.")
    return _back_to_inbox(request)


@login_required
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """A form for the note; resolving without one is refused with a field error."""
    alert = access_alert(request.user, pk, for_write=True)
    form = AlertResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                alerts.alert_resolve(alert=alert, user=request.user, note=form.cleaned_data["note"])
            except ValidationError as error:
                _add_alert_errors(form, error)
            else:
                messages.success(request, f"Alert for {alert.account.name} resolved.")
                return _back_to_inbox(request)
        status = 400
    return render(
        request,
        "community/alert_resolve.html",
        {
            "form": form,
            "alert": alert,
            "next_query": request.POST.get("next_query") or request.GET.get("next_query", ""),
        },
        status=status,
    )


def _add_alert_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Loyalty outcomes and CSV imports (issue 4) ---------------------------------------------


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
    account = None
    if filters.get("account"):
        try:
            account = access_account_for_outcomes(request.user, filters["account"])
        except Http404:
            form.add_error("account", "No such account.")
            valid = False
    outcomes = selectors_outcomes.outcome_list(
        accounts=accounts,
        account=account,
        kind=filters.get("kind", ""),
        occurred_from=filters.get("occurred_from"),
        occurred_to=filters.get("occurred_to"),
    )
    if valid and request.GET.get("export") == "csv":
        return _outcomes_csv(outcomes)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {
        "form": form,
        "page": Paginator(outcomes, OUTCOMES_PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "record_for": account if account and can_record_outcomes(request.user, account) else None,
    }
    return render(request, "community/outcome_list.html", context, status=200 if valid else 400)


def _outcomes_csv(outcomes) -> StreamingHttpResponse:
    header = ["account", "account_name", "kind", "occurred_on", "amount", "note"]
    header += ["source", "external_id", "recorded_by"]
    rows = (
        [
            o.account.slug,
            o.account.name,
            o.kind,
            o.occurred_on,
            o.amount,
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
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = outcome_record(account=account, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, f"{outcome.get_kind_display()} recorded for {account.name}.")
            return redirect(f"{reverse('community:outcome-list')}?account={account.slug}")
    recent = selectors_outcomes.outcome_list(accounts=Account.objects.filter(pk=account.pk))
    return render(
        request,
        "community/outcome_form.html",
        {"account": account, "form": form, "recent": recent[:10]},
        status=400 if form.is_bound and form.errors else 200,
    )


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


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
    rows = ([p["row"], p["column"], p["problem"]] for p in batch.errors)
    return csv_response(
        filename=f"import-{batch.pk}-errors.csv", header=["row", "column", "problem"], rows=rows
    )


# --- Engagement model settings (issue 4) ------------------------------------------------------


def _engagement_model_fields() -> dict[str, forms.Field]:
    """A form field per number of the model (weights apart: one field per activity kind)."""
    numbers = [name for name in ENGAGEMENT_MODEL_FIELDS if name != "weights"]
    fields = forms.fields_for_model(EngagementModel, fields=numbers)
    for field in fields.values():
        field.required = True
    return fields


class EngagementModelForm(forms.Form):
    """The numbers of a new version, prefilled with the active one's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in ActivityKind.choices:
            self.fields[f"weight__{kind}"] = forms.FloatField(
                label=f"Weight: {label}", min_value=0, max_value=1000
            )
        self.fields.update(_engagement_model_fields())
        self.fields["note"] = forms.CharField(
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Why this version (shown in the versions list).",
        )

    @classmethod
    def initial_for(cls, model: EngagementModel) -> dict:
        initial = {name: getattr(model, name) for name in ENGAGEMENT_MODEL_FIELDS}
        weights = initial.pop("weights") or {}
        for kind in ActivityKind.values:
            initial[f"weight__{kind}"] = weights.get(kind, 0)
        return initial

    def model_values(self) -> dict:
        """The cleaned numbers as the engine's keyword arguments."""
        data = dict(self.cleaned_data)
        data.pop("note", None)
        weights = {kind: data.pop(f"weight__{kind}") for kind in ActivityKind.values}
        return {"weights": weights, **data}

    def add_model_errors(self, error: ValidationError) -> None:
        for name, errors in error.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


@login_required
def engagement_model_settings(request: HttpRequest) -> HttpResponse:
    """Programme admins: the active version's numbers, a form for a new version with a
    preview of the level changes it would make (nothing written), and activation."""
    if not can_tune_engagement(request.user):
        raise PermissionDenied("Only programme admins change the engagement model.")
    versions = list(engagement_model_versions())
    active = next((v for v in versions if v.is_active), None) or engagement_model_active()
    form = EngagementModelForm(
        request.POST or None, initial=EngagementModelForm.initial_for(active)
    )
    preview = draft = None
    if request.method == "POST" and form.is_valid():
        values = form.model_values()
        try:
            if request.POST.get("action") == "activate":
                model = engagement_model_activate(
                    created_by=request.user, note=form.cleaned_data["note"], **values
                )
            else:
                draft = engagement_model_draft(**values)
                preview = engagement_preview(model=draft)
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            if draft is None:
                messages.success(
                    request, f"Version {model.version} is active; every account is recomputed."
                )
                return redirect("community:engagement-model")
    return render(
        request,
        "community/engagement_model.html",
        {
            "active": active,
            "weights": [
                (label, (active.weights or {}).get(kind, 0)) for kind, label in ActivityKind.choices
            ],
            "form": form,
            "preview": preview,
            "draft": draft,
            "versions": versions,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Offline events (issue 4) ---------------------------------------------------------------


class OfflineEventForm(forms.Form):
    kind = forms.ChoiceField(choices=offline_kind_choices())
    occurred_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the customer did it: not in the future, at most a year ago.",
    )


@login_required
def offline_event_create(request: HttpRequest, slug: str) -> HttpResponse:
    """The account team records a workshop attended or a referral of one of its accounts."""
    account = access_account_for_offline_events(request.user, slug)
    form = OfflineEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = offline_event_record(
                account=account, recorded_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, f"{event.get_kind_display()} recorded for {account.name}.")
            return redirect("community:account-engagement", slug=account.slug)
    return render(
        request,
        "community/offline_event_form.html",
        {"account": account, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
