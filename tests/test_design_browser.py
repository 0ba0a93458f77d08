"""The design system in Chromium, on a phone (390 × 844): a check-in's ratings are large
segmented buttons (≥ 44 px tall), the keyboard's focus ring is solid and stands out (≥ 3:1),
the portfolio's first column stays put while its table scrolls sideways (and says that it
scrolls), and a comment longer than its limit is counted, not cut. Screenshots go to
var/screenshots/design-*.png."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from community.models import Alert, AlertReason
from ideas.models import Comment, Phase
from ideas.services import ideas as idea_services
from tests.accounts.factories import PASSWORD, AccountFactory, TeamAssignmentFactory
from tests.community.factories import EngagementSnapshotFactory, GardenFactory
from tests.community.test_level_badges import contrast
from tests.ideas.factories import enrolled, running_pilot

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}

# The focused element's outline, and the colour behind it (the first ancestor with a background).
_FOCUS_RING = """(selector) => {
  const element = selector ? document.querySelector(selector) : document.activeElement;
  const style = getComputedStyle(element);
  let behind = element.parentElement, background = "rgba(0, 0, 0, 0)";
  while (behind) {
    background = getComputedStyle(behind).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(background) && background !== "transparent") break;
    behind = behind.parentElement;
  }
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          colour: style.outlineColor, background: behind ? background : "rgb(255, 255, 255)"};
}"""


def _hex(rgb: str) -> str:
    r, g, b = (int(n) for n in re.findall(r"\d+", rgb)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _log_in(page, live_server, user) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def _assert_ring(ring: dict) -> None:
    assert ring["style"] not in ("none", "hidden")
    assert ring["width"] >= 2
    assert contrast(_hex(ring["colour"]), _hex(ring["background"])) >= 3


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_ratings_are_large_buttons_with_a_visible_focus_ring(
    page, live_server, member_a, account_a
):
    pilot = running_pilot(accounts=[account_a])
    enrolled(pilot, member_a)
    check_in = pilot.check_ins.filter(phase=Phase.EXPERIENCE).order_by("position").first()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    _log_in(page, live_server, member_a)

    page.goto(f"{live_server.url}/check-ins/{check_in.pk}/")
    labels = page.locator("fieldset.question label.rating")
    assert labels.count() > 10
    heights = labels.evaluate_all("(ls) => ls.map((l) => l.getBoundingClientRect().height)")
    assert min(heights) >= 44
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    # A tap on a segment ticks its real radio input (same name, same value as before).
    first = labels.first
    first.click()
    radio = first.locator("input[type=radio]")
    assert radio.is_checked()
    assert re.fullmatch(r"q-\d+-\w+", radio.get_attribute("name"))

    # From the keyboard: the focused radio's segment carries the ring.
    radio.focus()
    page.keyboard.press("ArrowRight")  # moves the choice within the group, keyboard-style
    page.wait_for_function("() => document.activeElement.matches('.rating input')")
    _assert_ring(page.evaluate(_FOCUS_RING, ".rating:has(input:focus-visible)"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "design-check-in-phone.png", full_page=True)

    # Every other interactive element: Tab to the first buttons and links of the page.
    page.goto(f"{live_server.url}/check-ins/{check_in.pk}/")
    for _ in range(3):
        page.keyboard.press("Tab")
        page.wait_for_function("() => document.activeElement !== document.body")
        _assert_ring(page.evaluate(_FOCUS_RING, None))
    assert problems == []


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_portfolio_keeps_its_first_column_and_says_it_scrolls(
    page, live_server, account_manager_a, account_a
):
    for name in ("Bright Bank Inc.", "Glacier Insurance plc"):
        account = AccountFactory(name=name)
        TeamAssignmentFactory(account=account, user=account_manager_a)
        EngagementSnapshotFactory(
            account=account, day=timezone.localdate() - dt.timedelta(days=1), level="observing"
        )
    _log_in(page, live_server, account_manager_a)

    page.goto(f"{live_server.url}/portfolio/")
    wrap = page.locator(".table-wrap").first
    page.wait_for_function(
        "() => document.querySelector('.table-wrap').classList.contains('is-scrollable')"
    )
    assert page.get_by_text("Scroll sideways for more columns").is_visible()
    first_cell = wrap.locator("tbody th[scope=row]").first
    second_cell = wrap.locator("tbody td").first
    before = first_cell.bounding_box()["x"], second_cell.bounding_box()["x"]

    wrap.evaluate("(w) => { w.scrollLeft = 240; }")
    page.wait_for_function(
        "() => !document.querySelector('.table-wrap').classList.contains('at-start')"
    )

    after = first_cell.bounding_box()["x"], second_cell.bounding_box()["x"]
    assert after[0] == pytest.approx(before[0], abs=1)  # the account's name stays put
    assert after[1] < before[1] - 100  # the other columns moved under it
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SCREENSHOTS / "design-portfolio-phone.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_comment_over_its_limit_is_counted_and_refused_not_cut(page, live_server, member_a):
    garden = GardenFactory(name="Field work", slug="field-work")
    idea = idea_services.idea_propose(
        garden=garden,
        author=member_a,
        title="Offline inspections",
        job_to_be_done="Inspect in basements.",
        proposal="Queue work and sync later.",
    )
    _log_in(page, live_server, member_a)
    page.goto(f"{live_server.url}{idea.get_absolute_url()}")
    box = page.get_by_label("Your comment")
    page.get_by_text("0 / 5,000 characters").wait_for()

    box.fill("x" * 10_000)

    assert len(box.input_value()) == 10_000  # the browser did not cut it
    page.get_by_text("10,000 / 5,000 characters: 5,000 too many").wait_for()
    page.get_by_role("button", name=re.compile("comment", re.I)).click()
    page.get_by_text("at most 5000 characters (it has 10000)").wait_for()
    assert len(page.get_by_label("Your comment").input_value()) == 10_000
    assert not Comment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_alerts_are_cards_whose_actions_are_in_reach(
    page, live_server, account_manager_a, account_a
):
    details = {"day": "2026-11-30", "from_level": "participating", "to_level": "observing"}
    Alert.objects.create(account=account_a, reason=AlertReason.LEVEL_DROPPED, details=details)
    _log_in(page, live_server, account_manager_a)

    page.goto(f"{live_server.url}/alerts/")
    page.wait_for_function("() => document.querySelector('table.alerts td[data-label]')")

    acknowledge = page.get_by_role("button", name="Acknowledge")
    box = acknowledge.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # no sideways scroll
    assert not page.evaluate(
        "() => document.querySelector('.table-wrap').classList.contains('is-scrollable')"
    )
    # each line of the card says which column it is
    reason = page.locator("table.alerts tbody td").first
    assert reason.evaluate("(td) => getComputedStyle(td, '::before').content") == '"Reason: "'
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
