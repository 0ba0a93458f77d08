"""No dead ends from htmx: every URL that a page loads or posts to with htmx (its `hx-get`,
`hx-post`, … attributes), opened directly without htmx — a bookmark, a link without scripts, a
new tab, a form sent without scripts — ends on a whole page inside the frame, never on a bare
fragment.

The crawl is generic: for each persona of the isolation world (tests/isolation_cases.py) it
reads every page route of the isolation matrix, collects the htmx URLs found in what it was
shown, and opens each one (GET, or POST with an empty form, following redirects) with no
HX-Request header."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import pytest
from django.db import transaction

from tests.isolation_cases import build_world
from tests.test_isolation_matrix import PAGES

FRAME = '<nav aria-label="Main"'
HTMX_URL = re.compile(r'\bhx-(get|post|put|patch|delete)="([^"]+)"')
SKIPPED = {"api-docs", "api-schema"}  # documents, not pages of the frame


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def _fill(template: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), template)


def _htmx_urls(client, world) -> dict[tuple[str, str], str]:
    """(method, URL) of every htmx request found on the pages, with the page it was found on."""
    found = {}
    for key, case in PAGES.items():
        if key in SKIPPED or "get" not in case.methods:
            continue
        page = _fill(case.url, world.ids)
        response = client.get(page)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for method, url in HTMX_URL.findall(response.content.decode()):
            url = urljoin(page, html.unescape(url))
            found.setdefault((method, url), page)
    return found


def _opened_directly(client, method: str, url: str):
    if method == "get":
        return client.get(url, follow=True)
    return getattr(client, method)(url, {}, follow=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona",
    ["member_a", "admin_a", "account_manager_a", "product_manager", "programme_admin", "steward"],
)
def test_every_htmx_url_opened_directly_is_a_whole_page(world, client, persona):
    client.force_login(world.people[persona])
    found = _htmx_urls(client, world)
    assert any(method == "get" for method, _ in found), "the crawl found no htmx URL"
    problems = []
    for (method, url), page in sorted(found.items()):
        response = _opened_directly(client, method, url)
        text = response.content.decode(errors="replace")
        if FRAME not in text or response.status_code >= 500:
            problems.append(f"{method.upper()} {url} (on {page}): {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_a_fragment_still_answers_htmx_alone_and_varies_on_it(world, client):
    client.force_login(world.people["account_manager_a"])
    url = f"/accounts/{world.ids['account']}/pilots/"
    fragment = client.get(url, headers={"HX-Request": "true"})
    page = client.get(url)
    assert fragment.status_code == page.status_code == 200
    assert FRAME not in fragment.content.decode()
    assert 'id="account-pilots"' in fragment.content.decode()
    assert FRAME in page.content.decode()
    assert 'id="account-pilots"' in page.content.decode()
    assert "engagement</a>" in page.content.decode()  # the way to the page it belongs to
    assert "HX-Request" in page["Vary"]
