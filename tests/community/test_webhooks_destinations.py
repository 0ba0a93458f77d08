"""Webhooks cannot be turned against us. A destination is checked when its
endpoint is saved and again before each post: every address its host resolves to must be
public (loopback only where settings.OUTBOUND_ALLOW_LOOPBACK allows it, which production
refuses); the post connects to the address that was checked, with the Host header and TLS on
the URL's name; redirects are not followed; the admin sees a short reason of ours, never the
target's text (config/outbound.py).

Every listener is on 127.0.0.1; other names are answered by the fake DNS of
tests/fake_internet.py, whose public address refuses every connection."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from django.core.exceptions import ValidationError

from community.models import Alert, AlertReason, WebhookDelivery, WebhookEndpoint
from community.services import webhooks
from config.outbound import address_refusal
from tests.accounts.factories import AccountFactory
from tests.api_helpers import api_error, api_login
from tests.community.webhook_receiver import Receiver
from tests.fake_internet import PUBLIC

pytestmark = pytest.mark.django_db

PAGE = "/settings/webhooks/"
API = "/api/v1/webhooks/"


def _create(url: str, user) -> WebhookEndpoint:
    return webhooks.webhook_endpoint_create(url=url, created_by=user)


def _refusal(url: str, user) -> str:
    """The URL field's error when saving `url`."""
    with pytest.raises(ValidationError) as error:
        _create(url, user)
    return " ".join(error.value.message_dict["url"])


def _attempt(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """One attempt at a new delivery to `endpoint`, and the delivery after it."""
    alert = Alert.objects.create(
        account=AccountFactory(), reason=AlertReason.SCORE_FELL, details={}
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        alert=alert,
        subject=str(alert.pk),
        event="alert.raised",
        payload={"event": "alert.raised"},
    )
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


@pytest.fixture
def second_receiver():
    server = Receiver()
    yield server
    server.close()


# --- The rule, address by address -------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "the address is loopback"),
        ("127.8.9.10", "the address is loopback"),
        ("::1", "the address is loopback"),
        ("10.1.2.3", "the address is private"),
        ("172.16.0.1", "the address is private"),
        ("192.168.1.1", "the address is private"),
        ("fc00::1", "the address is private"),
        ("fec0::1", "the address is private"),
        ("169.254.169.254", "the address is link-local"),
        ("fe80::1", "the address is link-local"),
        ("224.0.0.1", "the address is multicast"),
        ("ff02::1", "the address is multicast"),
        ("240.0.0.1", "the address is reserved"),
        ("255.255.255.255", "the address is reserved"),
        ("0.0.0.0", "the address is unspecified"),  # noqa: S104 (an address to refuse)
        ("::", "the address is unspecified"),
        ("::ffff:127.0.0.1", "the address is IPv4-mapped"),
        ("::ffff:93.184.215.14", "the address is IPv4-mapped"),
        ("2002:7f00:1::", "the address tunnels to IPv4"),
        ("100.64.0.1", "the address is not public"),
        (PUBLIC, None),
        ("2606:4700::1111", None),
    ],
)
def test_one_rule_says_which_addresses_a_webhook_may_reach(address, reason):
    assert address_refusal(ipaddress.ip_address(address)) == reason


# --- Saving an endpoint -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hooks", "https://127.0.0.1/hooks", "https://[::1]/hooks"]
)
def test_loopback_is_refused_when_saved_unless_the_setting_allows_it(
    settings, programme_admin, url
):
    assert settings.OUTBOUND_ALLOW_LOOPBACK is False  # the tests' default is the strict one

    assert _refusal(url, programme_admin).startswith("Refused: the address is loopback.")
    assert WebhookEndpoint.objects.count() == 0

    settings.OUTBOUND_ALLOW_LOOPBACK = True
    assert _create(url, programme_admin).url == url


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (["10.20.30.40"], "the address is private"),
        (["169.254.169.254"], "the address is link-local"),
        (["::ffff:10.0.0.1"], "the address is IPv4-mapped"),
        (["127.0.0.1"], "the address is loopback"),
        ([PUBLIC, "10.0.0.1"], "the address is private"),  # every address must pass
        (["192.168.0.9", PUBLIC], "the address is private"),
    ],
)
def test_a_name_that_resolves_to_a_forbidden_address_is_refused(
    fake_internet, programme_admin, answer, reason
):
    fake_internet.answer("intranet.test", answer)

    refusal = _refusal("https://intranet.test/hooks", programme_admin)

    assert refusal == f"Refused: {reason}. Alerts are posted to public addresses only."
    assert WebhookEndpoint.objects.count() == 0


def test_a_name_that_does_not_resolve_is_refused(programme_admin):
    refusal = _refusal("https://nowhere.invalid/hooks", programme_admin)

    assert refusal.startswith("Refused: the host name does not resolve.")
    assert WebhookEndpoint.objects.count() == 0


