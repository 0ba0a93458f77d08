"""Real clicks in Chromium: a product manager opens Insights from the navigation and reads
"Loyalty over time by engagement", which the page loads with htmx: the churn and expansion
step curves drawn per level (no CSP violation or script error), the hazard ratio against
Dormant, "too few to say" where it is. Screenshot: var/screenshots/insights-loyalty.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Account
from community.models import EngagementLevel, OutcomeKind
from community.services.outcomes import outcome_record
from tests.accounts.factories import PASSWORD, AccountFactory
from tests.community.factories import EngagementSnapshotFactory
from tests.frame_nav import nav_click

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"
L, K = EngagementLevel, OutcomeKind


def _day(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def _accounts(level: str, count: int, *, churned=(), expanded=()) -> None:
    """`count` accounts at `level` since before the default period (the last year); the first
    ones churned (expanded) the given numbers of days ago."""
    for n in range(count):
        account = AccountFactory()
        EngagementSnapshotFactory(account=account, day=_day(400), level=level)
        if n < len(churned):
            outcome_record(
                account=account, kind=K.CHURNED, occurred_on=_day(churned[n]), recorded_by=None
            )
        if n < len(expanded):
            outcome_record(
                account=account,
                kind=K.EXPANDED,
                occurred_on=_day(expanded[n]),
                amount=5000,
                recorded_by=None,
            )


def _logged_in(page, live_server, user) -> list[str]:
    """Log `user` in through the form; the script errors the console reports from then on."""
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return problems


@pytest.mark.django_db(transaction=True)
def test_a_product_manager_reads_loyalty_over_time_by_level(page, live_server, product_manager):
    _accounts(L.DORMANT, 12, churned=(330, 300, 260, 200, 150, 90))
    _accounts(L.PARTICIPATING, 12, churned=(280, 120, 40), expanded=(310, 200))
    _accounts(L.CO_CREATING, 12, expanded=(340, 300, 250, 180, 100))
    _accounts(L.CONTRIBUTING, 2)  # too few to say

    problems = _logged_in(page, live_server, product_manager)

    nav_click(page, "Insights")
    section = page.locator("section[aria-labelledby=loyalty-h]")
    section.get_by_role("heading", name="Time to churn").wait_for()
    chart = "window.Chart && window.Chart.getChart(document.getElementById('{}'))"
    churn, growth = chart.format("loyalty-chart-churned"), chart.format("loyalty-chart-expanded")
    page.wait_for_function(f"() => {churn} && {growth}")

    labels = page.evaluate(f"{churn}.data.datasets.map((d) => d.label)")
    assert labels == ["Dormant", "Participating", "Co-creating"]  # Contributing: too few
    dormant = page.evaluate(f"{churn}.data.datasets[0].data")
    assert dormant[0] == {"x": 0, "y": 100}
    assert dormant[-1]["y"] == 50  # 6 of 12 churned, one after another
    assert page.evaluate(f"{churn}.data.datasets[0].stepped") == "before"
    table = section.locator("#loyalty-churned")
    participating = table.locator("tr[data-level=participating] td[data-hazard]").inner_text()
    assert participating.startswith("0.") and "95%:" in participating  # under Dormant's
    assert "1 (reference)" in table.locator("tr[data-level=dormant]").inner_text()
    assert "too few to say" in table.locator("tr[data-level=contributing]").inner_text()
    assert "against Dormant" in section.inner_text()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.scroll_into_view_if_needed()
    section.screenshot(path=SCREENSHOTS / "insights-loyalty.png")
    assert problems == []


@pytest.mark.django_db(transaction=True)
def test_an_account_manager_reads_the_company_curves_beside_their_own_few_accounts(
    page, live_server, account_manager_a
):
    """Their portfolio (one account) draws no curve; the company's block draws Dormant's and
    Participating's, and the page names none of those accounts."""
    _accounts(L.DORMANT, 12, churned=(330, 300, 260, 200, 150, 90))
    _accounts(L.PARTICIPATING, 12, churned=(280, 120, 40))
    acme = Account.objects.get(slug="acme")  # theirs
    EngagementSnapshotFactory(account=acme, day=_day(400), level=L.DORMANT)

    problems = _logged_in(page, live_server, account_manager_a)

    nav_click(page, "Insights")
    section = page.locator("section[aria-labelledby=loyalty-h]")
    section.get_by_role("heading", name="All accounts of the company, for context").wait_for()
    company = "window.Chart && window.Chart.getChart(document.getElementById('{}'))".format(
        "loyalty-chart-churned-company"
    )
    page.wait_for_function(f"() => {company}")

    labels = page.evaluate(f"{company}.data.datasets.map((d) => d.label)")
    assert labels == ["Dormant", "Participating"]
    mine = section.locator("section[data-scope=visible]")  # too few of their own: no chart
    assert "Too few to say at every level — 1 account observed" in mine.inner_text()
    assert mine.locator("canvas").count() == 0
    mine.get_by_text("The tables of counts").click()
    assert "too few to say" in mine.locator("#loyalty-churned").inner_text()
    hazard = section.locator(
        "#loyalty-churned-company tr[data-level=participating] td[data-hazard]"
    )
    assert "95%:" in hazard.inner_text()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.scroll_into_view_if_needed()
    section.screenshot(path=SCREENSHOTS / "insights-loyalty-account-manager.png")
    assert problems == []
