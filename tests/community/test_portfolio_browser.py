"""Real clicks in Chromium: an account manager opens the portfolio from their home, reads the
trend of their account and opens its engagement page, where the chart is drawn (no CSP
violation, no script error). Screenshots go to var/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from community.models import ActivityEvent, ActivityKind, Alert, AlertReason
from tests.accounts.factories import PASSWORD
from tests.community.factories import EngagementSnapshotFactory
from tests.frame_nav import nav_click

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_an_account_manager_goes_from_the_portfolio_to_an_accounts_engagement(
    page, live_server, account_manager_a, account_a, account_b, member_a
):
    today = timezone.localdate()
    for days_ago in range(0, 181, 5):
        score = 20 + (180 - days_ago) / 10
        EngagementSnapshotFactory(
            account=account_a,
            day=today - dt.timedelta(days=days_ago),
            score=round(score, 1),
            level="observing" if score < 30 else "participating",
        )
    ActivityEvent.objects.create(account=account_a, user=member_a, kind=ActivityKind.VOTE)
    alert = Alert.objects.create(
        account=account_a,
        reason=AlertReason.SCORE_FELL,
        details={"points": 16, "days": 30, "peak_score": 54.0, "score": 38.0},
    )
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(account_manager_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("button", name="Open your portfolio").click()
    page.get_by_role("heading", name="Portfolio").wait_for()
    table = page.get_by_role("table")
    assert table.get_by_role("link", name="Acme Industrial").is_visible()
    assert "Globex" not in table.inner_text()
    assert "up 9 points in 90 days" in table.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "portfolio.png", full_page=True)

    table.get_by_role("link", name="Acme Industrial").click()
    page.get_by_role("heading", name="Engagement: Acme Industrial").wait_for()
    page.wait_for_function(
        "() => window.Chart && window.Chart.getChart(document.getElementById('engagement-chart'))"
    )
    page.screenshot(path=SCREENSHOTS / "account-engagement.png", full_page=True)
    assert "Why this level" in page.content()
    # The thresholds are drawn in their levels' colours, the badges' (garden.css).
    thresholds = page.evaluate(
        "window.Chart.getChart(document.getElementById('engagement-chart'))"
        ".data.datasets.slice(1).map((d) => d.borderColor)"
    )
    level = "getComputedStyle(document.documentElement).getPropertyValue('--garden-level-{}')"
    assert thresholds[-1] == page.evaluate(level.format("co_creating") + ".trim()")
    assert len(set(thresholds)) == len(thresholds)

    # The alert raised for Acme waits in the inbox: acknowledge it, then resolve it with a note.
    nav_click(page, "Alerts 1 open")  # in the Accounts menu
    page.get_by_role("heading", name="Alerts").wait_for()
    row = page.locator(f"#alert-{alert.pk}")
    assert "Acme Industrial" in row.inner_text()
    page.screenshot(path=SCREENSHOTS / "alerts-inbox.png", full_page=True)
    row.get_by_role("button", name="Acknowledge").click()
    page.locator(f"#alert-{alert.pk}").get_by_text("Acknowledged by").wait_for()
    page.locator(f"#alert-{alert.pk}").get_by_role("link", name="Resolve…").click()
    page.get_by_role("textbox").fill("Called their ops lead; a workshop is booked.")
    page.get_by_role("button", name="Resolve").click()
    page.get_by_role("heading", name="Alerts").wait_for()
    assert page.locator('nav[aria-label=Main] a[href="/alerts/"] .nav-count').count() == 0
    alert.refresh_from_db()
    assert alert.resolved_by == account_manager_a
    assert alert.resolution_note == "Called their ops lead; a workshop is booked."
    page.screenshot(path=SCREENSHOTS / "alerts-resolved.png", full_page=True)
    assert problems == []
