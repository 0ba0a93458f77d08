"""Shared by the home's to-do tests: a frozen clock and reading the "What needs you" list."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

# The example day: a check-in due 28 Nov is overdue on 5 Dec.
TODAY = dt.date(2026, 12, 5)


def frozen_clock(monkeypatch) -> dt.datetime:
    """The `frozen` fixture of tests/conftest.py: the site's clock held at 10:00 UTC on TODAY
    (settings.TIME_ZONE is UTC), so "today" and "overdue" do not depend on when the test runs
    (not even just after midnight)."""
    moment = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@dataclass(frozen=True)
class Item:
    kind: str
    url: str
    text: str  # the whole item's text, date included
    overdue: bool


def todo_items(page: str) -> list[Item]:
    """The items of the page's "What needs you" list, in order."""
    section = page.split('<section class="todos"', 1)[1].split("</section>", 1)[0]
    items = []
    for kind, body in re.findall(r'<li class="todo" data-kind="([^"]+)">(.*?)</li>', section, re.S):
        url = unescape(re.search(r'<a href="([^"]+)"', body).group(1))
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
        items.append(Item(kind=kind, url=url, text=text, overdue='class="todo-overdue"' in body))
    return items


def home_items(client) -> list[Item]:
    response = client.get("/")
    assert response.status_code == 200
    return todo_items(response.content.decode())


def kinds(items: list[Item]) -> list[str]:
    return [item.kind for item in items]


def opens(client, url: str) -> int:
    """The status of the page an item links to (its #anchor left off), followed to the end."""
    return client.get(url.split("#", 1)[0], follow=True).status_code


def home_queries(client) -> int:
    """The queries of the home page, after a first visit (which records the day's visit)."""
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)
