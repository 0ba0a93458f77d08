"""Real clicks in Debian's Chromium: a product manager reads a pilot's results, the charts draw
under the strict CSP, and the split selector swaps the results in with htmx.

Screenshots go to var/screenshots/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import Segment
from ideas.models import Enrolment, PilotState
from tests.accounts.factories import PASSWORD, AccountFactory, customer
from tests.ideas.factories import PilotFactory, feedback_response

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_product_manager_reads_the_results_charts_and_splits_them(
    page, live_server, product_manager
):
    accounts = [
        AccountFactory(name="Initech", segment=Segment.ENTERPRISE),
        AccountFactory(name="Hooli", segment=Segment.SMB),
    ]
    pilot = PilotFactory(accounts=accounts, state=PilotState.RUNNING, title="Offline sync")
    expectation, _, final = pilot.check_ins.order_by("position")
    for i in range(6):
        account = accounts[i % 2]
        enrolment = Enrolment.objects.create(
            pilot=pilot, user=customer(account, first_name=f"M{i}"), account=account
        )
        feedback_response(enrolment, expectation, expected={"useful": 4 + i % 3, "speed": 5})
        feedback_response(
            enrolment,
            final,
            experienced={"useful": 3 + i % 5, "speed": 6},
            sacrifice={"useful": i % 3, "speed": 1},
            job_done="Yes",
            adopt=5 + i,
            recommend=4 + i,
            better=f"Comment {i}",
        )
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/pilots/{pilot.pk}/results/")
    page.get_by_label("Email").fill(product_manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("heading", name="Results: Offline sync").wait_for()
    page.wait_for_function("() => window.Chart && document.querySelectorAll('canvas').length")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-results-chart]')]"
        ".map((c) => Boolean(window.Chart.getChart(c)))"
    )
    assert drawn == [True, True]  # expected vs experienced, and the NPS distribution
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "pilot-results.png", full_page=True)

    page.get_by_label("Show").select_option("segment")
    page.get_by_role("heading", name="Small business").wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-results-chart]')]"
        ".every((c) => window.Chart.getChart(c))"
    )
    assert page.locator("canvas[data-results-chart]").count() == 6  # all, enterprise, SMB
    assert "split=segment" in page.url
    page.screenshot(path=SCREENSHOTS / "pilot-results-by-segment.png", full_page=True)
    assert problems == []  # no CSP violation or script error in the console