def test_the_page_says_why_a_destination_is_refused_and_saves_nothing(
    fake_internet, client_for, programme_admin
):
    fake_internet.answer("intranet.test", ["10.20.30.40"])

    response = client_for(programme_admin).post(PAGE, {"url": "https://intranet.test/hooks"})

    assert response.status_code == 400
    assert "Refused: the address is private." in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_the_api_answers_400_with_a_url_field_error_and_saves_nothing(
    fake_internet, api, programme_admin
):
    fake_internet.answer("metadata.test", ["169.254.169.254"])
    api_login(api, programme_admin)

    response = api.post(API, {"url": "https://metadata.test/latest/meta-data/"})

    assert response.status_code == 400
    error = api_error(response)
    assert error["attr"] == "url"
    assert "Refused: the address is link-local." in error["detail"]
    assert WebhookEndpoint.objects.count() == 0


# --- Sending ----------------------------------------------------------------------------------


def test_loopback_is_refused_when_sent_unless_the_setting_allows_it(
    settings, receiver, programme_admin
):
    endpoint = _create(receiver.url, programme_admin)  # saved while loopback was allowed
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    refused = _attempt(endpoint)

    assert (refused.status, refused.last_status_code) == ("pending", None)
    assert refused.last_error == "refused: the address is loopback"
    assert receiver.requests == []

    settings.OUTBOUND_ALLOW_LOOPBACK = True
    assert _attempt(endpoint).status == "succeeded"
    assert len(receiver.posts) == 1


@pytest.mark.parametrize(
    ("rebound_answers", "reason"),
    [
        # public when the endpoint was saved, loopback when the post is sent: checked again
        ([["127.0.0.1"]], "refused: the address is loopback"),
        # public for the check before the post, loopback for any lookup after it: the post
        # goes to the public address that was checked (where nothing listens), not to a new
        # answer
        ([[PUBLIC], ["127.0.0.1"]], "connection refused"),
    ],
    ids=["after-saving", "between-check-and-connection"],
)
def test_dns_rebinding_never_reaches_the_loopback_listener(
    fake_internet, tls_receiver, programme_admin, rebound_answers, reason
):
    server = tls_receiver("rebind.test")
    fake_internet.answer("rebind.test", [PUBLIC])
    endpoint = _create(server.url_for("rebind.test"), programme_admin)
    fake_internet.answer("rebind.test", *rebound_answers)

    delivery = _attempt(endpoint)

    assert (delivery.status, delivery.last_error) == ("pending", reason)
    assert server.requests == []
    assert ("127.0.0.1", server.port) not in fake_internet.connections


def test_the_post_connects_to_the_checked_address_with_the_names_host_and_tls(
    settings, fake_internet, tls_receiver, programme_admin
):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    server = tls_receiver("hooks.test")
    fake_internet.answer("hooks.test", ["127.0.0.1"])
    endpoint = _create(server.url_for("hooks.test"), programme_admin)

    delivery = _attempt(endpoint)

    assert (delivery.status, delivery.last_status_code) == ("succeeded", 200)
    assert server.posts[0]["headers"]["Host"] == f"hooks.test:{server.port}"
    assert server.server_names == ["hooks.test"]  # SNI: the URL's name, not the address
    # One lookup when saved, one for the check before the post; the connection makes none.
    assert fake_internet.lookups == ["hooks.test", "hooks.test"]


def test_a_certificate_not_valid_for_the_urls_name_is_refused(
    settings, fake_internet, tls_receiver, programme_admin
):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    server = tls_receiver("someone-else.test")
    fake_internet.answer("hooks.test", ["127.0.0.1"])
    endpoint = _create(server.url_for("hooks.test"), programme_admin)

    delivery = _attempt(endpoint)

    assert (delivery.status, delivery.last_error) == ("pending", "TLS handshake failed")
    assert server.posts == []


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_even_to_an_allowed_address(
    receiver, second_receiver, programme_admin, code
):
    receiver.codes = [code]
    receiver.location = second_receiver.url
    endpoint = _create(receiver.url, programme_admin)

    delivery = _attempt(endpoint)

    assert (delivery.status, delivery.last_status_code) == ("pending", code)
    assert delivery.last_error == "redirects are not followed"
    assert len(receiver.posts) == 1
    assert second_receiver.requests == []


def test_the_admin_sees_a_short_reason_never_the_targets_text(
    receiver, client_for, api, programme_admin
):
    receiver.codes = [500]
    receiver.phrase = "Leaked-Phrase"
    receiver.body = b"Traceback: db password=Leaked-Body"
    endpoint = _create(receiver.url, programme_admin)

    delivery = _attempt(endpoint)

    assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500")
    page = client_for(programme_admin).get(PAGE).content.decode()
    api_login(api, programme_admin)
    listed = api.get("/api/v1/webhooks/deliveries/").json()["results"]
    assert "HTTP 500" in page
    assert listed[0]["last_error"] == "HTTP 500"
    assert "Leaked" not in page + str(listed)


def test_a_target_that_does_not_answer_in_time_is_recorded_as_timed_out(
    settings, programme_admin, monkeypatch
):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.2)
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint = _create(f"http://127.0.0.1:{silent.getsockname()[1]}/hooks", programme_admin)

        delivery = _attempt(endpoint)

    assert (delivery.status, delivery.last_status_code) == ("pending", None)
    assert delivery.last_error == "timed out"
