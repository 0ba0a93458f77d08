"""Real clicks in Chromium: a customer sees the bell's count, filters their notifications,
moves mentions to the daily digest on the settings page; then, logged out, follows the
unsubscribe link of an email and stops that kind only. Screenshots go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail

from community.selectors.notifications import notification_delivery
from community.services.notification_emails import notification_email_send
from community.services.notifications import notify
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_customer_manages_notifications_and_unsubscribes_logged_out(page, live_server, member_a):
    notify(users=[member_a], kind="mention", title="Bob mentioned you in “Offline”")
    notify(users=[member_a], kind="idea_status", title="Offline mode is planned")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))

    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(member_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Notifications, 2 unread").click()
    page.get_by_role("heading", name="Notifications").wait_for()
    page.get_by_label("Kind").select_option("mention")
    page.get_by_role("button", name="Filter").click()
    listed = page.get_by_role("list", name="Your notifications")
    listed.get_by_text("Bob mentioned you").wait_for()
    assert "Offline mode is planned" not in listed.inner_text()
    page.screenshot(path=SCREENSHOTS / "notifications-list.png", full_page=True)

    page.get_by_role("link", name="Choose how each kind reaches you by email").click()
    page.get_by_role("heading", name="Notification settings").wait_for()
    page.get_by_label("Someone mentions you in a discussion").select_option("daily")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("1 kind of notification changed").wait_for()
    page.screenshot(path=SCREENSHOTS / "notifications-settings.png", full_page=True)
    assert notification_delivery(user=member_a, kind="mention") == "daily"

    # An email of another kind, and its unsubscribe link followed in a logged-out browser.
    mail.outbox.clear()
    status = notify(users=[member_a], kind="idea_status", title="Offline is piloting")
    notification_email_send(notification_id=status[0].pk)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    link = link.replace("http://127.0.0.1:8000", live_server.url)
    page.context.clear_cookies()
    page.goto(link)
    page.get_by_role("heading", name="Stop these emails?").wait_for()
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    page.screenshot(path=SCREENSHOTS / "notifications-unsubscribed.png", full_page=True)

    assert notification_delivery(user=member_a, kind="idea_status") == "off"
    assert notification_delivery(user=member_a, kind="mention") == "daily"
    assert problems == []
