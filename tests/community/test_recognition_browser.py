"""Real clicks in Chromium: a customer earns badges (the scheduled award run), finds the
badge notifications under the bell, opens their own profile from the account menu and sees
their badges, contributions and their account's "garden partner" mark.
Screenshot: var/screenshots/recognition-profile.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from community.models import ActivityEvent, ActivityKind
from community.services.recognition import milestones_award
from tests.accounts.factories import PASSWORD
from tests.community.factories import EngagementSnapshotFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_customer_opens_their_profile_and_sees_their_badges(
    page, live_server, member_a, account_a
):
    idea = {"object_type": "ideas.idea", "object_id": "5"}  # as ideas records them
    for kind, days_ago, about in [
        (ActivityKind.IDEA_PROPOSED, 12, idea),
        (ActivityKind.VOTE, 10, idea),
        (ActivityKind.EXPECTATION_GIVEN, 9, {"pilot_ref": 3}),
        (ActivityKind.FEEDBACK_GIVEN, 2, {"pilot_ref": 3}),
    ]:
        ActivityEvent.objects.create(
            account=account_a,
            user=member_a,
            kind=kind,
            occurred_at=timezone.now() - dt.timedelta(days=days_ago),
            **about,
        )
    EngagementSnapshotFactory(account=account_a, level="co_creating", score=74)
    milestones_award()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))

    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(member_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Notifications, 4 unread").click()
    page.get_by_text("You earned a badge: First pilot seen through").first.wait_for()

    page.get_by_text(member_a.get_short_name(), exact=True).click()  # the account menu
    page.get_by_role("link", name="Contributions and badges").click()
    page.get_by_role("heading", name="Your contributions").wait_for()
    badges = page.locator("#badges")
    for badge in ["First idea", "First vote", "First pilot feedback", "First pilot seen through"]:
        assert badges.get_by_text(badge, exact=True).is_visible()
    assert page.get_by_text("Garden partner").is_visible()
    assert "Pilot feedback given" in page.get_by_role("table").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "recognition-profile.png", full_page=True)
    assert problems == []
