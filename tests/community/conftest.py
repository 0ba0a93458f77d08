"""Fixtures the community modules share."""

from __future__ import annotations

import pytest
import trustme

from tests.community.chat_listener import ChatListener
from tests.community.webhook_receiver import Receiver


@pytest.fixture
def receiver(settings):
    """A webhook receiver on 127.0.0.1 (loopback allowed for the test), closed afterwards."""
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def trusted_ca(monkeypatch, tmp_path) -> trustme.CA:
    """A certificate authority of the test's own, trusted by every TLS client of the process
    that uses the system's default store (pointed at it, as SSL_CERT_FILE does)."""
    ca = trustme.CA()
    path = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    return ca


@pytest.fixture
def tls_receiver(trusted_ca):
    """`tls_receiver("hooks.test")`: an HTTPS receiver on 127.0.0.1 whose certificate, from the
    trusted test CA, is valid for the given names only; closed afterwards. Loopback is not
    allowed by this fixture: a test that posts to it says so."""
    servers = []

    def _start(*names: str) -> Receiver:
        servers.append(Receiver(certificate=trusted_ca.issue_cert(*names)))
        return servers[-1]

    yield _start
    for server in servers:
        server.close()


@pytest.fixture
def chat_listener(settings):
    """`chat_listener("slack")` or `("teams")`: a fake incoming webhook on 127.0.0.1 that checks
    each payload's structure (tests/community/chat_listener.py); loopback allowed for the test;
    closed afterwards."""
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    listeners = []

    def _start(provider: str = "slack") -> ChatListener:
        listeners.append(ChatListener(provider, site=settings.SITE_URL))
        return listeners[-1]

    yield _start
    for listener in listeners:
        listener.close()
