"""The programme admin's webhook settings page (/settings/webhooks/): endpoints, adding one
(its secret shown once), rotating a secret, deactivating and reactivating, and the delivery
log with filters and "retry now" for a failed delivery."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.submissions import SHOWN_ONCE, submission_saved
from community.access.webhooks import (
    access_webhook_delivery,
    access_webhook_endpoint,
    require_webhook_admin,
)
from community.models import WebhookDeliveryStatus, WebhookEndpoint
from community.selectors import webhooks as selectors_webhooks
from community.services import webhooks
from config.forms import form_add_service_errors
from config.pagination import list_query
from config.single_line import validate_single_line

DELIVERIES_PER_PAGE = 50


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="https:// only, to a public address. Events are posted here as JSON.",
        validators=[validate_single_line],
    )
    description = forms.CharField(max_length=200, required=False, validators=[validate_single_line])


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *WebhookDeliveryStatus.choices], required=False
    )
    endpoint = forms.ModelChoiceField(
        queryset=WebhookEndpoint.objects.all(), required=False, empty_label="Any endpoint"
    )


@login_required
def webhook_settings(request: HttpRequest) -> HttpResponse:
    require_webhook_admin(request.user)
    form = WebhookEndpointForm()
    if request.method == "POST":
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = webhooks.webhook_endpoint_create(
                    url=form.cleaned_data["url"],
                    description=form.cleaned_data["description"],
                    created_by=request.user,
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                submission_saved(request, url=request.path, message=SHOWN_ONCE)
                return _page(request, WebhookEndpointForm(), revealed=endpoint, status=201)
        return _page(request, form, status=400)
    return _page(request, form)


@login_required
@require_POST
def webhook_endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = access_webhook_endpoint(request.user, pk)
    endpoint = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)
    return _page(request, WebhookEndpointForm(), revealed=endpoint)


@login_required
@require_POST
def webhook_endpoint_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = access_webhook_endpoint(request.user, pk)
    webhooks.webhook_endpoint_deactivate(endpoint=endpoint)
    messages.success(request, f"Deactivated {endpoint}: it gets no new events.")
    return redirect("community:webhooks")


@login_required
@require_POST
def webhook_endpoint_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = access_webhook_endpoint(request.user, pk)
    webhooks.webhook_endpoint_reactivate(endpoint=endpoint)
    messages.success(
        request,
        f"Reactivated {endpoint}: new events are posted to it again. Deliveries that failed "
        "meanwhile can be sent with “Retry now”.",
    )
    return redirect("community:webhooks")


@login_required
@require_POST
def webhook_delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = access_webhook_delivery(request.user, pk)
    try:
        webhooks.webhook_delivery_retry(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Delivery {delivery.pk} is being sent again.")
    return redirect("community:webhooks")


def _page(
    request: HttpRequest,
    form: WebhookEndpointForm,
    *,
    revealed: WebhookEndpoint | None = None,
    status: int = 200,
) -> HttpResponse:
    filters = DeliveryFilterForm(request.GET or None)
    status_filter, endpoint_filter = None, None
    if filters.is_valid():
        status_filter = filters.cleaned_data["status"] or None
        endpoint = filters.cleaned_data["endpoint"]
        endpoint_filter = endpoint.pk if endpoint else None
    deliveries = selectors_webhooks.webhook_deliveries(
        status=status_filter, endpoint_id=endpoint_filter
    )
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "endpoints": selectors_webhooks.webhook_endpoints(),
        "page": page,
        "query": list_query(request).urlencode(),
        "revealed": revealed,
        "max_attempts": webhooks.max_attempts(),
        "rotation_days": settings.WEBHOOK_ROTATION_DAYS,
        "now": timezone.now(),
    }
    return render(request, "community/webhooks.html", context, status=status)
