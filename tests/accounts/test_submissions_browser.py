"""Real clicks in Debian's Chromium: a double click on "Propose" sends the form once (the
submit button is disabled while it is on its way) and makes one idea; Back and "Propose" again
makes no second one (accounts/submissions.py, static/js/garden.js)."""

from __future__ import annotations

import pytest

from community.services.gardens import garden_join
from ideas.models import Idea
from tests.accounts.factories import PASSWORD
from tests.community.factories import GardenFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_double_click_and_back_and_submit_make_one_idea(page, live_server, member_a):
    garden_join(garden=GardenFactory(name="Field work", slug="field-work"), user=member_a)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    posts: list[str] = []
    page.on(
        "request",
        lambda r: (
            r.method == "POST"
            and r.url.endswith("/ideas/new/?garden=field-work")
            and posts.append(r.url)
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(member_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    page.goto(f"{live_server.url}/ideas/new/?garden=field-work")
    _fill_in(page)
    page.get_by_role("button", name="Propose").dblclick()
    page.get_by_role("heading", name="Offline inspections").wait_for()
    assert len(posts) == 1  # the second click sent nothing
    assert Idea.objects.count() == 1

    page.go_back()  # the form again, fetched anew (no page is kept): filled in as before
    _fill_in(page)
    page.get_by_role("button", name="Propose").click()
    page.get_by_text("Already saved.").wait_for()
    assert page.url == f"{live_server.url}/ideas/{Idea.objects.get().pk}/"
    assert len(posts) == 2 and Idea.objects.count() == 1
    assert problems == []  # no CSP violation or script error in any console


def _fill_in(page) -> None:
    page.get_by_label("Title").fill("Offline inspections")
    page.get_by_label("Job to be done").fill("Inspect in basements without network.")
    page.get_by_label("Proposal").fill("Queue the work offline and sync later.")
