"""Real clicks in Chromium: a programme admin creates an invite-only garden and invites acme;
acme's admin accepts for the account; acme's member joins; globex's member gets 404.
Screenshots go to var/screenshots/gardens-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from community.models import Garden, GardenAccount, GardenAccountStatus, GardenMembership
from tests.accounts.factories import PASSWORD
from tests.frame_nav import nav_click

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _log_in(browser, live_server, user):
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page, problems


@pytest.mark.django_db(transaction=True)
def test_an_invite_only_garden_from_creation_to_a_member_joining(
    browser, live_server, programme_admin, product_manager, admin_a, member_a, member_b
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The programme admin creates the garden …
    page, problems = _log_in(browser, live_server, programme_admin)
    nav_click(page, "Gardens")
    page.screenshot(path=SCREENSHOTS / "gardens-list-admin.png", full_page=True)
    page.get_by_role("button", name="New garden").click()
    page.get_by_label("Name", exact=True).fill("Pricing experiments")
    page.locator("#id_theme").select_option("cost_and_revenue")
    page.get_by_label("Charter", exact=True).fill("Under NDA. **Stewards** decide monthly.")
    page.get_by_label("Invite-only").check()
    page.get_by_label(product_manager.email, exact=False).check()
    page.screenshot(path=SCREENSHOTS / "gardens-new.png", full_page=True)
    page.get_by_role("button", name="Create the garden").click()
    page.get_by_role("heading", name="Pricing experiments", level=1).wait_for()
    garden = Garden.objects.get(slug="pricing-experiments")
    assert list(garden.stewards.all()) == [product_manager]

    # … and invites Acme.
    page.get_by_role("link", name="Invited accounts").click()
    page.get_by_role("textbox", name="Account").fill("acme")
    page.get_by_role("button", name="Invite the account").click()
    page.get_by_text("Acme Industrial is invited").wait_for()
    page.screenshot(path=SCREENSHOTS / "gardens-invitations.png", full_page=True)
    assert problems == []

    # Acme's admin follows the notification and accepts for the account.
    page, problems = _log_in(browser, live_server, admin_a)
    page.get_by_role("link", name="Notifications").click()
    page.get_by_text("Your account is invited to the garden").first.click()
    page.get_by_role("heading", name="Your account is invited to Pricing experiments").wait_for()
    page.screenshot(path=SCREENSHOTS / "gardens-invitation.png", full_page=True)
    page.get_by_role("button", name="Accept for Acme Industrial").click()
    page.get_by_role("heading", name="Pricing experiments", level=1).wait_for()
    assert GardenAccount.objects.get().status == GardenAccountStatus.ACCEPTED

    # Acme's member finds the garden and joins.
    page, problems = _log_in(browser, live_server, member_a)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gardens").click()
    page.get_by_role("link", name="Pricing experiments").click()
    page.get_by_role("button", name="Join this garden").click()
    page.get_by_role("heading", name="Who takes part").wait_for()
    page.get_by_role("heading", name="Open pilots").wait_for()  # the htmx fragments load
    page.wait_for_function(
        "() => window.Chart"
        " && window.Chart.getChart(document.getElementById('garden-activity-chart'))"
    )
    page.screenshot(path=SCREENSHOTS / "gardens-home-member.png", full_page=True)
    labels = page.evaluate(
        "window.Chart.getChart(document.getElementById('garden-activity-chart')).data.labels"
    )
    assert labels and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", label) for label in labels)
    assert GardenMembership.objects.filter(user=member_a, garden=garden).exists()
    assert problems == []

    # Globex's member does not know it exists.
    page, problems = _log_in(browser, live_server, member_b)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gardens").click()
    assert "Pricing experiments" not in page.content()
    response = page.goto(f"{live_server.url}/gardens/pricing-experiments/")
    assert response.status == 404
    page.screenshot(path=SCREENSHOTS / "gardens-outsider-404.png", full_page=True)
