"""The frame's acceptance test (issue 14, "a frame that fits"), in Debian's Chromium.

For every role (customer member and admin, account manager, product manager, programme admin)
its home, every page its navigation offers and a few deep pages, at 1366×900 and at 390×844:

- axe (axe-core, from node_modules) finds no serious or critical violation;
- on the phone nothing scrolls sideways, and the menu button opens the grouped menu;
- at 1280 px the navigation's items share one row, at 1366 px too;
- a 403 and a 404 keep the frame (the main navigation is there).

One seeded world (the naming crawl's, which has a garden, ideas, a thread, a pilot with a
check-in, a harvest and an alert) and one browser serve the whole run; each role gets its own
browser context. Problems are collected and reported together, so one run shows them all.
Screenshots of the homes go to var/screenshots/frame-*.png."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.accounts.factories import PASSWORD
from tests.naming_crawl_world import build_naming_world

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Not the frame's pages: the Django admin and Swagger UI draw their own.
NOT_OURS = ("/admin/", "/api/docs/")

AXE_SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): `
      + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
}"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The boxes of the navigation's visible top-level items (each item's link or menu, not its list
# item, which reaches into the margin): one row when every item starts above the point where
# the first-ending one ends; inside when none ends past the navigation's edge.
ONE_ROW = """() => {
  const items = [...document.querySelectorAll(
    'nav[aria-label="Main"] > ul > li, nav[aria-label="Main"] > div > ul > li')]
    .map((li) => li.firstElementChild.getBoundingClientRect())
    .filter((r) => r.width > 0 && r.height > 0);
  const right = document.querySelector('nav[aria-label="Main"]').getBoundingClientRect().right;
  return {count: items.length,
          oneRow: Math.max(...items.map((r) => r.top)) < Math.min(...items.map((r) => r.bottom)),
          inside: Math.max(...items.map((r) => r.right)) <= right + 1};
}"""
# What sticks out: the outermost elements past the right edge that no scrolling box holds.
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
  const classes = (el) => typeof el.className === "string" && el.className.trim()
    ? "." + el.className.trim().split(/ +/).join(".") : "";
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes(el);
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) continue;
    const placed = ["absolute", "fixed"].includes(getComputedStyle(el).position);
    let parent = el.parentElement, held = false, reported = false;
    for (; parent; parent = parent.parentElement) {
      // A scrolling box clips what it contains, unless that is placed against a box outside.
      if (scrolls(parent) && (!placed || parent.contains(el.offsetParent))) { held = true; break; }
      if (out.some((o) => o.el === parent)) { reported = true; break; }
    }
    if (!held && !reported) out.push({el, text: `${name(el)} (${Math.round(box.right)}px)`});
  }
  return out.slice(0, 3).map((o) => o.text).join(", ");
}"""


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    pages: int = 0

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def _deep_pages(ids: dict) -> dict[str, list[str]]:
    garden, pilot = ids["garden"], ids["pilot"]
    customer = [
        f"/gardens/{garden}/",
        f"/gardens/{garden}/threads/{ids['thread']}/",
        f"/ideas/{ids['idea']}/",
        f"/pilots/{pilot}/",
        f"/harvests/{ids['harvest']}/",
    ]
    return {
        "member_a": customer,
        "admin_a": [*customer, "/accounts/acme/history/"],
        "account_manager_a": [
            "/accounts/acme/",
            "/accounts/acme/engagement/",
            "/accounts/acme/history/",
            f"/gardens/{garden}/",
        ],
        "product_manager": [
            f"/ideas/{ids['idea']}/",
            f"/pilots/{pilot}/",
            f"/pilots/{pilot}/results/",
        ],
        "programme_admin": [
            f"/pilots/{pilot}/instrument/",
            f"/gardens/{garden}/threads/flagged/",
            "/accounts/acme/sso/",
        ],
    }


# Pages each role may not open (403) and one that does not exist (404).
REFUSED = {
    "member_a": "/ideas/board/",
    "admin_a": "/portfolio/",
    "account_manager_a": "/settings/webhooks/",
    "product_manager": "/settings/audit/",
    "programme_admin": None,
}


