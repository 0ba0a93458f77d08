"""Real clicks in Chromium: a steward writes a harvest for a segment and publishes it; a member
of a Dormant account outside the garden sees it recommended on their home with an invitation
to join, and reads it; the steward sees the read on the reach page, chart drawn (no CSP
violation, no script error). Screenshots go to var/screenshots/harvests-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import InternalRole
from community.models import HarvestRead
from tests.accounts.factories import PASSWORD, internal
from tests.community.factories import EngagementSnapshotFactory, GardenFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _log_in(page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.django_db(transaction=True)
def test_a_harvest_travels_from_a_steward_to_a_dormant_account_and_back(
    page, live_server, member_b
):
    steward = internal(InternalRole.CUSTOMER_SUCCESS_MANAGER, email="sam@garden.example")
    garden = GardenFactory(name="Field service on the move", slug="field-service")
    garden.stewards.add(steward)
    EngagementSnapshotFactory(account=member_b.membership.account, level="dormant", score=3)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The steward writes the harvest for the mid-market segment and publishes it.
    _log_in(page, live_server, steward)
    page.goto(f"{live_server.url}/harvests/new/")
    page.get_by_label("Title").fill("Offline sync: the pilot's results")
    page.get_by_label("Summary").fill("Fewer lost forms, and field teams trust the app again.")
    page.get_by_label("Body").fill("| | before | after |\n|---|---|---|\n| lost forms | 14 | 1 |")
    page.get_by_label("Result").check()
    page.locator("#id_garden").select_option(label="Field service on the move")
    page.get_by_label("Customer segments").check()
    page.get_by_label("Mid-market").check()
    page.screenshot(path=SCREENSHOTS / "harvests-write.png", full_page=True)
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Publish to customer segments").click()
    page.get_by_text("Published: the accounts it is aimed at are told.").wait_for()

    # A member of a Dormant account (not in the garden) finds it recommended, and reads it.
    _log_in(page, live_server, member_b)
    recommended = page.get_by_role("region", name="Recommended for you")
    recommended.wait_for()
    assert "Offline sync: the pilot's results" in recommended.inner_text()
    join = recommended.get_by_role("button", name="Join the garden “Field service on the move”")
    assert join.get_attribute("href") == "/gardens/field-service/"
    page.screenshot(path=SCREENSHOTS / "harvests-recommended.png", full_page=True)
    recommended.get_by_role("link", name="Offline sync: the pilot's results").click()
    page.get_by_role("heading", name="Offline sync: the pilot's results").wait_for()
    assert page.get_by_role("table").is_visible()  # the Markdown table, rendered
    page.screenshot(path=SCREENSHOTS / "harvests-read.png", full_page=True)
    assert HarvestRead.objects.filter(user=member_b).count() == 1

    # The steward sees how far it travelled: one account, Dormant when it read, outside.
    _log_in(page, live_server, steward)
    page.goto(f"{live_server.url}/harvests/")
    page.get_by_role("link", name="Read by 1 account").click()
    page.get_by_role(
        "heading", name="How far “Offline sync: the pilot's results” travelled"
    ).wait_for()
    page.wait_for_function(
        "() => window.Chart"
        " && window.Chart.getChart(document.getElementById('harvest-reach-chart'))"
    )
    assert page.locator("#reach-accounts").inner_text() == "1"
    assert "Dormant" in page.get_by_role("table").nth(1).inner_text()
    page.screenshot(path=SCREENSHOTS / "harvests-reach.png", full_page=True)
    assert problems == []
