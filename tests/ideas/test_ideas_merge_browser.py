"""Real clicks in Debian's Chromium: a product manager merges a duplicate with the search
picker — types part of the original's title, picks it from the list htmx brings, says why and
merges — under the strict CSP.

Screenshots go to var/screenshots/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideas.models import Idea, IdeaStatus
from tests.accounts.factories import PASSWORD
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_product_manager_types_picks_and_merges(page, live_server, product_manager):
    garden = GardenFactory(name="Field work")
    original = IdeaFactory(garden=garden, title="Offline inspections")
    IdeaFactory(garden=garden, title="Dark mode for the dashboard")
    duplicate = IdeaFactory(garden=garden, title="Work without network in cellars")
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/ideas/{duplicate.pk}/")
    page.get_by_label("Email").fill(product_manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Merge this duplicate into another idea").wait_for()

    merge = page.get_by_role("region", name="Merge this duplicate into another idea")
    merge.get_by_label("Find the original").press_sequentially("inspect")
    page.wait_for_function(
        "() => document.querySelectorAll('#merge-targets input[type=radio]').length === 1"
    )
    merge.get_by_role("radio", name="Offline inspections").check()
    merge.get_by_label("Why").fill("The same need, said twice.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "idea-merge-picker.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())  # "Merge …? Its votes … move there."
    merge.get_by_role("button", name="Merge", exact=True).click()

    page.get_by_role("heading", name="Offline inspections").wait_for()
    assert page.url.endswith(f"/ideas/{original.pk}/")
    assert page.get_by_text("Merged into “Offline inspections”.").is_visible()
    duplicate = Idea.objects.get(pk=duplicate.pk)
    assert (duplicate.status, duplicate.merged_into_id) == (IdeaStatus.MERGED, original.pk)
    assert problems == []  # no CSP violation or script error in the console
