"""Real clicks in Debian's Chromium: the whole co-testing loop, from an idea to the decision on
its pilot, as its people live it.

A customer member proposes an idea and votes for a planned one; a product manager turns the
planned idea into a pilot, invites the member's account and opens recruiting; the account's
admin accepts the agreement; the member enrols and says what they expect; the product manager
starts the pilot; the member answers an experience check-in; the product manager reads the
results (charts, the n-too-small warning), exports the CSV, closes the pilot and records the
decision; the member is told, and reads the outcome on the pilot and idea pages.

Each person has their own browser context (their own session), as three people would. Only the
starting point is made with factories: an open garden, account A's admin and member, a product
manager and a planned idea. A screenshot of each step goes to var/screenshots/journey-*.png.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from ideas.models import (
    AgreementAcceptance,
    Enrolment,
    FeedbackResponse,
    Idea,
    IdeaStatus,
    Pilot,
    PilotDecision,
    PilotInvitation,
    PilotState,
    ResponseStatus,
    Vote,
)
from tests.accounts.factories import PASSWORD
from tests.community.factories import GardenFactory
from tests.frame_nav import nav_click
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"

EXPECTED = {"Useful": 6, "Usable": 5, "Delightful": 4, "Speed": 6, "Trust": 7}
EXPERIENCED = {"Useful": 5, "Usable": 6, "Delightful": 4, "Speed": 3, "Trust": 6}
SACRIFICE = {"Useful": 1, "Usable": 0, "Delightful": 2, "Speed": 3, "Trust": 1}


class _Journey:
    """The people of the journey, each in their own browser context, and what went wrong in any
    of their consoles (script errors and CSP violations are console errors in Chromium)."""

    def __init__(self, new_context, live_server):
        self.new_context = new_context
        self.url = live_server.url
        self.problems: list[str] = []
        self.step = 0

    def log_in(self, email: str):
        page = self.new_context().new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda msg: msg.type == "error" and self.problems.append(msg.text))
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.goto(f"{self.url}/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    def screenshot(self, page, name: str) -> None:
        self.step += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"journey-{self.step:02d}-{name}.png", full_page=True)


def _rate(page, question: str, ratings: dict[str, int]) -> None:
    """Tick one rating per dimension in the fieldset of `question`."""
    group = page.get_by_role("group", name=re.compile(re.escape(question)))
    for dimension, value in ratings.items():
        group.get_by_label(f"{dimension}: {value}", exact=True).check()


def _pick(page, question: str, value: str) -> None:
    page.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(
        value, exact=True
    ).check()


def _see_message(page, text: str) -> None:
    page.get_by_role("status").filter(has_text=text).first.wait_for()


@pytest.mark.django_db(transaction=True)
def test_the_co_testing_loop_from_idea_to_you_said_we_did(
    new_context, live_server, member_a, admin_a, product_manager
):
    garden = GardenFactory(name="Field work", slug="field-work")
    planned = IdeaFactory(
        garden=garden,
        title="Offline inspections",
        status=IdeaStatus.PLANNED,
        author=product_manager,
    )
    today = timezone.localdate()
    journey = _Journey(new_context, live_server)

    # a) The customer member proposes an idea in the garden and votes for the planned one.
    alice = journey.log_in(member_a.email)
    alice.get_by_role("navigation", name="Main").get_by_role("link", name="Gardens").click()
    alice.get_by_role("link", name="Field work").click()
    alice.get_by_role("button", name="Join this garden").click()  # its ideas are for members
    alice.get_by_role("link", name="Offline inspections").wait_for()  # the htmx fragment
    alice.get_by_role("button", name="Propose an idea").click()
    assert alice.get_by_label("Garden").input_value() == "field-work"  # chosen from the garden
    alice.get_by_label("Title").fill("Photo notes on inspections")
    alice.get_by_label("Job to be done").fill("When I find a defect, I want to show it at once.")
    alice.get_by_label("Proposal").fill("Attach photos to a note, with the room they were taken.")
    alice.get_by_role("button", name="Propose").click()
    alice.get_by_role("heading", name="Photo notes on inspections").wait_for()
    proposed = Idea.objects.get(title="Photo notes on inspections")
    assert (proposed.garden, proposed.author, proposed.status) == (
        garden,
        member_a,
        IdeaStatus.PROPOSED,
    )
    journey.screenshot(alice, "idea-proposed")

    alice.get_by_role("navigation", name="breadcrumb").get_by_role(
        "link", name="Field work"
    ).click()
    alice.get_by_role("link", name="Offline inspections").click()
    alice.get_by_role("button", name="Vote for this idea").click()
    alice.get_by_role("button", name="Take my vote back").wait_for()  # swapped in by htmx
    assert "1 person from" in alice.locator("#idea-actions").inner_text()
    assert list(Vote.objects.filter(idea=planned).values_list("user", flat=True)) == [member_a.pk]
    journey.screenshot(alice, "voted")

    # b) The product manager makes a pilot of the planned idea, invites Acme, opens recruiting.
    pat = journey.log_in(product_manager.email)
    nav_click(pat, "Board")
    pat.locator('[data-column="planned"]').get_by_role("link", name="Offline inspections").click()
    pat.get_by_role("button", name="Create a pilot of this idea").click()
    pat.get_by_label("Title", exact=True).fill("Offline inspections, first wave")
    pat.get_by_label("Description", exact=True).fill(
        "Four weeks with the offline build of the mobile app."
    )
    pat.get_by_label("What to expect").fill("Inspections sync within a minute of reconnecting.")
    pat.get_by_label("Recruiting opens").fill(today.isoformat())
    pat.get_by_label("Runs from").fill(today.isoformat())
    pat.get_by_label("Runs until").fill((today + dt.timedelta(days=28)).isoformat())
    pat.get_by_label("Capacity (accounts)").fill("3")
    pat.get_by_label("Agreement text").fill("We keep what we see in the pilot confidential.")
    journey.screenshot(pat, "pilot-form")
    pat.get_by_role("button", name="Create the pilot").click()
    pat.get_by_role("heading", name="Offline inspections, first wave").wait_for()
    pilot = Pilot.objects.get()
    assert (pilot.idea, pilot.state, pilot.capacity, pilot.runs_from) == (
        planned,
        PilotState.DRAFT,
        3,
        today,
    )
    assert pilot.agreements.get().text == "We keep what we see in the pilot confidential."
    assert Idea.objects.get(pk=planned.pk).status == IdeaStatus.PILOTING

    pat.get_by_label("Invite eligible accounts").select_option("acme")
    pat.get_by_role("button", name="Invite", exact=True).click()
    _see_message(pat, "1 account invited.")
    assert list(PilotInvitation.objects.values_list("account", flat=True)) == [
        member_a.membership.account_id
    ]
    pat.get_by_role("button", name="Move to recruiting").click()
    _see_message(pat, "The pilot is now recruiting.")
    assert Pilot.objects.get().state == PilotState.RECRUITING
    journey.screenshot(pat, "pilot-recruiting")

    # c) The account admin is told of the invitation and accepts the agreement for Acme.
    anna = journey.log_in(admin_a.email)
    anna.locator("a.bell:visible").click()
    anna.get_by_role("button", name="Your account is invited to the pilot").click()
    anna.get_by_role("heading", name="Offline inspections, first wave").wait_for()
    # The admin reads the agreement before accepting it (it is open until accepted).
    assert anna.get_by_text("We keep what we see in the pilot confidential.").is_visible()
    journey.screenshot(anna, "agreement-to-accept")
    anna.get_by_role("button", name="Accept for Acme Industrial").click()
    _see_message(anna, "You accepted the agreement for Acme Industrial")
    assert AgreementAcceptance.objects.filter(
        agreement__pilot=pilot, account=admin_a.membership.account, accepted_by=admin_a
    ).exists()
    journey.screenshot(anna, "agreement-accepted")

    # d) The member enrols and says what they expect ...
    alice.locator("a.bell:visible").click()
    alice.get_by_role("button", name="Your account is invited to the pilot").click()
    alice.get_by_role("button", name="Enrol in this pilot").click()
    _see_message(alice, "You are enrolled.")
    assert Enrolment.objects.filter(pilot=pilot, user=member_a).count() == 1
    # enrolling leads straight on to the next step: the expectations form
    alice.get_by_role("heading", name="Your expectations").wait_for()
    _rate(alice, "What do you expect?", EXPECTED)
    journey.screenshot(alice, "expectations-form")
    alice.get_by_role("button", name="Submit").click()
    _see_message(alice, "Your answers are submitted.")
    expectation = FeedbackResponse.objects.get(enrolment__user=member_a)
    assert expectation.status == ResponseStatus.SUBMITTED
    assert expectation.answers.count() == len(EXPECTED)

    # ... the product manager starts the pilot ...
    pat.reload()
    pat.get_by_role("button", name="Move to running").click()
    _see_message(pat, "The pilot is now running.")
    assert Pilot.objects.get().state == PilotState.RUNNING
    journey.screenshot(pat, "pilot-running")

    # ... and the member answers the mid-pilot check-in.
    alice.locator("hgroup").get_by_role("link", name="Offline inspections, first wave").click()
    alice.get_by_role("link", name="Mid-pilot check-in").first.click()
    _rate(alice, "How was it?", EXPERIENCED)
    _rate(alice, "How far short of what you wanted exactly", SACRIFICE)
    _pick(alice, "Did it do the job?", "Partly")
    _pick(alice, "How likely are you to adopt it?", "8")
    _pick(alice, "How likely are you to recommend it", "9")
    alice.get_by_label("What could we have done better?").fill("Sync took long on a weak signal.")
    journey.screenshot(alice, "check-in-form")
    alice.get_by_role("button", name="Submit").click()
    _see_message(alice, "Your answers are submitted.")
    assert (
        FeedbackResponse.objects.filter(
            enrolment__user=member_a, status=ResponseStatus.SUBMITTED
        ).count()
        == 2
    )
    journey.screenshot(alice, "check-in-submitted")

    # e) The product manager reads the results, exports them, closes the pilot and decides.
    pat.get_by_role("button", name="Full results").click()
    pat.get_by_role("heading", name="Results: Offline inspections, first wave").wait_for()
    pat.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-results-chart]')]"
        ".every((c) => window.Chart && window.Chart.getChart(c))"
    )
    drawn = pat.locator("canvas[data-results-chart]")
    assert drawn.count() == 2  # expected vs experienced per dimension, and the NPS distribution
    assert all(box["height"] > 0 for box in (drawn.nth(i).bounding_box() for i in range(2)))
    summary = pat.get_by_role("region", name="Summary").inner_text()
    assert "1 / 1" in summary  # participants responded
    assert "100" in summary  # NPS: one promoter (9)
    assert pat.locator("#n-too-small").is_visible()
    speed = pat.locator("#group-overall tr[data-dimension='speed']")
    assert speed.locator("[data-figure='gap']").inner_text().startswith("-3.00")
    journey.screenshot(pat, "results")

    with pat.expect_download() as download_info:
        pat.get_by_role("button", name="Export all responses (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"pilot-{pilot.pk}-responses.csv"
    with open(download.path(), newline="", encoding="utf-8") as exported:
        header, *rows = list(csv.reader(exported))
    assert header[:5] == ["response id", "participant", "account", "segment", "check-in"]
    assert sorted(row[4] for row in rows) == ["Mid-pilot check-in", "Your expectations"]
    assert {row[2] for row in rows} == {"Acme Industrial"}

    pat.get_by_role("link", name="Pilot page").click()
    pat.once("dialog", lambda dialog: dialog.accept())  # "Close …? Participants are told."
    pat.get_by_role("button", name="Close the pilot").click()
    _see_message(pat, "The pilot is now awaiting decision.")
    pat.get_by_label("Iterate").check()
    pat.get_by_label("Outcome note").fill("You said sync was slow on weak signal: we batch it now.")
    journey.screenshot(pat, "decision-form")
    pat.get_by_role("button", name="Record the decision and tell everyone").click()
    _see_message(pat, "The decision is recorded")
    pilot.refresh_from_db()
    assert (pilot.state, pilot.decision, pilot.decided_by) == (
        PilotState.CLOSED,
        PilotDecision.ITERATE,
        product_manager,
    )
    assert Idea.objects.get(pk=planned.pk).status == IdeaStatus.ITERATE
    assert pat.get_by_role("button", name="Full results").is_visible()  # reachable after deciding
    journey.screenshot(pat, "decision-recorded")

    # f) The member is told, and reads the outcome on the pilot and idea pages.
    alice.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    bell = alice.locator("a.bell:visible")
    assert int(bell.locator(".bell-count").inner_text()) >= 1
    bell.click()
    alice.get_by_role("heading", name="Notifications").wait_for()
    journey.screenshot(alice, "notifications")
    alice.get_by_role("button", name="You said, we did: iterate").click()
    alice.get_by_role("heading", name="You said, we did: iterate").wait_for()
    assert "we batch it now" in alice.locator("section.outcome").inner_text()
    journey.screenshot(alice, "pilot-outcome")
    alice.get_by_role("link", name="Offline inspections").first.click()
    alice.get_by_role("heading", name="Offline inspections", exact=True).wait_for()
    assert alice.locator("#idea-status").inner_text() == "Iterate"
    assert "we batch it now" in alice.locator("blockquote.outcome").inner_text()
    journey.screenshot(alice, "idea-outcome")

    assert journey.problems == []  # no CSP violation or script error in any console
