"""Real clicks in Debian's Chromium: an account manager who must set up a second factor is sent
to the setup, types their password again, scans (reads) the secret, confirms a code, sees their
recovery codes, and later logs in with a code from the app. Under the page's CSP (script-src 'self')
the console shows no error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.accounts.factories import PASSWORD
from tests.accounts.mfa_helpers import totp_code

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_an_account_manager_sets_up_an_authenticator_app_and_logs_in_with_it(
    page, live_server, account_manager_a, settings, clock
):
    # The live server runs in this process: its code check reads the test's `clock`.
    settings.MFA_REQUIRED_FOR_STAFF = True
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(account_manager_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Two-Factor Authentication").wait_for()
    assert "set up an authenticator app" in page.content()

    page.get_by_role("link", name="Activate").click()
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks for it again before a change
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Activate Authenticator App").wait_for()
    secret = page.get_by_label("Authenticator secret").input_value()
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()  # the QR code
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "mfa-totp-setup.png", full_page=True)
    page.get_by_label("Authenticator code").fill(totp_code(secret, clock.now))
    page.get_by_role("button", name="Activate").click()

    page.get_by_role("heading", name="Recovery Codes").wait_for()
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10
    page.screenshot(path=SCREENSHOTS / "mfa-recovery-codes.png", full_page=True)
    page.goto(f"{live_server.url}/portfolio/")  # every page opens now
    page.get_by_role("heading", name="Portfolio").wait_for()

    page.get_by_text(account_manager_a.get_short_name()).first.click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Email").fill(account_manager_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Two-Factor Authentication").wait_for()
    page.screenshot(path=SCREENSHOTS / "mfa-second-step.png", full_page=True)
    clock.next_period()  # a later code than the one that confirmed the setup
    page.get_by_label("Code").fill(totp_code(secret, clock.now))
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Welcome, Carol").wait_for()
    assert problems == []  # no CSP violation or script error in the console
