"""Real clicks in Debian's Chromium: a customer finds a garden's ideas (loaded by htmx),
proposes one, and a colleague votes for it without a page reload; a product manager sees it on
the board. Screenshots go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideas.models import Idea, Vote
from tests.accounts.factories import PASSWORD
from tests.community.factories import GardenFactory
from tests.frame_nav import nav_click

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _log_in(page, live_server, email: str) -> None:
    """Log in as `email` on the same page (the previous person's session cookie is dropped)."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.mark.django_db(transaction=True)
def test_a_customer_proposes_an_idea_a_colleague_votes_and_the_pm_sees_it(
    page, live_server, member_a, admin_a, product_manager
):
    GardenFactory(name="Field work", slug="field-work")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    alice = anna = pat = page

    _log_in(alice, live_server, member_a.email)
    alice.goto(f"{live_server.url}/gardens/field-work/")
    alice.get_by_role("button", name="Join this garden").click()  # its ideas are for members
    # The page the join redirects to (a click on the page before it would be lost to it).
    alice.get_by_role("button", name="Leave this garden").wait_for()
    alice.get_by_text("No ideas yet.").wait_for()  # the fragment, loaded by htmx
    alice.get_by_role("button", name="Propose an idea").click()
    alice.get_by_label("Title").fill("Offline inspections")
    alice.get_by_label("Job to be done").fill("Inspect in basements without network.")
    alice.get_by_label("Proposal").fill("Queue the work offline and sync later.")
    alice.get_by_label("Links").fill("https://example.com/spec")
    alice.get_by_role("button", name="Propose").click()
    alice.get_by_role("heading", name="Offline inspections").wait_for()
    alice.screenshot(path=SCREENSHOTS / "idea-proposed.png", full_page=True)
    idea = Idea.objects.get()

    _log_in(anna, live_server, admin_a.email)
    anna.goto(f"{live_server.url}/ideas/{idea.pk}/")
    anna.get_by_role("button", name="Vote for this idea").click()
    anna.get_by_role("button", name="Take my vote back").wait_for()  # swapped in by htmx
    assert "1 person from" in anna.locator("#idea-actions").inner_text()
    assert Vote.objects.filter(idea=idea, user=admin_a).exists()
    anna.screenshot(path=SCREENSHOTS / "idea-voted.png", full_page=True)

    _log_in(pat, live_server, product_manager.email)
    nav_click(pat, "Board")
    pat.get_by_role("heading", name="Idea pipeline").wait_for()
    assert pat.locator('[data-column="proposed"]').get_by_text("Offline inspections").is_visible()
    pat.screenshot(path=SCREENSHOTS / "idea-board.png", full_page=True)
    assert problems == []  # no CSP violation or script error in any console
