"""Documents the server fetches from a URL an admin set (an identity provider's discovery
document, keys, tokens) go through the outbound rule of config/outbound.py (`outbound_session`,
which allauth is handed): every request checked, the connection made to the address that was
checked, TLS on the URL's name whatever the caller asks, no redirect followed, no proxy, and no
more of an answer read than a document needs."""

from __future__ import annotations

import pytest
import requests
import trustme

from config.outbound import FETCH_LIMIT_BYTES, OutboundRefused, outbound_session
from tests.community.webhook_receiver import Receiver
from tests.fake_internet import PUBLIC

DOCUMENT = b'{"issuer": "https://login.acme.example"}'


@pytest.fixture
def server():
    receiver = Receiver()
    receiver.body = DOCUMENT
    yield receiver
    receiver.close()


@pytest.fixture
def loopback(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True


def _get(url: str, **options) -> requests.Response:
    with outbound_session(timeout=2) as session:
        return session.get(url, **options)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.5/.well-known/openid-configuration", "the address is private"),
        ("http://169.254.169.254/latest/meta-data/", "the address is link-local"),
        ("http://[::ffff:127.0.0.1]/", "the address is IPv4-mapped"),
        ("http://metadata.test/", "the host name does not resolve"),
    ],
)
def test_an_address_the_rule_refuses_is_never_connected_to(fake_internet, url, reason):
    with pytest.raises(OutboundRefused) as refused:
        _get(url)

    assert refused.value.reason == reason
    assert isinstance(refused.value, requests.RequestException)  # what allauth catches
    assert fake_internet.connections == []


def test_loopback_is_refused_unless_the_setting_allows_it(settings, server):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    with pytest.raises(OutboundRefused, match="the address is loopback"):
        _get(server.url)
    assert server.requests == []

    settings.OUTBOUND_ALLOW_LOOPBACK = True
    answer = _get(server.url, headers={"Accept": "application/json"})

    assert (answer.status_code, answer.json()) == (200, {"issuer": "https://login.acme.example"})
    assert server.requests[0]["headers"]["Accept"] == "application/json"


def test_the_former_settings_name_still_allows_loopback(settings, server):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    settings.WEBHOOK_ALLOW_LOOPBACK = True

    assert _get(server.url).status_code == 200


def test_each_request_is_checked_and_connects_to_the_address_it_checked(
    loopback, fake_internet, server
):
    fake_internet.answer("idp.test", ["127.0.0.1"], ["10.0.0.9"])
    url = server.url.replace("127.0.0.1", "idp.test")

    first = _get(url)
    with pytest.raises(OutboundRefused, match="the address is private"):
        _get(url)  # the name now points into the private network

    assert first.status_code == 200
    assert server.requests[0]["headers"]["Host"] == f"idp.test:{server.port}"
    assert fake_internet.lookups == ["idp.test", "idp.test"]  # one lookup per request, no more
    assert fake_internet.connections == [("127.0.0.1", server.port)]


@pytest.mark.parametrize("code", [301, 302, 307])
def test_a_redirect_is_not_followed(loopback, server, code):
    target = Receiver()
    server.codes = [code]
    server.location = target.url
    try:
        with pytest.raises(requests.TooManyRedirects):
            _get(server.url)
        assert target.requests == []
    finally:
        target.close()


def test_no_more_than_the_limit_of_an_answer_is_read(loopback, server):
    server.body = b"x" * (FETCH_LIMIT_BYTES + 1)

    with pytest.raises(requests.ConnectionError, match="the answer is too large"):
        _get(server.url)


def test_tls_is_checked_on_the_urls_name_even_when_the_caller_says_not_to(
    loopback, fake_internet, monkeypatch, tmp_path
):
    authority = trustme.CA()
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    server = Receiver(certificate=authority.issue_cert("someone-else.test"))
    fake_internet.answer("idp.test", ["127.0.0.1"])
    try:
        with pytest.raises(requests.ConnectionError, match="TLS handshake failed"):
            _get(server.url_for("idp.test"), verify=False)
        assert server.requests == []
    finally:
        server.close()


def test_a_public_address_that_does_not_answer_is_a_request_error(fake_internet):
    with pytest.raises(requests.ConnectionError, match="connection refused"):
        _get("https://login.acme.example/.well-known/openid-configuration")

    assert fake_internet.connections == [(PUBLIC, 443)]
