"""Real clicks in Chromium: a member opens a page that is not for them (403) and one that does
not exist (404); each keeps the frame, says what happened, does not scroll sideways on a phone,
and its way back leads home. Screenshots go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["wide", "phone"])
def test_a_member_finds_the_way_back_from_403_and_404(page, live_server, member_a, width, height):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(member_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").wait_for()

    pages = {
        403: ("/ideas/board/", "You may not open this page"),
        404: ("/ideas/999999/", "We could not find this page"),
    }
    for status, (path, heading) in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == status
        page.get_by_role("heading", name=heading).wait_for()
        assert page.get_by_role("navigation", name="Main").is_visible()
        page.screenshot(path=SCREENSHOTS / f"error-{status}-{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"the {status} page scrolls sideways"
        page.get_by_role("link", name="Go to your home page").click()
        page.wait_for_url(f"{live_server.url}/")
    assert "product managers and programme admins" in _reason_of_403(page, live_server.url)


def _reason_of_403(page, base: str) -> str:
    page.goto(f"{base}/ideas/board/")
    return page.locator(".error-reason").inner_text()
