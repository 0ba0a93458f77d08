"""Real clicks in Chromium: a customer joins an open garden and starts a thread mentioning a
colleague; the colleague finds the mention in their notifications, opens the thread and marks
the post helpful (htmx); a steward hides a reply, which customers no longer see. No script
error, no CSP violation. Screenshots go to var/screenshots/discussions-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from community.models import Post, Reaction
from tests.accounts.factories import PASSWORD
from tests.community.factories import a_steward, garden_with, reply

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _log_in(browser, live_server, user):
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page, problems


@pytest.mark.django_db(transaction=True)
def test_a_member_starts_a_thread_a_colleague_is_mentioned_and_a_steward_hides_a_post(
    browser, live_server, member_a, admin_a, member_b
):
    steward = a_steward()
    garden = garden_with(admin_a, member_b, steward=steward)  # Alice has not joined yet
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # Alice joins the open garden and starts a thread that mentions Anna.
    alice, alice_problems = _log_in(browser, live_server, member_a)
    alice.goto(f"{live_server.url}{garden.get_absolute_url()}")
    alice.get_by_role("button", name="Join this garden").click()
    # Each step waits for its page: on a busy machine a click on the page still loading was lost.
    alice.get_by_role("button", name="Leave this garden").wait_for()
    alice.get_by_role("button", name="Start a thread").first.click()
    alice.wait_for_url(f"{live_server.url}{garden.get_absolute_url()}threads/new/")
    alice.get_by_label("Title").fill("Buddies for new planners")
    alice.get_by_label("Your post").fill(
        "Do you pair new planners with a **buddy**? @anna, you tried it last spring."
    )
    alice.get_by_role("button", name="Start the thread").click()
    alice.get_by_role("heading", name="Buddies for new planners").wait_for()
    assert alice.locator(".post-body strong").inner_text() == "buddy"
    alice.screenshot(path=SCREENSHOTS / "discussions-thread-started.png", full_page=True)

    # Anna sees the mention in her notifications and follows it to the thread.
    anna, anna_problems = _log_in(browser, live_server, admin_a)
    anna.get_by_role("link", name="Notifications, 1 unread").click()
    anna.get_by_role("button", name=f"{member_a.full_name} mentioned you in").click()
    anna.get_by_role("heading", name="Buddies for new planners").wait_for()
    anna.get_by_role("button", name="Helpful").click()
    anna.get_by_role("button", name="Helpful · 1").wait_for()
    assert Reaction.objects.get().user == admin_a
    anna.screenshot(path=SCREENSHOTS / "discussions-mentioned.png", full_page=True)

    # Bob (another account) replies with something that does not belong here.
    thread = Post.objects.get().thread
    spam = reply(thread, member_b, "Cheap spare parts at our partner's shop!")

    # The steward hides it, with a reason; it stays visible to them, marked.
    stella, stella_problems = _log_in(browser, live_server, steward)
    stella.goto(f"{live_server.url}{thread.get_absolute_url()}")
    post = stella.locator(f"#post-{spam.pk}")
    post.get_by_text("Hide", exact=True).click()
    post.get_by_label("Why hide it").fill("Advertising")
    post.get_by_role("button", name="Hide the post").click()
    stella.locator(f"#post-{spam.pk}").get_by_text("Hidden from customers by").wait_for()
    stella.screenshot(path=SCREENSHOTS / "discussions-hidden.png", full_page=True)
    spam.refresh_from_db()
    assert (spam.hidden_by, spam.hidden_reason) == (steward, "Advertising")

    # Customers no longer see it.
    alice.reload()
    alice.get_by_role("heading", name="Buddies for new planners").wait_for()
    assert "Cheap spare parts" not in alice.content()
    assert alice_problems == anna_problems == stella_problems == []
