"""Real clicks in Chromium: an account manager records a reference call with a note from an
account's engagement page and finds it in the customer timeline, with the support events of
the account beside it. Screenshots go to var/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from community.models import ActivityEvent, ActivityKind, OfflineEvent
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_an_account_manager_records_a_reference_call_with_a_note(
    page, live_server, account_manager_a, account_a, member_a, product_manager
):
    ActivityEvent.objects.create(
        account=account_a, user=product_manager, kind=ActivityKind.LOOP_CLOSED, is_support=True
    )
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(account_manager_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/accounts/acme/engagement/")

    page.get_by_role("link", name="Record an offline event").click()
    page.get_by_role("heading", name="Record an offline event").wait_for()
    page.get_by_label("Kind").select_option(label="Reference call")
    day = timezone.localdate() - dt.timedelta(days=2)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Note").fill("Spoke to a logistics prospect about the onboarding pilot.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "offline-event-form.png", full_page=True)
    page.get_by_role("button", name="Record event").click()

    page.get_by_role("heading", name="Engagement: Acme Industrial").wait_for()
    assert "Reference call recorded for Acme Industrial." in page.content()
    timeline = page.locator("#customer-activity")
    assert "Reference call (offline, recorded by Carol" in timeline.inner_text()
    assert "Spoke to a logistics prospect" in timeline.inner_text()
    support = page.locator("#support-activity")
    assert "Closed the loop (“you said, we did”) by Pat" in support.inner_text()
    page.screenshot(path=SCREENSHOTS / "offline-event-timeline.png", full_page=True)
    record = OfflineEvent.objects.get()
    assert (record.occurred_on, record.recorded_by) == (day, account_manager_a)
    assert problems == []
