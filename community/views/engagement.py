"""Pages of an account's engagement: the account page (trend, why this level, what would raise
it, the timeline) and the account team's form for offline events."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from accounts import access as account_access
from accounts.formats import end_sentence
from accounts.models import Account
from community.access.engagement import (
    access_account_engagement,
    access_account_for_offline_events,
    sees_engagement_details,
)
from community.selectors import engagement as engagement_selectors
from community.selectors import outcomes as selectors_outcomes
from community.selectors import robustness as selectors_robustness
from community.selectors.engagement_timeline import activity_timeline_page
from community.services.engagement import (
    OFFLINE_NOTE_MAX_LENGTH,
    offline_event_record,
    offline_kind_choices,
)
from config.forms import form_add_service_errors

OUTCOMES_ON_PAGE = 10  # the latest loyalty outcomes shown on the account page


@login_required
@require_safe
def account_engagement(request: HttpRequest, slug: str) -> HttpResponse:
    """An account's engagement: trend, why this level, what would raise it, the timeline, its
    pilots and feedback (an htmx fragment of the ideas app), its loyalty outcomes and its
    robustness after bad times. Its own customer admins get the reduced view (no breakdown by
    activity, no timeline, no loyalty outcomes or bad times: those are internal,
    community.access.outcomes.visible_outcome_accounts)."""
    account = access_account_engagement(request.user, slug)
    details = sees_engagement_details(request.user)
    summary = engagement_selectors.account_engagement(account=account)
    context = {
        "account": account,
        "engagement": summary,
        "details": details,
    }
    # Internal users who do not see every account see only those they are assigned to: no
    # query needed to know they are its team.
    context["records_offline_events"] = details and (
        account_access.manages_all_accounts(request.user)
        or not account_access.sees_all_accounts(request.user)
    )
    if details:
        context["contributions"] = engagement_selectors.activity_contributions(
            account=account, parameters=summary.parameters
        )
        context["timeline"] = activity_timeline_page(
            account=account, support=False, number=request.GET.get("page")
        )
        context["support"] = activity_timeline_page(
            account=account, support=True, number=request.GET.get("support_page")
        )
        # Whoever sees the internal view sees the account's outcomes (visible_outcome_accounts);
        # recording one is for the same people as offline events (its team, programme admins).
        context["outcomes"] = selectors_outcomes.outcome_list(
            accounts=Account.objects.filter(pk=account.pk)
        )[:OUTCOMES_ON_PAGE]
        # Its bad times and how its score came through them (one query when there are none).
        context["robustness"] = selectors_robustness.account_robustness(account=account)
        context["definitions"] = selectors_robustness.DEFINITIONS
        context["records_bad_times"] = context["records_offline_events"]
    context["chart_data"] = summary.chart_data()
    return render(request, "community/account_engagement.html", context)


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
            messages.success(
                request, f"{record.get_kind_display()} recorded for {end_sentence(account.name)}"
            )
            return redirect("community:account-engagement", slug=account.slug)
    return render(
        request,
        "community/offline_event_form.html",
        {"account": account, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
