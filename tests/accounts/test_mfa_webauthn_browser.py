"""Real clicks in Debian's Chromium with its virtual authenticator (DevTools' WebAuthn domain):
a customer adds a security key through allauth's WebAuthn pages and logs in with it as their
second factor. allauth's WebAuthn scripts are our own origin's static files: the console shows
no CSP violation under script-src 'self'."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.accounts.factories import PASSWORD
from tests.accounts.mfa_helpers import authenticator_kinds

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.django_db(transaction=True)
def test_a_member_adds_a_security_key_and_logs_in_with_it(page, live_server, member_a):
    # WebAuthn wants a host name for the relying party, not an IP address.
    base = live_server.url.replace("127.0.0.1", "localhost")
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    _virtual_authenticator(page)

    _log_in(page, base, member_a.email)
    page.get_by_role("heading", name="Welcome, Alice").wait_for()
    page.goto(f"{base}/auth/2fa/webauthn/add/")
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks for it again before a change
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Add Security Key").wait_for()
    # allauth binds the button's handler on DOMContentLoaded, after its scripts have loaded:
    # a click before that does nothing (seen once on a busy CI machine).
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("heading", name="Recovery Codes").wait_for()
    assert authenticator_kinds(member_a) == {"webauthn", "recovery_codes"}

    page.get_by_text("Alice").first.click()
    page.get_by_role("button", name="Log out").click()
    _log_in(page, base, member_a.email)
    page.get_by_role("heading", name="Two-Factor Authentication").wait_for()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Use a security key").click()
    page.get_by_role("heading", name="Welcome, Alice").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "mfa-webauthn-logged-in.png", full_page=True)
    assert problems == []
