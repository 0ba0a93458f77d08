"""Chat channels' settings (community.services.chat_channels): which URLs a Slack or Teams channel
may have (the provider's hosts, https, and config/outbound.py's rule), the email's delivery
vocabulary per kind, the URL never shown back whole, and "send test message" with its outcome
in words, posted to a listener on 127.0.0.1 that checks the payload."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from community.models import ChatChannel, ChatChannelPreference, ChatProvider
from community.models.notifications import Delivery, NotifyKind
from community.services import chat_channels
from tests.community.factories import GardenFactory
from tests.fake_internet import PUBLIC

pytestmark = pytest.mark.django_db

SLACK_URL = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnopWXYZ"
TEAMS_URL = "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3tQRST"
ALERTS = NotifyKind.ENGAGEMENT_ALERT
DECISIONS = NotifyKind.PILOT_DECISION
HARVESTS = NotifyKind.HARVEST_PUBLISHED


def _account_channel(account, by, **fields):
    values = {
        "provider": ChatProvider.SLACK,
        "name": "#acme-team",
        "url": SLACK_URL,
        "deliveries": {ALERTS: Delivery.IMMEDIATELY, DECISIONS: Delivery.DAILY},
    }
    values.update(fields)
    return chat_channels.chat_channel_create(account=account, created_by=by, **values)


def _url_error(**fields) -> str:
    with pytest.raises(ValidationError) as caught:
        chat_channels.chat_url_clean(**fields)
    return " ".join(caught.value.message_dict["url"])


# --- Which URLs -------------------------------------------------------------------------------


def test_a_slack_or_teams_webhook_url_is_saved_with_what_the_channel_receives(
    account_a, account_manager_a
):
    channel = _account_channel(account_a, account_manager_a)

    assert channel.url == SLACK_URL
    assert channel.account == account_a and channel.garden is None
    stored = dict(channel.preferences.values_list("kind", "delivery"))
    assert stored == {ALERTS: Delivery.IMMEDIATELY, DECISIONS: Delivery.DAILY}

    teams = chat_channels.chat_channel_create(
        garden=GardenFactory(),
        provider=ChatProvider.TEAMS,
        name="Garden news",
        url=TEAMS_URL,
        deliveries={HARVESTS: Delivery.WEEKLY},
        created_by=account_manager_a,
    )
    assert dict(teams.preferences.values_list("kind", "delivery")) == {
        HARVESTS: Delivery.WEEKLY,
        DECISIONS: Delivery.OFF,  # left out: off
    }


@pytest.mark.parametrize(
    ("provider", "url", "says"),
    [
        (ChatProvider.SLACK, "", "Give the channel's incoming webhook URL"),
        (ChatProvider.SLACK, "hooks.slack.com/services/x", "Enter a valid URL"),
        (ChatProvider.SLACK, "https://example.com/services/x", "not a Slack incoming webhook"),
        (ChatProvider.SLACK, TEAMS_URL, "not a Slack incoming webhook"),
        (ChatProvider.TEAMS, SLACK_URL, "not a Microsoft Teams incoming webhook"),
        (ChatProvider.TEAMS, "https://logic.azure.com.evil.example/x", "not a Microsoft Teams"),
        (ChatProvider.SLACK, "http://hooks.slack.com/services/x", "Use an https:// URL"),
        (ChatProvider.SLACK, "https://hooks.slack.com/" + "x" * 500, "500 characters"),
    ],
)
def test_a_url_that_is_not_the_providers_webhook_is_refused(provider, url, says):
    assert says in _url_error(provider=provider, url=url)


def test_a_providers_host_that_resolves_to_a_private_address_is_refused(fake_internet):
    fake_internet.answer("hooks.slack.com", ["10.0.0.7"])

    said = _url_error(provider=ChatProvider.SLACK, url=SLACK_URL)

    assert "Refused: the address is private" in said
    assert fake_internet.lookups == ["hooks.slack.com"]


def test_without_the_loopback_setting_a_loopback_url_is_refused_before_any_lookup(
    settings, fake_internet
):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    said = _url_error(provider=ChatProvider.SLACK, url="http://127.0.0.1:9/services/x")

    assert "not a Slack incoming webhook" in said
    assert fake_internet.lookups == []


def test_with_the_loopback_setting_a_loopback_listener_is_taken_and_nothing_else_is(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    url = "http://127.0.0.1:9/services/x"

    assert chat_channels.chat_url_clean(provider=ChatProvider.SLACK, url=url) == url
    assert "not a Slack" in _url_error(provider=ChatProvider.SLACK, url="https://example.com/x")


def test_the_providers_hosts_are_recognised_exactly():
    assert chat_channels.provider_host(ChatProvider.SLACK, "hooks.slack.com")
    assert not chat_channels.provider_host(ChatProvider.SLACK, "evilhooks.slack.com")
    assert chat_channels.provider_host(ChatProvider.TEAMS, "prod-1.westus.logic.azure.com")
    assert chat_channels.provider_host(ChatProvider.TEAMS, "acme.webhook.office.com")
    assert not chat_channels.provider_host(ChatProvider.TEAMS, "logic.azure.com.evil.example")
    assert PUBLIC  # the fake internet resolves the providers' hosts to a public address


# --- The rest of the settings -----------------------------------------------------------------


def test_a_delivery_the_kind_does_not_offer_is_refused_and_nothing_is_saved(
    account_a, account_manager_a
):
    with pytest.raises(ValidationError) as caught:
        _account_channel(account_a, account_manager_a, deliveries={ALERTS: Delivery.WEEKLY})
    assert ALERTS in caught.value.message_dict  # engagement alerts: immediately, daily or off

    with pytest.raises(ValidationError) as caught:
        _account_channel(account_a, account_manager_a, deliveries={HARVESTS: Delivery.DAILY})
    assert HARVESTS in caught.value.message_dict  # an account's channel gets no harvests

    with pytest.raises(ValidationError) as caught:
        _account_channel(account_a, account_manager_a, name="  ")
    assert "name" in caught.value.message_dict
    assert not ChatChannel.objects.exists()
    assert not ChatChannelPreference.objects.exists()


def test_a_channel_belongs_to_an_account_or_a_garden_never_both(account_a, account_manager_a):
    channel = _account_channel(account_a, account_manager_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        ChatChannel.objects.filter(pk=channel.pk).update(garden=GardenFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        ChatChannel.objects.filter(pk=channel.pk).update(account=None)


def test_the_url_is_shown_back_as_its_host_and_last_characters(account_a, account_manager_a):
    channel = _account_channel(account_a, account_manager_a)

    assert channel.url_shown == "hooks.slack.com/…WXYZ"
    assert "abcdefghijklmnop" not in channel.url_shown


def test_changing_a_channel_keeps_its_url_unless_a_new_one_is_given(account_a, account_manager_a):
    channel = _account_channel(account_a, account_manager_a)
    new_url = SLACK_URL.replace("WXYZ", "NEW1")

    chat_channels.chat_channel_update(
        channel=channel, name="#renamed", deliveries={ALERTS: Delivery.OFF}, url=""
    )
    channel.refresh_from_db()
    assert (channel.name, channel.url) == ("#renamed", SLACK_URL)
    assert dict(channel.preferences.values_list("kind", "delivery")) == {
        ALERTS: Delivery.OFF,
        DECISIONS: Delivery.OFF,
    }

    with pytest.raises(ValidationError):
        chat_channels.chat_channel_update(
            channel=channel, name="#x", deliveries={}, url="https://example.com/x"
        )
    channel.refresh_from_db()
    assert (channel.name, channel.url) == ("#renamed", SLACK_URL)

    chat_channels.chat_channel_update(channel=channel, name="#x", deliveries={}, url=new_url)
    channel.refresh_from_db()
    assert channel.url == new_url


# --- Send test message ------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["slack", "teams"])
def test_a_test_message_is_posted_and_its_outcome_kept_on_the_channel(
    chat_listener, account_a, account_manager_a, provider
):
    listener = chat_listener(provider)
    channel = _account_channel(account_a, account_manager_a, provider=provider, url=listener.url)

    outcome = chat_channels.chat_channel_test(channel=channel, by=account_manager_a)

    assert outcome.succeeded
    assert listener.posts[0]["problems"] == []
    text = listener.text()
    assert "Test message from Customer Garden for Acme Industrial" in text
    assert "Engagement alerts on the account" in text
    assert "Carol" in text  # who sent it: internal, named
    channel.refresh_from_db()
    assert channel.last_succeeded is True
    assert channel.last_result == ("HTTP 200" if provider == "slack" else "HTTP 202")
    assert channel.last_posted_at is not None


def test_a_test_message_to_a_removed_webhook_says_why(chat_listener, account_a, account_manager_a):
    listener = chat_listener("slack")
    listener.codes = [404]
    channel = _account_channel(account_a, account_manager_a, url=listener.url)

    outcome = chat_channels.chat_channel_test(channel=channel, by=account_manager_a)

    assert (outcome.succeeded, outcome.reason) == (False, "HTTP 404")
    channel.refresh_from_db()
    assert (channel.last_succeeded, channel.last_result) == (False, "HTTP 404")