@pytest.mark.django_db(transaction=True)
def test_every_roles_pages_fit_the_frame_on_a_laptop_and_a_phone(browser, live_server):
    world = build_naming_world(shows_other_members=False)
    axe_source = AXE.read_text()
    deep = _deep_pages(world.ids)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    findings = Findings()

    for role, refused in REFUSED.items():
        context = browser.new_context(viewport=WIDE)
        page = context.new_page()
        _log_in(page, live_server.url, world.people[role].email)
        nav_pages = _nav_pages(page)
        _check_one_row(page, f"{role} home at 1280", findings)
        paths = ["/", *[p for p in nav_pages if p != "/"], *deep[role]]
        for viewport in (WIDE, PHONE):
            page.set_viewport_size(viewport)
            for path in paths:
                _check_page(page, live_server.url, path, viewport, axe_source, findings, role)
            _check_errors(page, live_server.url, refused, viewport, findings, role)
        _check_phone_menu(page, live_server.url, axe_source, findings, role)
        context.close()

    assert findings.pages >= 60  # every role, both sizes: the crawl really ran
    assert findings.problems == [], "\n".join(findings.problems)


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    page.locator('nav[aria-label="Main"] details.frame-group').first.wait_for(state="attached")


def _nav_pages(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        'nav[aria-label="Main"] a[href^="/"]', "(links) => links.map((a) => a.getAttribute('href'))"
    )
    return [h for h in dict.fromkeys(hrefs) if not h.startswith(NOT_OURS)]


def _check_page(page, base, path, viewport, axe_source, findings: Findings, role: str) -> None:
    where = f"{role} {path} at {viewport['width']}"
    response = page.goto(f"{base}{path}")
    findings.pages += 1
    if response is None or response.status >= 400:
        findings.add(where, f"status {response.status if response else 'none'}")
        return
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    if not page.get_by_role("navigation", name="Main").count():
        findings.add(where, "no main navigation")
    _axe(page, where, axe_source, findings)
    if viewport is PHONE:
        sideways = page.evaluate(SIDEWAYS)
        if sideways > 0:
            culprits = page.evaluate(STICKING_OUT)
            findings.add(where, f"scrolls sideways by {sideways}px: {culprits}")
    else:
        _check_one_row(page, where, findings)
    if path == "/":
        name = f"frame-{role}-{viewport['width']}.png"
        page.screenshot(path=SCREENSHOTS / name, full_page=True)


def _axe(page, where: str, axe_source: str, findings: Findings) -> None:
    page.evaluate(axe_source)
    for violation in page.evaluate(AXE_SERIOUS):
        findings.add(where, f"axe {violation}")


def _check_one_row(page, where: str, findings: Findings) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": size["height"]})
    row = page.evaluate(ONE_ROW)
    if row["count"] < 4 or not row["oneRow"]:
        findings.add(where, f"the navigation's {row['count']} items wrap at 1280 px")
    if not row["inside"]:
        findings.add(where, "the navigation sticks out of its row at 1280 px")
    page.set_viewport_size(size)


def _check_errors(page, base, refused, viewport, findings: Findings, role: str) -> None:
    cases = {404: "/ideas/999999/"}
    if refused:
        cases[403] = refused
    for status, path in cases.items():
        where = f"{role} {path} ({status}) at {viewport['width']}"
        response = page.goto(f"{base}{path}")
        findings.pages += 1
        if response.status != status:
            findings.add(where, f"status {response.status}, not {status}")
        if not page.get_by_role("navigation", name="Main").count():
            findings.add(where, "the error page lost the frame")
        if viewport is PHONE and page.evaluate(SIDEWAYS) > 0:
            findings.add(where, "scrolls sideways")


def _check_phone_menu(page, base, axe_source, findings: Findings, role: str) -> None:
    """At 390 px the groups hide behind a menu button that says whether it is open."""
    where = f"{role} phone menu"
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/")
    nav = page.get_by_role("navigation", name="Main")
    button = nav.get_by_role("button", name="Menu")
    menu = page.locator("#frame-menu")
    if button.get_attribute("aria-controls") != "frame-menu" or menu.is_visible():
        findings.add(where, "the menu is not behind its button")
        return
    button.click()
    page.wait_for_function("() => document.getElementById('frame-menu').offsetHeight > 0")
    if button.get_attribute("aria-expanded") != "true":
        findings.add(where, "the open button does not say so (aria-expanded)")
    group = menu.locator("details.frame-group > summary").first
    group.click()
    if not menu.locator("details.frame-group[open] a").first.is_visible():
        findings.add(where, "a group of the open menu does not show its items")
    if page.evaluate(SIDEWAYS) > 0:
        findings.add(where, "the open menu scrolls sideways")
    _axe(page, where, axe_source, findings)
    page.screenshot(path=SCREENSHOTS / f"frame-{role}-390-menu.png", full_page=True)
