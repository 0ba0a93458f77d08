"""Real clicks in Chromium: an account manager records an incident from an account's engagement
page and reads, in its robustness section, how far the score fell after it and how soon it was
back. Screenshot: var/screenshots/account-robustness.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from community.models import BadTime, EngagementSnapshot
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_an_account_manager_records_an_incident_and_reads_the_recovery(
    page, live_server, account_manager_a, account_a
):
    today = timezone.localdate()
    incident = today - dt.timedelta(days=30)
    start = incident - dt.timedelta(days=30)
    scores = [55.0] * 30 + [45.0] * 8 + [55.0] * 22  # a dip of 10 points, back after 8 days
    EngagementSnapshot.objects.bulk_create(
        EngagementSnapshot(
            account=account_a,
            day=start + dt.timedelta(days=n),
            score=score,
            level="contributing",
            level_since=start,
            activity=0.6,
            breadth=0.5,
            co_creation=0.4,
            model_version=1,
        )
        for n, score in enumerate(scores)
    )
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(account_manager_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/accounts/acme/engagement/")

    page.locator("#robustness").get_by_role("button", name="Record an incident").click()
    page.get_by_role("heading", name="Record an incident").wait_for()
    page.get_by_label("Date").fill(incident.isoformat())
    page.get_by_label("Reference").fill("INC-501")
    page.get_by_label("Note").fill("Reporting module down for two days.")
    page.get_by_role("button", name="Record incident").click()

    page.get_by_role("heading", name="Robustness after bad times").wait_for()
    assert "Incident recorded for Acme Industrial." in page.content()
    row = page.locator("#robustness-table tbody tr")
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[1].startswith("Incident") and "Reporting module down" in cells[1]
    assert cells[2:6] == ["Contributing", "55.0", "10.0", "8 days"]
    page.locator("#robustness").scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "account-robustness.png", full_page=True)
    assert BadTime.objects.get().reference == "INC-501"
    assert problems == []
