"""Chat channels' settings: adding, changing and removing a Slack or Teams channel of an account's
team or of a garden, which URL it may have, and the "send test message" button.

Which URL: a channel's incoming webhook, so https to the provider's own hosts
(`PROVIDER_HOSTS`: Slack's hooks.slack.com; Teams' Power Automate Workflows and the older
Office 365 connectors), and the rule every outbound URL obeys (config/outbound.py: every
address the host resolves to is public; checked when it is saved and again at every post).
Account teams set these URLs, not only programme admins, so the host list keeps an account's
alerts from being posted anywhere but to a chat service. Where `OUTBOUND_ALLOW_LOOPBACK` lets
webhooks reach loopback (development and tests), a loopback URL is taken too, plain http
included: the tests' listeners.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, User
from accounts.people import person_name
from community.models import (
    ChatChannel,
    ChatChannelPreference,
    ChatProvider,
    Garden,
)
from community.models.chat_channels import ACCOUNT_CHANNEL_KINDS, GARDEN_CHANNEL_KINDS
from community.models.notifications import Delivery, kind_deliveries
from community.services.chat_messages import ChatMessage, ChatSection, message_payload
from config.outbound import (
    DestinationRefused,
    PostOutcome,
    destination_check,
    destination_post,
    loopback_allowed,
)

TIMEOUT_SECONDS = 5
USER_AGENT = "CustomerGarden-Chat/1"
# Host names (exact) and domains (a name under them) a provider's incoming webhooks live on.
PROVIDER_HOSTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ChatProvider.SLACK: (("hooks.slack.com", "hooks.slack-gov.com"), ()),
    ChatProvider.TEAMS: (
        (),
        ("logic.azure.com", "api.powerplatform.com", "webhook.office.com"),
    ),
}
URL_EXAMPLES = {
    ChatProvider.SLACK: "https://hooks.slack.com/services/…",
    ChatProvider.TEAMS: "https://….logic.azure.com/workflows/… (a Teams Workflows URL)",
}
NAME_MAX = 100


def provider_host(provider: str, host: str) -> bool:
    """Is `host` one of the provider's incoming-webhook hosts?"""
    names, domains = PROVIDER_HOSTS.get(provider, ((), ()))
    host = (host or "").lower().rstrip(".")
    return host in names or any(host.endswith(f".{domain}") for domain in domains)


def _url_error(message: str) -> ValidationError:
    return ValidationError({"url": message})


def chat_url_clean(*, provider: str, url: str) -> str:
    """The URL, if a channel of `provider` may be posted to there (see the module); else a
    ValidationError on `url` saying why."""
    url = (url or "").strip()
    if not url:
        raise _url_error("Give the channel's incoming webhook URL.")
    if len(url) > 500:
        raise _url_error("Keep the URL to 500 characters.")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise _url_error(f"Enter a valid URL, such as {URL_EXAMPLES[provider]}") from None
    parts = urlsplit(url)
    listed = provider_host(provider, parts.hostname or "")
    label = ChatProvider(provider).label
    not_listed = f"This is not a {label} incoming webhook URL: use {URL_EXAMPLES[provider]}"
    if not listed and not loopback_allowed():
        raise _url_error(not_listed)
    try:
        destination = destination_check(url)
    except DestinationRefused as refused:
        raise _url_error(
            f"Refused: {refused.reason}. Messages are posted to public addresses only."
        ) from None
    if loopback_allowed() and destination.only_loopback:
        return url
    if not listed:
        raise _url_error(not_listed)
    if parts.scheme != "https":
        raise _url_error("Use an https:// URL: messages are not sent in the clear.")
    return url


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the channel, such as #acme-account-team."})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"Keep the name to {NAME_MAX} characters."})
    return name


def _clean_deliveries(kinds: Mapping[str, str], deliveries: Mapping[str, str]) -> dict[str, str]:
    """The delivery of every kind this sort of channel can receive (missing: off), each one of
    the kind's choices."""
    cleaned = {}
    for kind in kinds:
        delivery = deliveries.get(kind, Delivery.OFF)
        if delivery not in kind_deliveries(kind):
            raise ValidationError({kind: f"Choose one of: {', '.join(kind_deliveries(kind))}."})
        cleaned[kind] = delivery
    unknown = set(deliveries) - set(kinds)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This channel cannot receive this kind."})
    return cleaned


def _preferences_save(channel: ChatChannel, deliveries: Mapping[str, str]) -> None:
    for kind, delivery in deliveries.items():
        ChatChannelPreference.objects.update_or_create(
            channel=channel, kind=kind, defaults={"delivery": delivery}
        )


