"""Real clicks in Chromium: an account manager opens the account's chat channels from its
engagement page, is told a wrong URL is not Slack's, adds the Slack channel (a listener on
127.0.0.1), sends a test message and reads the outcome, on a wide screen and on a phone.
Screenshots go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from community.models import ChatChannel
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["wide", "phone"])
def test_an_account_manager_adds_a_slack_channel_and_sends_a_test_message(
    page, live_server, account_manager_a, account_a, chat_listener, width, height
):
    listener = chat_listener("slack")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    refused_form = "the server responded with a status of 400"  # the form shown again
    page.set_viewport_size({"width": width, "height": height})

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(account_manager_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/accounts/{account_a.slug}/engagement/")
    page.get_by_role("link", name="Chat channels").click()
    page.get_by_role("heading", name="Chat channels").wait_for()

    page.get_by_label("Name").fill("#acme-account-team")
    page.get_by_label("Incoming webhook URL").fill("https://example.com/not-slack")
    page.get_by_role("button", name="Add channel").click()
    page.get_by_text("This is not a Slack incoming webhook URL").wait_for()
    page.get_by_label("Incoming webhook URL").fill(listener.url)
    page.get_by_label("Decisions of pilots the account took part in").select_option("daily")
    page.get_by_role("button", name="Add channel").click()
    page.get_by_text("Added Slack #acme-account-team").wait_for()

    page.get_by_role("button", name="Send a test message to #acme-account-team").click()
    page.get_by_text(
        "The test message was posted to Slack #acme-account-team (HTTP 200)."
    ).wait_for()
    page.screenshot(path=SCREENSHOTS / f"chat-channels-{width}.png", full_page=True)

    assert len(listener.posts) == 1 and listener.posts[0]["problems"] == []
    channel = ChatChannel.objects.get()
    assert channel.preferences.get(kind="pilot_decision").delivery == "daily"
    assert listener.url not in page.content()  # the secret is not shown back
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the page scrolls sideways"
    assert [p for p in problems if refused_form not in p] == []
