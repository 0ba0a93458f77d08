"""Offline events recorded by an account team."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from community.access import (
    access_account_for_offline_events,
)
from community.engagement.offline_events import (
    OFFLINE_NOTE_MAX_LENGTH,
    offline_event_record,
    offline_kind_choices,
)
from config.forms import form_add_service_errors


class OfflineEventForm(forms.Form):
    kind = forms.ChoiceField(choices=offline_kind_choices())
    occurred_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the customer did it: not in the future, at most a year ago.",
    )
    note = forms.CharField(
        required=False,
        max_length=OFFLINE_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who took part, what came of it. Internal: the customer does not see it.",
    )


@login_required
def offline_event_create(request: HttpRequest, slug: str) -> HttpResponse:
    """The account team records something one of its accounts did outside the product (a
    workshop attended, a reference call, an executive meeting, a referral), with a note."""
    account = access_account_for_offline_events(request.user, slug)
    form = OfflineEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = offline_event_record(
                account=account, recorded_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"{record.get_kind_display()} recorded for {account.name}.")
            return redirect("community:account-engagement", slug=account.slug)
    return render(
        request,
        "community/offline_event_form.html",
        {"account": account, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
