"""The community's main journey — gardens, discussions, mentions, harvests, moderation — tried
on the demo as a new user would: `seed_demo` (small), then real clicks in Chromium. The demo's
customer member joins the open garden she has not joined yet, starts a thread and mentions her
account's admin; he answers and mentions her back, and she finds it under the bell; she reads a
harvest; a member of a Dormant account finds a harvest recommended with an invitation to join
its garden; a steward hides a post. No script error, no CSP violation. Screenshots go to
var/screenshots/demo-community-*.png."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import MemberRole, Membership, User
from community.models import ActivityEvent, ActivityKind, Garden, HarvestRead, Post
from demo.data.gardens import DEMO_UNJOINED_GARDEN
from demo.data.harvests import _dormant_member
from demo.data.people import DEMO_PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _log_in(browser, live_server, email: str):
    page = browser.new_context().new_page()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page, problems


@pytest.mark.django_db(transaction=True)
def test_the_demo_community_walk(browser, live_server):
    call_command("seed_demo", accounts=12, members=5.0, days=120, ideas=12, stdout=io.StringIO())
    # The logins the demo prints: its first account's member and admin.
    first = Membership.objects.order_by("account_id", "pk")
    alice_email = first.filter(role=MemberRole.MEMBER).first().user.email
    kaito_email = first.filter(role=MemberRole.ADMIN).first().user.email
    garden = Garden.objects.get(slug=DEMO_UNJOINED_GARDEN)
    steward = garden.stewards.order_by("pk").first()
    dormant = _dormant_member()
    assert steward is not None and dormant is not None  # the demo has both
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # Alice joins the open garden from the garden list and starts a thread mentioning Kaito.
    alice, alice_problems = _log_in(browser, live_server, alice_email)
    alice.get_by_role("navigation", name="Main").get_by_role("link", name="Gardens").click()
    alice.get_by_role("link", name=garden.name).first.click()
    alice.get_by_role("button", name="Join this garden").click()
    alice.get_by_text("You are a member").wait_for()
    alice.screenshot(path=SCREENSHOTS / "demo-community-garden.png", full_page=True)
    alice.get_by_role("button", name="Start a thread").first.click()
    alice.get_by_label("Title").fill("Who runs your onboarding calls?")
    alice.get_by_label("Your post").fill(
        f"We split them by region. @{kaito_email}, how did we start?"
    )
    alice.get_by_role("button", name="Start the thread").click()
    alice.get_by_role("heading", name="Who runs your onboarding calls?").wait_for()
    thread_url = alice.url

    # Kaito answers and mentions her back; Alice finds it under the bell and follows it.
    kaito, kaito_problems = _log_in(browser, live_server, kaito_email)
    kaito.goto(f"{live_server.url}{garden.get_absolute_url()}")
    if kaito.get_by_role("button", name="Join this garden").count():  # as the demo dealt it
        kaito.get_by_role("button", name="Join this garden").click()
        kaito.get_by_text("You are a member").wait_for()
    kaito.goto(thread_url)
    kaito.get_by_label("Your reply").fill(f"With one planner per site. @{alice_email}, ask Jonas.")
    kaito.get_by_role("button", name="Post the reply").click()
    kaito.get_by_text("ask Jonas").wait_for()
    alice.goto(f"{live_server.url}/")
    alice.get_by_role("link", name="Notifications, ").first.click()
    alice.get_by_role("button", name="mentioned you in").first.click()
    alice.get_by_text("ask Jonas").wait_for()
    alice.screenshot(path=SCREENSHOTS / "demo-community-mentioned.png", full_page=True)

    # She reads a harvest from the feed: once, recorded for her account's engagement.
    alice.get_by_role("navigation", name="Main").get_by_role("link", name="Harvests").click()
    alice.locator("article h3 a, article h2 a").first.click()
    alice.locator("main h1").wait_for()
    alice.screenshot(path=SCREENSHOTS / "demo-community-harvest.png", full_page=True)
    alice_user = User.objects.get(email=alice_email)
    assert HarvestRead.objects.filter(user=alice_user).exists()
    assert ActivityEvent.objects.filter(user=alice_user, kind=ActivityKind.HARVEST_READ).exists()

    # A member of a Dormant account sees a harvest recommended, with an invitation to join.
    quiet, quiet_problems = _log_in(browser, live_server, dormant.email)
    recommended = quiet.get_by_role("region", name="Recommended for you")
    recommended.wait_for()
    assert recommended.get_by_role("button", name="Join the garden").count() >= 1
    quiet.screenshot(path=SCREENSHOTS / "demo-community-recommended.png", full_page=True)

    # The garden's steward hides Kaito's reply; Alice no longer sees it.
    reply = Post.objects.get(body__contains="ask Jonas")
    stella, stella_problems = _log_in(browser, live_server, steward.email)
    stella.goto(thread_url)
    post = stella.locator(f"#post-{reply.pk}")
    post.get_by_text("Hide", exact=True).click()
    post.get_by_label("Why hide it").fill("Names a colleague who has not joined")
    post.get_by_role("button", name="Hide the post").click()
    stella.locator(f"#post-{reply.pk}").get_by_text("Hidden from customers by").wait_for()
    stella.screenshot(path=SCREENSHOTS / "demo-community-hidden.png", full_page=True)
    alice.goto(thread_url)
    alice.get_by_role("heading", name="Who runs your onboarding calls?").wait_for()
    assert "ask Jonas" not in alice.content()

    assert alice_problems == kaito_problems == quiet_problems == stella_problems == []