def chat_channel_create(
    *,
    provider: str,
    name: str,
    url: str,
    deliveries: Mapping[str, str],
    created_by: User,
    account: Account | None = None,
    garden: Garden | None = None,
) -> ChatChannel:
    """A channel of an account's team (`account`) or of a garden (`garden`), receiving each
    kind as `deliveries` says (kind → delivery; a kind left out is off). All or nothing; the
    URL's host is resolved before the transaction."""
    if (account is None) == (garden is None):
        raise ValueError("A channel belongs to an account or to a garden.")
    if provider not in ChatProvider.values:
        raise ValidationError({"provider": "Choose Slack or Microsoft Teams."})
    kinds = ACCOUNT_CHANNEL_KINDS if account is not None else GARDEN_CHANNEL_KINDS
    name = _clean_name(name)
    cleaned = _clean_deliveries(kinds, deliveries)
    url = chat_url_clean(provider=provider, url=url)
    with transaction.atomic():
        channel = ChatChannel.objects.create(
            provider=provider,
            name=name,
            url=url,
            account=account,
            garden=garden,
            created_by=created_by,
        )
        _preferences_save(channel, cleaned)
    return channel


def chat_channel_update(
    *, channel: ChatChannel, name: str, deliveries: Mapping[str, str], url: str = ""
) -> ChatChannel:
    """Rename the channel, set what it receives, and with a `url` replace its URL (empty:
    the saved one stays, since it is never shown back). All or nothing."""
    name = _clean_name(name)
    cleaned = _clean_deliveries(channel.kinds, deliveries)
    fields = ["name", "updated_at"]
    if (url or "").strip():
        channel.url = chat_url_clean(provider=channel.provider, url=url)
        fields.append("url")
    channel.name = name
    with transaction.atomic():
        channel.save(update_fields=fields)
        _preferences_save(channel, cleaned)
    return channel


def chat_channel_delete(*, channel: ChatChannel) -> None:
    """Remove the channel with its deliveries and digests (none is posted any more)."""
    channel.delete()


def chat_channel_outcome_record(*, channel_id: int, outcome: PostOutcome) -> None:
    """The latest post's outcome, shown beside the channel."""
    ChatChannel.objects.filter(pk=channel_id).update(
        last_posted_at=timezone.now(),
        last_succeeded=outcome.succeeded,
        last_result=outcome_words(outcome),
    )


def outcome_words(outcome: PostOutcome) -> str:
    """A post's outcome in a few words of ours: "HTTP 200", or the failure's reason."""
    if outcome.succeeded:
        return f"HTTP {outcome.status_code}"
    return outcome.reason or "failed"


def chat_post(*, channel: ChatChannel, message: ChatMessage) -> PostOutcome:
    """Post `message` to the channel now (config/outbound.py: the address checked again, no
    redirect followed), and record the outcome on the channel."""
    payload = message_payload(provider=channel.provider, message=message)
    outcome = destination_post(
        url=channel.url,
        body=_json(payload),
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        timeout=TIMEOUT_SECONDS,
    )
    chat_channel_outcome_record(channel_id=channel.pk, outcome=outcome)
    return outcome


def _json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def chat_channel_test(*, channel: ChatChannel, by: User) -> PostOutcome:
    """The "send test message" button: a short message saying what the channel will receive,
    posted at once (not queued: the person waits for the outcome, shown in words)."""
    receives = [
        label
        for kind, label in channel.kinds.items()
        if any(p.kind == kind and p.delivery != Delivery.OFF for p in channel.preferences.all())
    ]
    sender = person_name(viewer=channel.reader, person=by, garden=channel.garden)
    scope = channel.account.name if channel.account_id else channel.garden.name
    text = (
        f"This channel will receive: {', '.join(receives)}."
        if receives
        else "This channel receives nothing yet: choose what it receives in its settings."
    )
    message = ChatMessage(
        heading=f"Test message from Customer Garden for {scope}",
        context=f"Sent by {sender} to check the channel {channel.name}",
        sections=[ChatSection(text=text)],
        link=settings.SITE_URL + channel_settings_path(channel),
    )
    return chat_post(channel=channel, message=message)


def channel_settings_path(channel: ChatChannel) -> str:
    """The settings page that lists the channel."""
    if channel.account_id:
        return reverse("community:account-chat-channels", kwargs={"slug": channel.account.slug})
    return reverse("community:garden-chat-channels", kwargs={"slug": channel.garden.slug})
