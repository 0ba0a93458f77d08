"""Real clicks in Debian's Chromium: each persona logs in and lands on their own page.

Screenshots go to var/screenshots/ (git-ignored) so a person can look at what was seen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.accounts.factories import PASSWORD
from tests.frame_nav import nav_click

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _log_in(page, live_server, email: str) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return problems


@pytest.mark.django_db(transaction=True)
def test_a_customer_logs_in_and_sees_their_own_account(
    page, live_server, member_a, member_b, account_manager_a
):
    problems = _log_in(page, live_server, member_a.email)

    page.get_by_role("heading", name="Welcome, Alice").wait_for()
    assert page.get_by_role("heading", name="What needs you").is_visible()
    assert page.get_by_text("Nothing needs you right now.").is_visible()
    assert "Acme Industrial" in page.content()
    assert "Globex" not in page.content()
    assert page.get_by_role("link", name="Our account").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "customer-home.png", full_page=True)

    page.get_by_role("link", name="Our account").click()
    page.get_by_role("heading", name="Acme Industrial").wait_for()
    assert "Carol" in page.content()  # their account manager is shown as a contact
    assert problems == []  # no CSP violation or script error in the console


@pytest.mark.django_db(transaction=True)
def test_an_account_manager_logs_in_and_sees_their_accounts(
    page, live_server, account_manager_a, account_b
):
    problems = _log_in(page, live_server, account_manager_a.email)

    page.get_by_role("heading", name="Welcome, Carol").wait_for()
    todos = page.locator("section.todos")
    assert "Acme Industrial is silent" in todos.inner_text()  # no customer activity yet
    todos.get_by_role("link", name="Acme Industrial is silent: no customer activity yet").click()
    page.get_by_role("heading", name="Engagement: Acme Industrial").wait_for()
    page.go_back()
    page.get_by_role("heading", name="Welcome, Carol").wait_for()
    table = page.get_by_role("table")
    assert table.get_by_role("link", name="Acme Industrial").is_visible()
    assert "Globex" not in table.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "account-manager-home.png", full_page=True)

    nav_click(page, "My accounts")
    page.get_by_role("heading", name="Accounts").wait_for()
    page.get_by_label("Search").fill("Acme")
    page.get_by_text("1 account", exact=True).wait_for()
    assert problems == []
