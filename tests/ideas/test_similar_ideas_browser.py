"""Real clicks in Debian's Chromium: a customer starts typing an idea that exists, is offered
it while typing (htmx), and votes for it instead. Screenshot: var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideas.models import Vote
from tests.accounts.factories import PASSWORD
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_customer_typing_an_existing_idea_is_offered_it_and_votes_instead(
    page, live_server, member_a, member_b
):
    garden = GardenFactory(name="Field work", slug="field-work")
    existing = IdeaFactory(
        garden=garden,
        author=member_b,
        title="Offline mode with automatic sync for the mobile app",
        job_to_be_done="Record inspections in basements where there is no network.",
    )
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(member_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    page.goto(f"{live_server.url}/ideas/new/")
    page.get_by_label("Title").press_sequentially("Work offline on mobile, sync later")
    page.get_by_role("heading", name="Ideas like yours").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "idea-similar-offered.png", full_page=True)

    page.get_by_role("button", name="Vote for this instead").first.click()
    page.wait_for_url(f"**/ideas/{existing.pk}/#idea-actions")
    page.get_by_role("button", name="Vote for this idea").click()
    page.get_by_role("button", name="Take my vote back").wait_for()
    assert Vote.objects.filter(idea=existing, user=member_a).count() == 1
    assert problems == []
