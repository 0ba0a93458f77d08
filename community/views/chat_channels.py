"""The chat channel settings pages: an account team's channels (/accounts/<slug>/channels/) and a
garden's (/gardens/<slug>/channels/), each listing its Slack and Teams channels with what they
receive and how the latest post went, and adding one; changing and removing a channel, and
"send test message" with its outcome in words."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Account
from community.access.chat_channels import (
    access_account_for_channels,
    access_chat_channel,
    access_garden_for_channels,
)
from community.models import ChatProvider, Garden
from community.models.chat_channels import (
    ACCOUNT_CHANNEL_KINDS,
    CHANNEL_DELIVERY_LABELS,
    GARDEN_CHANNEL_KINDS,
)
from community.models.notifications import kind_default, kind_deliveries
from community.selectors.chat_channels import (
    chat_channel_deliveries,
    chat_channel_rows,
    chat_channels,
)
from community.services import chat_channels as services
from config.forms import form_add_service_errors
from config.outbound import PostOutcome
from config.single_line import validate_single_line

URL_HELP = (
    "The channel's incoming webhook: Slack's https://hooks.slack.com/services/…, or the URL of "
    "a Teams Workflows flow “Post to a channel when a webhook request is received”."
)
# What to do about a failed test post, by what went wrong.
GONE_CODES = frozenset({403, 404, 410})


class ChatChannelForm(forms.Form):
    """A channel: provider, name, URL and one delivery per kind its sort of channel receives
    (fields named by the kind). Changing one: the URL may stay empty (the saved one stays)."""

    provider = forms.ChoiceField(choices=ChatProvider.choices, initial=ChatProvider.SLACK)
    name = forms.CharField(
        max_length=100, validators=[validate_single_line], help_text="Such as #acme-account-team."
    )
    url = forms.CharField(
        label="Incoming webhook URL",
        max_length=500,
        validators=[validate_single_line],
        help_text=URL_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, kinds: dict[str, str], editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in kinds.items():
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=[(d, CHANNEL_DELIVERY_LABELS[d]) for d in kind_deliveries(kind)],
                initial=kind_default(kind),
            )
        self.kinds = kinds
        if editing:
            del self.fields["provider"]
            self.fields["url"].required = False
            self.fields["url"].help_text = "Leave it empty to keep the saved URL. " + URL_HELP

    def deliveries(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in self.kinds}


@login_required
def account_chat_channels(request: HttpRequest, slug: str) -> HttpResponse:
    account = access_account_for_channels(request.user, slug)
    return _channels_page(request, account=account)


@login_required
def garden_chat_channels(request: HttpRequest, slug: str) -> HttpResponse:
    garden = access_garden_for_channels(request.user, slug)
    return _channels_page(request, garden=garden)


def _channels_page(
    request: HttpRequest, *, account: Account | None = None, garden: Garden | None = None
) -> HttpResponse:
    kinds = ACCOUNT_CHANNEL_KINDS if account is not None else GARDEN_CHANNEL_KINDS
    form = ChatChannelForm(kinds=kinds)
    status = 200
    if request.method == "POST":
        form = ChatChannelForm(request.POST, kinds=kinds)
        if form.is_valid():
            try:
                channel = services.chat_channel_create(
                    provider=form.cleaned_data["provider"],
                    name=form.cleaned_data["name"],
                    url=form.cleaned_data["url"],
                    deliveries=form.deliveries(),
                    created_by=request.user,
                    account=account,
                    garden=garden,
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Added {channel}. Send it a test message to check the URL."
                )
                return redirect(request.path)
        status = 400
    context = {
        "account": account,
        "garden": garden,
        "scope_name": account.name if account is not None else garden.name,
        "rows": chat_channel_rows(chat_channels(account=account, garden=garden)),
        "form": form,
    }
    return render(request, "community/chat_channels.html", context, status=status)


@login_required
def chat_channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = access_chat_channel(request.user, pk)
    initial = {"name": channel.name, **chat_channel_deliveries(channel)}
    form = ChatChannelForm(initial=initial, kinds=channel.kinds, editing=True)
    status = 200
    if request.method == "POST":
        form = ChatChannelForm(request.POST, kinds=channel.kinds, editing=True)
        if form.is_valid():
            try:
                services.chat_channel_update(
                    channel=channel,
                    name=form.cleaned_data["name"],
                    url=form.cleaned_data["url"],
                    deliveries=form.deliveries(),
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, f"Saved {channel}.")
                return redirect(services.channel_settings_path(channel))
        status = 400
    context = {
        "channel": channel,
        "form": form,
        "back": services.channel_settings_path(channel),
    }
    return render(request, "community/chat_channel_edit.html", context, status=status)


@login_required
@require_POST
def chat_channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = access_chat_channel(request.user, pk)
    back = services.channel_settings_path(channel)
    services.chat_channel_delete(channel=channel)
    messages.success(request, f"Removed {channel}: nothing more is posted to it.")
    return redirect(back)


@login_required
@require_POST
def chat_channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = access_chat_channel(request.user, pk)
    outcome = services.chat_channel_test(channel=channel, by=request.user)
    if outcome.succeeded:
        messages.success(
            request,
            f"The test message was posted to {channel} ({services.outcome_words(outcome)}).",
        )
    else:
        messages.error(request, _failure_words(channel_name=str(channel), outcome=outcome))
    return redirect(services.channel_settings_path(channel))


def _failure_words(*, channel_name: str, outcome: PostOutcome) -> str:
    """Why a test message was not posted, and what to do about it."""
    said = f"The test message was not posted to {channel_name}: {outcome.reason}."
    if outcome.status_code in GONE_CODES:
        advice = "The webhook may have been removed or turned off: make a new one, save its URL."
    elif outcome.status_code is not None and 400 <= outcome.status_code < 500:
        advice = "The service refused it: check that the URL is the channel's incoming webhook."
    elif outcome.reason.startswith("refused"):
        advice = "Messages are posted to public addresses only."
    else:
        advice = "Try again in a moment; messages that fail are retried."
    return f"{said} {advice}"
