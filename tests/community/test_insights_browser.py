"""Real clicks in Chromium: a product manager opens Insights from the navigation, reads the
outcome-rates chart (drawn, no CSP violation or script error), switches it to another outcome,
and finds the pilot perception section loaded by htmx. Screenshots go to var/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from community.models import EngagementLevel, OutcomeKind
from community.services.outcomes import outcome_record
from ideas.models import Enrolment, PilotState
from tests.accounts.factories import PASSWORD, AccountFactory, customer
from tests.community.factories import EngagementSnapshotFactory
from tests.frame_nav import nav_click
from tests.ideas.factories import PilotFactory, feedback_response

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _day(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


@pytest.mark.django_db(transaction=True)
def test_a_product_manager_reads_outcome_rates_and_pilot_perception(
    page, live_server, product_manager
):
    L, K = EngagementLevel, OutcomeKind
    plan = [
        (L.OBSERVING, [K.CHURNED, K.RENEWED, K.CONTRACTED]),
        (L.PARTICIPATING, [K.RENEWED] * 4 + [K.CHURNED]),
        (L.CONTRIBUTING, [K.RENEWED] * 3 + [K.EXPANDED] * 3),
    ]
    accounts = []
    for level, kinds in plan:
        for kind in kinds:
            account = AccountFactory()
            accounts.append(account)
            EngagementSnapshotFactory(account=account, day=_day(200), level=level)
            amount = 2000 if kind in (OutcomeKind.EXPANDED, OutcomeKind.CONTRACTED) else None
            outcome_record(
                account=account, kind=kind, occurred_on=_day(40), amount=amount, recorded_by=None
            )
    pilot = PilotFactory(
        title="Set-up wizard",
        accounts=accounts[:2],
        state=PilotState.CLOSED,
        recruiting_opens=_day(120),
        runs_from=_day(100),
        runs_until=_day(60),
    )
    expectation, _, final = pilot.check_ins.order_by("position")
    for n, account in enumerate(accounts[:2]):
        member = Enrolment.objects.create(pilot=pilot, user=customer(account), account=account)
        feedback_response(member, expectation, expected={"useful": 5, "usable": 5})
        feedback_response(member, final, experienced={"useful": 4 + n, "usable": 6}, recommend=8)

    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(product_manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    nav_click(page, "Insights")
    page.get_by_role("heading", name="Insights: engagement and loyalty").wait_for()
    chart = "window.Chart && window.Chart.getChart(document.getElementById('insights-chart'))"
    page.wait_for_function(f"() => {chart}")
    assert page.evaluate(f"{chart}.data.datasets[0].label") == "Renewed: rate"
    page.locator("#id_chart").select_option("expanded")
    assert page.evaluate(f"{chart}.data.datasets[0].label") == "Expanded: rate"
    assert page.evaluate(f"{chart}.data.datasets[0].data") == [None, 0, 0, 50, None]
    # Each level's point in its badge's colour (garden.css), as on the badges beside it.
    badge = "getComputedStyle(document.body).getPropertyValue('--garden-level-{}').trim()"
    colours = [page.evaluate(badge.format(key)) for key in ("dormant", "co_creating")]
    points = page.evaluate(f"{chart}.data.datasets[0].borderColor")
    assert (points[0], points[-1]) == tuple(colours) and colours[0] != colours[1]

    groups = page.locator("#perception-groups")
    groups.wait_for()
    assert "Renewed or expanded next" in groups.inner_text()
    assert "few accounts: read with care" in groups.inner_text()
    assert "(1 of 3)" in page.locator("#outcome-rates").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "insights.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_function(f"() => {chart}")
    page.locator("#perception-groups").wait_for()
    page.screenshot(path=SCREENSHOTS / "insights-phone.png", full_page=True)
    assert problems == []
