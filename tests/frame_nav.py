"""Reading the frame's navigation in a page's HTML (templates/frame/navigation.html): its
items, groups and count badges, for tests that check what a role is offered."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _MainNav(HTMLParser):
    """The main navigation's items (label → count badge, 0 without one; a group's menu as
    "<label> (menu)"), its group names (the user menu's too: the person's short name) and the
    labels marked aria-current."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <nav aria-label="Main">
        self.links: dict[str, int] = {}
        self.groups: list[str] = []
        self.current: list[str] = []  # labels marked aria-current
        self._text: list[str] | None = None
        self._count: str = ""
        self._in_count = 0
        self._tag = ""
        self._is_current = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "Main":
            self.depth = 1
        elif self.depth and tag == "nav":
            self.depth += 1
        if not self.depth:
            return
        if tag == "a" and (attrs.get("class") or "") in ("brand", "bell"):
            return  # the logo and the bell are not items
        if tag in ("a", "summary"):
            self._text, self._count, self._tag = [], "", tag
            self._is_current = bool(attrs.get("aria-current"))
        elif tag == "span" and self._text is not None:
            if "nav-count" in (attrs.get("class") or ""):
                self._in_count = 1
            elif self._in_count:
                self._in_count += 1

    def handle_endtag(self, tag):
        if self.depth and tag == "nav":
            self.depth -= 1
        if tag == "span" and self._in_count:
            self._in_count -= 1
        if tag == self._tag and self._text is not None:
            label = " ".join("".join(self._text).split())
            count = int(re.sub(r"\D", "", self._count) or 0)
            if label and tag == "summary":
                self.groups.append(label)
                self.links.setdefault(f"{label} (menu)", count)
            elif label:
                self.links.setdefault(label, count)
            if label and self._is_current:
                self.current.append(label)
            self._text = None

    def handle_data(self, data):
        if self._text is None:
            return
        if self._in_count == 1:
            self._count += data
        elif not self._in_count:
            self._text.append(data)


def main_nav(html: str | bytes) -> _MainNav:
    parser = _MainNav()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser


def nav_count(html: str | bytes, label: str) -> int:
    """The count badge beside the navigation's item `label` (0 when it shows none)."""
    return main_nav(html).links[label]


def nav_click(page, label: str) -> None:
    """In a browser test: click the main navigation's item `label`, opening the menu of its
    group first when it sits in one (internal users' items do; customers' mostly do not)."""
    nav = page.get_by_role("navigation", name="Main")
    nav.wait_for()
    link = nav.get_by_role("link", name=label).first
    if not link.is_visible():
        # The menu holding the link: found by the link's text, as roles skip what a closed menu
        # hides (and a `has` locator is looked for inside each menu, not from the page's nav).
        words = label.split(" ", 1)[0]
        inside = page.locator("a", has_text=words)
        nav.locator("details.frame-group", has=inside).first.locator("summary").click()
    link.click()
