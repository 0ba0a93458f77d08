"""Fixtures the community modules share."""

from __future__ import annotations

import pytest

from tests.community.webhook_receiver import Receiver


@pytest.fixture
def receiver(settings):
    """A webhook receiver on 127.0.0.1 (loopback allowed for the test), closed afterwards."""
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    server = Receiver()
    yield server
    server.close()
